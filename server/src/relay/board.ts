import * as Y from 'yjs';
import { CloseCode, SERVER_AWARENESS_FIELD, type ServerStatus } from '@planboard/shared';
import { ProtocolError, decodeFrame, encodeAwarenessMessage, encodePermissionDenied, encodeSyncStep1, encodeSyncStep2 } from '../protocol/frame.js';
import { decodeAwarenessUpdate, nullState, type AwarenessEntry } from '../protocol/awareness.js';
import { stampRole } from '../protocol/role-stamp.js';
import type { Connection } from './connection.js';
import type { AwarenessChange, DecodedUpdate, Refusal } from './hooks.js';
import { remoteOrigin, serverOrigin, storageOrigin, type Origin } from './origins.js';
import { PendingUpdates, missingDependency } from './pending.js';
import { Presence, type PresenceChange } from './presence.js';
import { Broadcaster } from './broadcast.js';
import type { RelayStats } from './stats.js';
import { neverBusy, type Load } from './load.js';

export interface BoardLimits {
  /** A board's document may not grow past this many bytes (encoded as one update). */
  maxBoardBytes: number;
  /** Bytes of updates waiting for their dependencies, per board and per connection. */
  maxPendingBytesPerBoard: number;
  maxPendingBytesPerConnection: number;
  /** Waiting updates one connection may have; one more closes it. */
  maxPendingUpdatesPerConnection: number;
  /** Awareness client ids one connection may introduce (while they are remembered). */
  maxAwarenessIdsPerConnection: number;
  /** Largest awareness state (JSON bytes) a client may publish. */
  maxAwarenessStateBytes: number;
  /**
   * While the server is busy, a board sends at most one presence message per this many
   * milliseconds (after a burst of a few); changes meanwhile go out together. A quiet server
   * sends presence at the end of the turn it arrived in (at most every 4 ms). 0: no limit.
   */
  awarenessWindowMs: number;
}

/**
 * What the board reports to the relay, which runs the extensions' hooks. A hook no extension
 * implements is null, so that the board does not even prepare its arguments.
 */
export interface BoardEvents {
  beforeApplyUpdate: ((board: Board, update: Uint8Array, connection: Connection, decoded: DecodedUpdate) => Refusal | void) | null;
  onChange: ((board: Board, update: Uint8Array, origin: Origin) => void) | null;
  onAwareness: ((board: Board, change: AwarenessChange, origin: Origin) => void) | null;
}

/** A peer's update the board will not take: it is told why and closed. */
export class RefusedUpdateError extends Error {
  readonly closeCode: number;
  constructor(refusal: Refusal) {
    super(refusal.message);
    this.closeCode = refusal.closeCode;
  }
}

/** How long a stored snapshot may wait for a joiner's sync step 1 before it is applied anyway. */
const APPLY_SNAPSHOT_FALLBACK_MS = 200;

/**
 * One board in memory: its Y.Doc, its presence and its peers. It decodes each frame once,
 * applies it with its origin, and hands broadcasting to its Broadcaster.
 */
export class Board {
  readonly id: string;
  readonly #doc = new Y.Doc({ gc: true });
  /**
   * The whole document as one update, kept while the document does not change: from storage (a
   * compacted board), or encoded once for the first joiner. A new peer (empty state vector) is
   * sent these bytes as they are, instead of re-encoding the board for every join.
   */
  #snapshot: Uint8Array | null = null;
  /**
   * A stored snapshot not yet applied to `#doc`. Applying a large board costs about as much as a
   * client decoding it, so it is done after the first joiner has been answered from the bytes
   * (or as soon as anything needs the document).
   */
  #unapplied: Uint8Array | null = null;
  /** Peers that joined before the snapshot was applied: they get our sync step 1 once it is. */
  readonly #awaitingStep1 = new Set<Connection>();
  #applyTimer: NodeJS.Timeout | null = null;
  #unchangedSinceLoad = false;
  /** Bytes of the document as last measured, plus every update since. */
  #bytes = 0;
  #bytesMeasuredAt = 0;
  readonly peers = new Set<Connection>();
  readonly presence = new Presence();
  readonly #pending = new PendingUpdates<Connection>();
  readonly #broadcaster: Broadcaster;
  readonly #events: BoardEvents;
  readonly #limits: BoardLimits;
  readonly #stats: RelayStats;
  #serverClock = 0;
  #destroyed = false;

