/**
 * Who made a change to a board: the transaction origin of every Yjs change, so that each
 * extension knows what to store, relay or republish.
 *
 * - `peer`: a connected client (the origin is its Connection): stored, relayed to the other
 *   peers, published to other instances.
 * - `storage`: loaded from the store: neither stored again nor broadcast.
 * - `server`: a change made by the server itself (a template, an import): stored, broadcast to
 *   every peer, published.
 * - `remote`: received from another instance: broadcast to the local peers; not stored again
 *   (the instance that received it stores it) and not republished.
 */
export type OriginKind = 'peer' | 'storage' | 'server' | 'remote';

export interface Origin {
  readonly kind: OriginKind;
}

export const storageOrigin: Origin = Object.freeze({ kind: 'storage' });
export const serverOrigin: Origin = Object.freeze({ kind: 'server' });
export const remoteOrigin: Origin = Object.freeze({ kind: 'remote' });

/** The kind of a Yjs transaction origin (anything not tagged by the relay counts as the server's). */
export function originKind(origin: unknown): OriginKind {
  const kind = (origin as Partial<Origin> | null)?.kind;
  return kind === 'peer' || kind === 'storage' || kind === 'remote' ? kind : 'server';
}

/** Whether the instance that saw this change is the one that must store it. */
export function storedHere(origin: unknown): boolean {
  const kind = originKind(origin);
  return kind === 'peer' || kind === 'server';
}
