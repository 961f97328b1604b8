import * as decoding from 'lib0/decoding';
import { encodeAwarenessUpdate, isNullState, nullState, type AwarenessEntry } from '../protocol/awareness.js';

/**
 * The awareness states of one board (cursors, names, selections), kept as the JSON bytes that
 * are sent, with y-protocols' rules for clocks: a state replaces the known one only with a
 * newer clock (or the same clock and `null`, a removal). Each client id has an owner: the
 * connection that introduced it, the server itself, or another instance; nobody else may write
 * it. A stale or foreign entry is skipped without its JSON being parsed.
 */
export type PresenceOwner = object;

export interface PresenceChange {
  added: number[];
  updated: number[];
  removed: number[];
}

interface Entry {
  clock: number;
  json: Uint8Array;
  lastUpdated: number;
  /** Who may write this client id; null once its connection has left. */
  owner: PresenceOwner | null;
}

/** y-protocols' timeout: a state not renewed for this long is removed (clients renew every 15 s). */
export const PRESENCE_TIMEOUT_MS = 30_000;

export class Presence {
  readonly #entries = new Map<number, Entry>();

  /**
   * Whether this entry would change what the board knows (a newer clock, or a removal). As in
   * y-protocols, an unknown client counts as being at clock 0: its state at clock 0 (the stock
   * client's initial empty state, sent on connect) is no news, and every stock client receiving
   * it would drop it too, so it is not relayed.
   */
  isNews(clientId: number, clock: number, json: Uint8Array): boolean {
    const current = this.#entries.get(clientId);
    if (current === undefined) return clock > 0;
    return current.clock < clock || (current.clock === clock && isNullState(json) && !isNullState(current.json));
  }

  /**
   * Whether a well-formed awareness update brings nothing new (every entry an echo of a state
   * the board has, or older), read in place without allocating: the stock client echoes every
   * presence message it receives, so most awareness frames a busy board gets are such echoes.
   * False for anything else, malformed input included (the full path judges it).
   */
  isStale(update: Uint8Array): boolean {
    const decoder = decoding.createDecoder(update);
    try {
      const count = decoding.readVarUint(decoder);
      if (count === 0) return false;
      for (let i = 0; i < count; i++) {
        const current = this.#entries.get(decoding.readVarUint(decoder));
        const clock = decoding.readVarUint(decoder);
        const length = decoding.readVarUint(decoder);
        const start = decoder.pos;
        if (length > update.length - start) return false;
        if (current === undefined) {
          // An unknown client's state at clock 0 is no news (see isNews).
          if (clock > 0) return false;
          decoder.pos = start + length;
          continue;
        }
        if (current.clock < clock) return false;
        if (current.clock === clock && length === 4 && isNullState(update.subarray(start, start + 4)) && !isNullState(current.json)) return false;
        decoder.pos = start + length;
      }
      return decoder.pos === update.length;
    } catch {
      return false;
    }
  }

  /** The owner of a client id, or null when nobody holds it. */
  ownerOf(clientId: number): PresenceOwner | null {
    return this.#entries.get(clientId)?.owner ?? null;
  }

  /** Sets the states (already checked for ownership and news); reports what changed. */
  set(entries: AwarenessEntry[], owner: PresenceOwner, now = Date.now()): PresenceChange {
    const change: PresenceChange = { added: [], updated: [], removed: [] };
    for (const { clientId, clock, json } of entries) {
      const current = this.#entries.get(clientId);
      const removal = isNullState(json);
      if (current === undefined || isNullState(current.json)) {
        if (!removal) change.added.push(clientId);
      } else if (removal) change.removed.push(clientId);
      else change.updated.push(clientId);
      this.#entries.set(clientId, { clock, json, lastUpdated: now, owner });
    }
    return change;
  }

  /** Removes the states of these clients (their connection left), releasing the ids. */
  remove(clientIds: Iterable<number>, now = Date.now()): number[] {
    const removed: number[] = [];
    for (const clientId of clientIds) {
      const current = this.#entries.get(clientId);
      if (!current) continue;
      current.owner = null;
      if (isNullState(current.json)) continue;
      // Like y-protocols: the removal has a newer clock, so that every peer applies it.
      current.clock += 1;
      current.json = nullState();
      current.lastUpdated = now;
      removed.push(clientId);
    }
    return removed;
  }

  /**
   * Removes states not renewed within the timeout (except those of `keep`, the server's own),
   * and forgets removed clients whose ids nobody holds. Returns the removed client ids.
   */
  expire(keep: number, now = Date.now()): number[] {
    const removed: number[] = [];
    for (const [clientId, entry] of this.#entries) {
      if (clientId === keep || now - entry.lastUpdated < PRESENCE_TIMEOUT_MS) continue;
      if (isNullState(entry.json)) {
        if (entry.owner === null) this.#entries.delete(clientId);
        continue;
      }
      entry.clock += 1;
      entry.json = nullState();
      entry.lastUpdated = now;
      removed.push(clientId);
    }
    return removed;
  }

  /** Client ids with a state (not removed). */
  activeIds(): number[] {
    const ids: number[] = [];
    for (const [clientId, entry] of this.#entries) if (!isNullState(entry.json)) ids.push(clientId);
    return ids;
  }

  /** The state of one client as JSON bytes (undefined when unknown). */
  stateOf(clientId: number): Uint8Array | undefined {
    return this.#entries.get(clientId)?.json;
  }

  clockOf(clientId: number): number {
    return this.#entries.get(clientId)?.clock ?? 0;
  }

  /** The awareness update for these clients, as y-protocols' `encodeAwarenessUpdate` writes it. */
  encode(clientIds: Iterable<number>): Uint8Array {
    const entries: AwarenessEntry[] = [];
    for (const clientId of clientIds) {
      const entry = this.#entries.get(clientId);
      if (entry) entries.push({ clientId, clock: entry.clock, json: entry.json });
    }
    return encodeAwarenessUpdate(entries);
  }

  get size(): number {
    return this.#entries.size;
  }
}