  constructor(id: string, events: BoardEvents, limits: BoardLimits, stats: RelayStats, load: Load = neverBusy) {
    this.id = id;
    this.#events = events;
    this.#limits = limits;
    this.#stats = stats;
    this.#broadcaster = new Broadcaster(this.peers, limits.awarenessWindowMs, load, (ids) => this.presence.encode(ids));
    this.#doc.on('update', this.#onUpdate);
  }

  /** The board's document (applying a stored snapshot first, if that is still pending). */
  get doc(): Y.Doc {
    this.#applySnapshot();
    return this.#doc;
  }

  /** Whether the store's log is already exactly this board's state as one update. */
  get unchangedSinceLoad(): boolean {
    return this.#unchangedSinceLoad;
  }

  /** Approximate size of the document in bytes (exact when last measured, plus updates since). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Takes the stored updates (oldest first) without storing or broadcasting them again. A single
   * update (a compacted board) is kept as the snapshot and applied later; several are applied
   * now, in one transaction (measured faster than merging a large snapshot with its log first).
   */
  load(updates: Uint8Array[]): void {
    this.#bytes = updates.reduce((sum, update) => sum + update.byteLength, 0);
    this.#bytesMeasuredAt = this.#bytes;
    if (updates.length === 1) {
      this.#snapshot = updates[0]!;
      this.#unapplied = updates[0]!;
      this.#unchangedSinceLoad = true;
      return;
    }
    this.#doc.transact(() => {
      for (const update of updates) Y.applyUpdate(this.#doc, update, storageOrigin);
    }, storageOrigin);
  }

  /** The whole document as one update (for compaction, and for a peer that has nothing). */
  encodeState(): Uint8Array {
    this.#snapshot ??= Y.encodeStateAsUpdate(this.doc);
    return this.#snapshot;
  }

  stateVector(): Uint8Array {
    return Y.encodeStateVector(this.doc);
  }

  /** What the board holds beyond `stateVector`, as one update. */
  encodeDiff(stateVector: Uint8Array): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc, stateVector);
  }

  /** The presence of this instance's own peers and of the server itself (null when there is none). */
  encodeLocalAwareness(): Uint8Array | null {
    const ids = this.presence.activeIds().filter((id) => this.presence.ownerOf(id) !== remoteOrigin);
    return ids.length > 0 ? this.presence.encode(ids) : null;
  }

  /** Runs `change` in one transaction with the given origin (the server's, by default). */
  transact<T>(change: (doc: Y.Doc) => T, origin: Origin = serverOrigin): T {
    const doc = this.doc;
    let result!: T;
    doc.transact(() => {
      result = change(doc);
    }, origin);
    return result;
  }

  /** Applies an update received from another instance: relayed to local peers, not stored or republished. */
  applyRemoteUpdate(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, remoteOrigin);
  }

  /** Applies presence received from another instance, for client ids no local peer holds. */
  applyRemoteAwareness(update: Uint8Array): void {
    const entries = decodeAwarenessUpdate(update).filter((entry) => {
      const owner = this.presence.ownerOf(entry.clientId);
      return (owner === null || owner === remoteOrigin) && this.presence.isNews(entry.clientId, entry.clock, entry.json);
    });
    if (entries.length === 0) return;
    for (const entry of entries) entry.json = entry.json.slice();
    this.#presenceChanged(this.presence.set(entries, remoteOrigin), remoteOrigin);
  }

  /** Tells every peer, through the server's own presence state, whether the board is being saved. */
  setServerStatus(status: ServerStatus | null): void {
    const json = status ? new TextEncoder().encode(JSON.stringify({ [SERVER_AWARENESS_FIELD]: status })) : nullState();
    this.#serverClock = Math.max(this.#serverClock, this.presence.clockOf(this.#doc.clientID)) + 1;
    const entry: AwarenessEntry = { clientId: this.#doc.clientID, clock: this.#serverClock, json };
    this.#presenceChanged(this.presence.set([entry], serverOrigin), serverOrigin);
  }

  /** Removes presence not renewed in time (e.g. of an instance that died). */
  expirePresence(now = Date.now()): void {
    const removed = this.presence.expire(this.#doc.clientID, now);
    if (removed.length > 0) this.#presenceChanged({ added: [], updated: [], removed }, serverOrigin);
  }

  /** Adds a peer and starts the y-websocket handshake: our state vector, then who is here. */
  join(connection: Connection): void {
    this.peers.add(connection);
    if (this.#unapplied === null) connection.send(encodeSyncStep1(Y.encodeStateVector(this.#doc)));
    else {
      // Our state vector needs the document; the peer's own sync step 1 can be answered from the
      // snapshot meanwhile. Should it not come, apply anyway.
      this.#awaitingStep1.add(connection);
      this.#scheduleApply(APPLY_SNAPSHOT_FALLBACK_MS);
    }
    const active = this.presence.activeIds();
    if (active.length > 0) connection.send(encodeAwarenessMessage(this.presence.encode(active)));
  }

  leave(connection: Connection): void {
    this.#awaitingStep1.delete(connection);
    this.#pending.dropSender(connection);
    if (!this.peers.delete(connection)) return;
    if (connection.awarenessIds.size > 0) {
      const removed = this.presence.remove(connection.awarenessIds);
      connection.awarenessIds.clear();
      if (removed.length > 0) this.#presenceChanged({ added: [], updated: [], removed }, connection);
    }
  }

  /**
   * Handles one frame from a peer. Throws ProtocolError, before touching the document, for a
   * frame that is malformed; RefusedUpdateError for an update the board will not take.
   */
  receive(connection: Connection, bytes: Uint8Array): void {
    const frame = decodeFrame(bytes, connection.canWrite);
    switch (frame.kind) {
      case 'sync-step1':
        this.#answerStep1(connection, frame.stateVector);
        break;
      case 'update':
        this.#receiveUpdate(connection, frame.update);
        break;
      case 'refused-update':
        // Viewers' updates are dropped unread. The stock client sends a sync step 2 on every
        // connect, so closing would lock viewers out; dropping is silent.
        this.#stats.viewerWritesDropped++;
        break;
      case 'awareness':
        this.#receiveAwareness(connection, frame.update);
        break;
      case 'query-awareness':
        connection.send(encodeAwarenessMessage(this.presence.encode(this.presence.activeIds())));
        break;
    }
  }

  #answerStep1(connection: Connection, stateVector: Uint8Array): void {
    let known: Map<number, number>;
    try {
      known = Y.decodeStateVector(stateVector);
    } catch (error) {
      throw new ProtocolError(`invalid state vector: ${(error as Error).message}`);
    }
    if (known.size === 0) {
      // A peer with nothing yet: the whole board, encoded at most once while it is unchanged.
      const reply = encodeSyncStep2(this.#snapshot ?? this.encodeState());
      // A pending stored snapshot is applied once the reply has left for the peer.
      if (this.#unapplied === null) connection.send(reply);
      else connection.send(reply, () => this.#scheduleApply(0));
      return;
    }
    let diff: Uint8Array;
    try {
      diff = Y.encodeStateAsUpdate(this.doc, stateVector);
    } catch (error) {
      throw new ProtocolError(`invalid state vector: ${(error as Error).message}`);
    }
    connection.send(encodeSyncStep2(diff));
  }

  #receiveUpdate(connection: Connection, update: Uint8Array): void {
    let decoded: DecodedUpdate;
    try {
      decoded = Y.decodeUpdate(update);
    } catch (error) {
      throw new ProtocolError(`invalid Yjs update: ${(error as Error).message}`);
    }
    // An empty update (what a new peer answers our sync step 1 with) changes nothing, and need
    // not wait for a stored snapshot to be applied.
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) {
      // Yjs encodes "nothing" as exactly two zero bytes; anything longer is garbage it tolerated.
      if (update.length === 2 && update[0] === 0 && update[1] === 0) return;
      throw new ProtocolError('invalid Yjs update: bytes after an empty update');
    }
    const doc = this.doc;
    const missing = missingDependency(decoded, (client) => Y.getState(doc.store, client));
    if (missing) {
      this.#hold(connection, update, missing);
      return;
    }
    this.#integrate(connection, update, decoded);
  }

  /** Applies a peer's update whose dependencies the board has, once it passed the size limit and the extensions. */
  #integrate(connection: Connection, update: Uint8Array, decoded: DecodedUpdate): void {
    this.#checkSize(update);
    const refusal = this.#events.beforeApplyUpdate?.(this, update, connection, decoded);
    if (refusal) throw new RefusedUpdateError(refusal);
    this.#apply(update, connection);
  }

  /** Keeps an update whose dependencies have not arrived, within the per-board and per-peer bounds. */
  #hold(connection: Connection, update: Uint8Array, waitingFor: { client: number; clock: number }): void {
    const limits = this.#limits;
    const usage = this.#pending.usageOf(connection);
    if (
      usage.bytes + update.byteLength > limits.maxPendingBytesPerConnection ||
      usage.count + 1 > limits.maxPendingUpdatesPerConnection ||
      this.#pending.bytes + update.byteLength > limits.maxPendingBytesPerBoard
    ) {
      this.#pending.dropSender(connection);
      throw new ProtocolError('too many changes that depend on changes this board does not have');
    }
    this.#stats.updatesHeld++;
    // A copy: the frame may be a view into a larger network buffer.
    this.#pending.add({ update: update.slice(), sender: connection, waitingFor });
  }

  /**
   * Refuses an update that would take the board past its size limit. The size is estimated
   * (last measurement plus the updates since) and measured again only after the estimate has
   * grown by a sixteenth of the limit, so that a peer cannot make every frame re-encode the board.
   */
  #checkSize(update: Uint8Array): void {
    const max = this.#limits.maxBoardBytes;
    if (this.#bytes + update.byteLength <= max) return;
    if (this.#bytes - this.#bytesMeasuredAt >= max / 16 || this.#bytesMeasuredAt === 0) {
      this.#bytes = this.#bytesMeasuredAt = this.encodeState().byteLength;
    }
    if (this.#bytes + update.byteLength > max) {
      throw new RefusedUpdateError({
        closeCode: CloseCode.boardTooLarge,
        message: `this board has reached its size limit (${formatBytes(max)}); the change was not saved`,
      });
    }
  }

  #apply(update: Uint8Array, origin: Connection): void {
    const doc = this.#doc;
    const before = this.#pending.isEmpty ? null : Y.encodeStateVector(doc);
    try {
      Y.applyUpdate(doc, update, origin);
    } catch (error) {
      throw new ProtocolError(`Yjs update could not be applied: ${(error as Error).message}`);
    }
    const store = doc.store as unknown as { pendingStructs: unknown; pendingDs: unknown };
    if (store.pendingStructs !== null || store.pendingDs !== null) {
      // Cannot happen for an update that passed the dependency check; never let Yjs keep a pending set.
      store.pendingStructs = null;
      store.pendingDs = null;
      throw new ProtocolError('an update left changes waiting for changes this board does not have');
    }
    if (before !== null) this.#releaseReady(before);
  }

  /** Applies the held updates whose dependencies the board now has (those may release more). */
  #releaseReady(before: Uint8Array): void {
    const doc = this.#doc;
    let previous = Y.decodeStateVector(before);
    for (;;) {
      const advanced: number[] = [];
      const current = Y.decodeStateVector(Y.encodeStateVector(doc));
      for (const [client, clock] of current) if ((previous.get(client) ?? 0) < clock) advanced.push(client);
      const ready = this.#pending.takeReady(advanced, (client) => Y.getState(doc.store, client));
      if (ready.length === 0) return;
      previous = current;
      for (const entry of ready) {
        if (!this.peers.has(entry.sender)) continue;
        const decoded = Y.decodeUpdate(entry.update);
        const missing = missingDependency(decoded, (client) => Y.getState(doc.store, client));
        if (missing) this.#pending.add({ ...entry, waitingFor: missing });
        else {
          // The same checks as an update that arrives whole: waiting must not be a way around them.
          try {
            this.#checkSize(entry.update);
            const refusal = this.#events.beforeApplyUpdate?.(this, entry.update, entry.sender, decoded);
            if (refusal) throw new RefusedUpdateError(refusal);
            Y.applyUpdate(doc, entry.update, entry.sender);
          } catch (error) {
            this.#pending.dropSender(entry.sender);
            if (error instanceof RefusedUpdateError) {
              entry.sender.send(encodePermissionDenied(error.message));
              entry.sender.reject(error.closeCode, error.message);
            } else entry.sender.reject(CloseCode.malformed, `Yjs update could not be applied: ${(error as Error).message}`);
          }
        }
      }
    }
  }

  #receiveAwareness(connection: Connection, update: Uint8Array): void {
    // Echoes (the stock client sends back every presence message it gets) cost no decoding.
    if (this.presence.isStale(update)) return;
    const entries = decodeAwarenessUpdate(update);
    const accepted: AwarenessEntry[] = [];
    for (const entry of entries) {
      const owner = this.presence.ownerOf(entry.clientId);
      // Echoes of states this board already has (the stock client echoes every update it gets)
      // and anything older are skipped unparsed.
      if (!this.presence.isNews(entry.clientId, entry.clock, entry.json)) continue;
      if (owner !== null && owner !== connection) {
        // Another participant's client id: nobody may speak for someone else.
        this.#stats.awarenessRefused++;
        continue;
      }
      if (entry.json.byteLength > this.#limits.maxAwarenessStateBytes) {
        this.#stats.awarenessRefused++;
        continue;
      }
      if (owner === null && !connection.awarenessIds.has(entry.clientId)) {
        // One connection is one participant (a client reusing its doc across reconnects may show a few).
        if (connection.awarenessIds.size >= this.#limits.maxAwarenessIdsPerConnection) {
          throw new ProtocolError('too many awareness clients on one connection');
        }
        connection.awarenessIds.add(entry.clientId);
      }
      accepted.push({ clientId: entry.clientId, clock: entry.clock, json: stampRole(entry.json, connection.role) });
    }
    if (accepted.length > 0) this.#presenceChanged(this.presence.set(accepted, connection), connection);
  }

  #presenceChanged(change: PresenceChange, origin: Origin): void {
    const ids = [...change.added, ...change.updated, ...change.removed];
    if (ids.length === 0) return;
    // Moves are sent at once; under load, arrivals and departures wait a moment to go out together.
    this.#broadcaster.awareness(ids, change.updated.length > 0);
    const onAwareness = this.#events.onAwareness;
    if (onAwareness === null) return;
    const presence = this.presence;
    let encoded: Uint8Array | null = null;
    onAwareness(
      this,
      {
        ...change,
        get update() {
          encoded ??= presence.encode(ids);
          return encoded;
        },
      },
      origin,
    );
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === storageOrigin) return;
    this.#snapshot = null;
    this.#unchangedSinceLoad = false;
    this.#bytes += update.byteLength;
    this.#events.onChange?.(this, update, origin as Origin);
    this.#broadcaster.update(update, origin);
  };

  #applySnapshot(): void {
    const update = this.#unapplied;
    if (update === null || this.#destroyed) return;
    this.#unapplied = null;
    if (this.#applyTimer) clearTimeout(this.#applyTimer);
    this.#applyTimer = null;
    this.#doc.transact(() => Y.applyUpdate(this.#doc, update, storageOrigin), storageOrigin);
    const step1 = encodeSyncStep1(Y.encodeStateVector(this.#doc));
    for (const connection of this.#awaitingStep1) connection.send(step1);
    this.#awaitingStep1.clear();
  }

  /** Applies the stored snapshot soon, but not before what is being sent has left. */
  #scheduleApply(delayMs: number): void {
    if (this.#unapplied === null) return;
    if (this.#applyTimer) clearTimeout(this.#applyTimer);
    this.#applyTimer = setTimeout(() => this.#applySnapshot(), delayMs);
    this.#applyTimer.unref();
  }

  destroy(): void {
    this.#destroyed = true;
    this.#broadcaster.destroy();
    if (this.#applyTimer) clearTimeout(this.#applyTimer);
    this.#applyTimer = null;
    this.#unapplied = null;
    this.#snapshot = null;
    this.#pending.clear();
    this.#doc.destroy();
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
