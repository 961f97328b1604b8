import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { MessageType, SERVER_AWARENESS_FIELD, type ServerStatus } from '@planboard/shared';
import type { Connection } from './connection.js';
import { stampRole } from './awareness-role.js';

/** Transaction origin of updates loaded from storage: neither stored again nor broadcast. */
export const STORAGE_ORIGIN = Symbol('storage');

/** Origin of updates and presence from another instance: broadcast here, not stored again, not republished. */
export const REMOTE_ORIGIN = Symbol('remote');

/** Awareness client ids one connection may publish (a client reusing its doc across reconnects may show a few). */
const MAX_AWARENESS_CLIENTS_PER_CONNECTION = 8;

/** Presence changes within this window go out as one awareness message. */
const AWARENESS_BATCH_MS = 20;

/** How long a stored snapshot may wait for a joiner's sync step 1 before it is applied anyway. */
const APPLY_SNAPSHOT_FALLBACK_MS = 200;

/** A frame that is not a valid y-websocket message; the sender is disconnected. */
export class ProtocolError extends Error {}

export interface RoomHooks {
  /** Every change of the document (not loaded from storage), with its transaction origin. */
  onUpdate(boardId: string, update: Uint8Array, origin: unknown): void;
  /** Presence changed on this instance (a peer's or the server's own state), as an awareness update. */
  onAwareness?(boardId: string, update: Uint8Array): void;
  /** A peer without write access sent a document update (it was dropped). */
  onRefusedWrite?(connection: Connection): void;
}

export interface RoomLimits {
  /** Bytes of not-yet-integrable update parts the board may hold. */
  maxPendingBytes: number;
}

/**
 * One board in memory: its Y.Doc, its awareness and the peers connected to it. Every broadcast
 * is encoded once and the same buffer goes to every peer.
 */
export class Room {
  readonly boardId: string;
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
  /** True while the document is exactly the single update it was loaded from (no compaction needed). */
  #unchangedSinceLoad = false;
  readonly awareness: awarenessProtocol.Awareness;
  readonly connections = new Set<Connection>();
  /** Set while the room is being written out and dropped; a joiner waits for it. */
  unloading: Promise<void> | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  readonly #hooks: RoomHooks;
  readonly #maxPendingBytes: number;
  #pendingUpdates: { update: Uint8Array; origin: unknown }[] = [];
  readonly #pendingAwareness = new Set<number>();
  /**
   * Each awareness client's state as last encoded for the peers: its clock, the state object it
   * was encoded from, and the JSON bytes. Broadcasts reuse the bytes, and a peer echoing exactly
   * what it was sent (the stock client echoes every awareness update it receives) is recognised
   * without parsing anything.
   */
  readonly #sentAwareness = new Map<number, { clock: number; state: unknown; json: Uint8Array }>();
  #broadcastScheduled = false;
  #awarenessTimer: NodeJS.Timeout | null = null;

  constructor(boardId: string, hooks: RoomHooks, limits: RoomLimits) {
    this.boardId = boardId;
    this.#hooks = hooks;
    this.#maxPendingBytes = limits.maxPendingBytes;
    this.awareness = new awarenessProtocol.Awareness(this.#doc);
    this.awareness.setLocalState(null);
    this.#doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === STORAGE_ORIGIN) return;
      this.#snapshot = null;
      this.#unchangedSinceLoad = false;
      hooks.onUpdate(boardId, update, origin);
      this.#pendingUpdates.push({ update, origin });
      this.#scheduleBroadcast();
    });
    this.awareness.on('update', this.#onAwarenessUpdate);
  }

  /** Applies another instance's update: broadcast to the peers here, not stored, not republished. */
  applyRemote(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, REMOTE_ORIGIN);
  }

  applyRemoteAwareness(update: Uint8Array): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, REMOTE_ORIGIN);
  }

  /** The presence of this instance's own peers and of the server itself, or null if there is none. */
  encodeLocalAwareness(): Uint8Array | null {
    const ids = [...this.connections].flatMap((connection) => [...connection.awarenessIds]);
    if (this.awareness.getLocalState() !== null) ids.push(this.awareness.clientID);
    return ids.length > 0 ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids) : null;
  }

  /** Tells every peer, through the server's own awareness state, whether the board is being saved. */
  setStorageFailing(failing: boolean): void {
    const status: ServerStatus = {
      storage: 'failing',
      message: 'The server cannot save this board right now. Your changes are kept and will be saved when storage recovers.',
    };
    this.awareness.setLocalState(failing ? { [SERVER_AWARENESS_FIELD]: status } : null);
  }

  /** The board's document (applying a stored snapshot first, if that is still pending). */
  get doc(): Y.Doc {
    this.#applySnapshot();
    return this.#doc;
  }

  /**
   * Takes the stored updates (oldest first) without storing or broadcasting them again. A single
   * update (a compacted board) is kept as the snapshot and applied later; several are applied
   * now, in one transaction (measured faster than merging a large snapshot with its log first).
   */
  load(updates: Uint8Array[]): void {
    if (updates.length === 1) {
      this.#snapshot = updates[0]!;
      this.#unapplied = updates[0]!;
      this.#unchangedSinceLoad = true;
      return;
    }
    this.#doc.transact(() => {
      for (const update of updates) Y.applyUpdate(this.#doc, update, STORAGE_ORIGIN);
    }, STORAGE_ORIGIN);
  }

  /** The whole document as one update (for compaction). */
  encodeState(): Uint8Array {
    this.#snapshot ??= Y.encodeStateAsUpdate(this.#doc);
    return this.#snapshot;
  }

  /** Whether the stored log is already exactly this board's state as one update. */
  get unchangedSinceLoad(): boolean {
    return this.#unchangedSinceLoad;
  }

  #applySnapshot(): void {
    const update = this.#unapplied;
    if (update === null) return;
    this.#unapplied = null;
    if (this.#applyTimer) clearTimeout(this.#applyTimer);
    this.#applyTimer = null;
    this.#doc.transact(() => Y.applyUpdate(this.#doc, update, STORAGE_ORIGIN), STORAGE_ORIGIN);
    for (const connection of this.#awaitingStep1) this.#sendStep1(connection);
    this.#awaitingStep1.clear();
  }

  /** Applies the stored snapshot soon, but not before what is being sent has left. */
  #scheduleApply(delayMs: number): void {
    if (this.#unapplied === null) return;
    if (this.#applyTimer) clearTimeout(this.#applyTimer);
    this.#applyTimer = setTimeout(() => this.#applySnapshot(), delayMs);
    this.#applyTimer.unref();
  }

  #sendStep1(connection: Connection): void {
    connection.send(encodeMessage(MessageType.sync, (encoder) => syncProtocol.writeSyncStep1(encoder, this.#doc)));
  }

  /** Adds a peer and starts the y-websocket handshake: our state vector, then who is here. */
  join(connection: Connection): void {
    this.connections.add(connection);
    if (this.#unapplied === null) this.#sendStep1(connection);
    else {
      // Our state vector needs the document; the peer's own sync step 1 can be answered from the
      // snapshot meanwhile. Should it not come, apply anyway.
      this.#awaitingStep1.add(connection);
      this.#scheduleApply(APPLY_SNAPSHOT_FALLBACK_MS);
    }
    const states = this.awareness.getStates();
    if (states.size > 0) connection.send(this.#encodeAwareness([...states.keys()]));
  }

  leave(connection: Connection): void {
    this.#awaitingStep1.delete(connection);
    if (!this.connections.delete(connection)) return;
    if (connection.awarenessIds.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...connection.awarenessIds], null);
    }
  }

  /**
   * Handles one frame from a peer. Throws ProtocolError, before touching the document, for a
   * frame that is malformed: bad varints, lengths past the frame, unknown message types,
   * trailing bytes, or a Yjs update that does not decode.
   */
  receive(connection: Connection, frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const type = readVarUint(decoder);
    switch (type) {
      case MessageType.sync:
        this.#receiveSync(connection, decoder);
        break;
      case MessageType.awareness: {
        const update = readPayload(decoder);
        expectEnd(decoder);
        if (this.#isEcho(update)) break;
        let stamped: ReturnType<typeof stampRole>;
        try {
          stamped = stampRole(update, connection.role);
        } catch (error) {
          throw new ProtocolError(`invalid awareness update: ${(error as Error).message}`);
        }
        // One connection is one participant; a flood of invented client ids is refused unapplied.
        // (The stock client echoes everyone's states back, so only ids new to the board count.)
        const newIds = stamped.clientIds.filter((id) => !this.awareness.meta.has(id) && !connection.awarenessIds.has(id));
        if (connection.awarenessIds.size + newIds.length > MAX_AWARENESS_CLIENTS_PER_CONNECTION) {
          throw new ProtocolError('too many awareness clients on one connection');
        }
        awarenessProtocol.applyAwarenessUpdate(this.awareness, stamped.update, connection);
        break;
      }
      case MessageType.queryAwareness:
        expectEnd(decoder);
        connection.send(this.#encodeAwareness([...this.awareness.getStates().keys()]));
        break;
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  }

  #receiveSync(connection: Connection, decoder: decoding.Decoder): void {
    const syncType = readVarUint(decoder);
    switch (syncType) {
      case syncProtocol.messageYjsSyncStep1: {
        const stateVector = readPayload(decoder);
        expectEnd(decoder);
        let known: Map<number, number>;
        try {
          known = Y.decodeStateVector(stateVector);
        } catch (error) {
          throw new ProtocolError(`invalid state vector: ${(error as Error).message}`);
        }
        if (known.size === 0) {
          // A peer with nothing yet: the whole board, encoded at most once while it is unchanged.
          const snapshot = this.#snapshot ?? this.encodeState();
          const reply = encodeMessage(MessageType.sync, (encoder) => {
            encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
            encoding.writeVarUint8Array(encoder, snapshot);
          });
          // A pending stored snapshot is applied once the reply has left for the peer.
          if (this.#unapplied === null) connection.send(reply);
          else connection.send(reply, () => this.#scheduleApply(0));
          break;
        }
        let reply: Uint8Array;
        try {
          reply = encodeMessage(MessageType.sync, (encoder) =>
            syncProtocol.writeSyncStep2(encoder, this.doc, stateVector),
          );
        } catch (error) {
          throw new ProtocolError(`invalid state vector: ${(error as Error).message}`);
        }
        connection.send(reply);
        break;
      }
      case syncProtocol.messageYjsSyncStep2:
      case syncProtocol.messageYjsUpdate: {
        const update = readPayload(decoder);
        expectEnd(decoder);
        validateUpdate(update);
        // Viewers' updates are dropped, never applied, stored or relayed. The stock client sends
        // a sync step 2 on every connect, so closing would lock viewers out; dropping is silent.
        if (!connection.canWrite) {
          this.#hooks.onRefusedWrite?.(connection);
          return;
        }
        // An empty update (what a new peer answers our sync step 1 with) changes nothing, and
        // need not wait for a stored snapshot to be applied.
        if (isEmptyUpdate(update)) break;
        try {
          Y.applyUpdate(this.doc, update, connection);
        } catch (error) {
          throw new ProtocolError(`Yjs update could not be applied: ${(error as Error).message}`);
        } finally {
          // Even an update that changed nothing visible may have left parts waiting for their
          // dependencies, which a full-state encoding includes.
          this.#snapshot = null;
        }
        // Parts of an update can wait for changes the server has not seen yet: after a crash, a
        // peer's edit may arrive before the sync step that restores what it builds on. Yjs holds
        // such parts until then. Bound what it holds, so a hostile peer cannot grow it forever.
        const store = this.#doc.store as unknown as { pendingStructs: { update: Uint8Array } | null; pendingDs: Uint8Array | null };
        const pendingBytes = (store.pendingStructs?.update.byteLength ?? 0) + (store.pendingDs?.byteLength ?? 0);
        if (pendingBytes > this.#maxPendingBytes) {
          store.pendingStructs = null;
          store.pendingDs = null;
          throw new ProtocolError('too many changes that depend on changes this board does not have');
        }
        break;
      }
      default:
        throw new ProtocolError(`unknown sync message type ${syncType}`);
    }
  }

  /**
   * Whether an awareness update only repeats, byte for byte, states this server last sent for
   * those clients. Applying it would change nothing (the board's clocks are at least as new), it
   * is well-formed (we encoded it) and it names no new client, so it can be dropped unparsed.
   * Anything else, including malformed input, takes the full path.
   */
  #isEcho(update: Uint8Array): boolean {
    const decoder = decoding.createDecoder(update);
    try {
      const count = decoding.readVarUint(decoder);
      if (count === 0) return false;
      for (let i = 0; i < count; i++) {
        const sent = this.#sentAwareness.get(decoding.readVarUint(decoder));
        const clock = decoding.readVarUint(decoder);
        const length = decoding.readVarUint(decoder);
        if (sent === undefined || sent.clock !== clock || length !== sent.json.length || length > update.length - decoder.pos) return false;
        const json = decoding.readUint8Array(decoder, length);
        if (Buffer.compare(json, sent.json) !== 0) return false;
      }
      return decoder.pos === update.length;
    } catch {
      return false;
    }
  }

  #onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const connection = origin as Connection;
    if (this.connections.has(connection)) {
      for (const id of added) connection.awarenessIds.add(id);
      for (const id of removed) connection.awarenessIds.delete(id);
    }
    for (const id of added) this.#pendingAwareness.add(id);
    for (const id of updated) this.#pendingAwareness.add(id);
    for (const id of removed) this.#pendingAwareness.add(id);
    if (origin !== REMOTE_ORIGIN && this.#hooks.onAwareness) {
      const changed = [...added, ...updated, ...removed];
      if (changed.length > 0) this.#hooks.onAwareness(this.boardId, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
    }
    // Presence is sent in batches of AWARENESS_BATCH_MS: every batch a stock client receives it
    // echoes back, so one batch per cursor move would multiply the frames by the peer count.
    this.#awarenessTimer ??= setTimeout(this.#flushAwareness, AWARENESS_BATCH_MS);
  };

  #scheduleBroadcast(): void {
    if (this.#broadcastScheduled) return;
    this.#broadcastScheduled = true;
    setImmediate(this.#flushBroadcasts);
  }

  /**
   * Everything that changed while the event loop read the frames at hand goes out as one message
   * per kind: the updates merged into one, the awareness of every changed client in one. Under
   * load that turns N updates × M peers sends into one encode and M sends, with no added delay.
   */
  #flushBroadcasts = (): void => {
    this.#broadcastScheduled = false;
    const updates = this.#pendingUpdates;
    this.#pendingUpdates = [];
    if (this.connections.size === 0) return;
    if (updates.length > 0) {
      const merged = updates.length === 1 ? updates[0]!.update : Y.mergeUpdates(updates.map((u) => u.update));
      const message = encodeMessage(MessageType.sync, (encoder) => syncProtocol.writeUpdate(encoder, merged));
      // A single author does not need its own changes back; with several, each gets the merge
      // (Yjs ignores what it already has) so that the message is still encoded once.
      const origin = updates.every((u) => u.origin === updates[0]!.origin) ? updates[0]!.origin : null;
      this.#broadcast(message, origin);
    }
  };

  #flushAwareness = (): void => {
    this.#awarenessTimer = null;
    const awarenessIds = [...this.#pendingAwareness];
    this.#pendingAwareness.clear();
    if (this.connections.size === 0 || awarenessIds.length === 0) return;
    // Sent to the originator too: a lone client's only inbound traffic keeps its connection
    // watchdog (y-websocket reconnects after 30 s of silence) satisfied.
    this.#broadcast(this.#encodeAwareness(awarenessIds), null);
  };

  /** The awareness message for these clients, as `awarenessProtocol.encodeAwarenessUpdate` would write it. */
  #encodeAwareness(clients: number[]): Uint8Array {
    const update = encoding.createEncoder();
    encoding.writeVarUint(update, clients.length);
    for (const clientId of clients) {
      const state: unknown = this.awareness.states.get(clientId) ?? null;
      const clock = this.awareness.meta.get(clientId)!.clock;
      let sent = this.#sentAwareness.get(clientId);
      // y-protocols stores a new state object on every change, so the same object means the same JSON.
      if (sent === undefined || sent.clock !== clock || sent.state !== state) {
        sent = { clock, state, json: textEncoder.encode(JSON.stringify(state)) };
        this.#sentAwareness.set(clientId, sent);
      }
      encoding.writeVarUint(update, clientId);
      encoding.writeVarUint(update, clock);
      encoding.writeVarUint8Array(update, sent.json);
    }
    return encodeMessage(MessageType.awareness, (encoder) => encoding.writeVarUint8Array(encoder, encoding.toUint8Array(update)));
  }

  #broadcast(message: Uint8Array, except: unknown): void {
    for (const connection of this.connections) {
      if (connection !== except) connection.send(message);
    }
  }

  destroy(): void {
    if (this.#awarenessTimer) clearTimeout(this.#awarenessTimer);
    this.#awarenessTimer = null;
    if (this.#applyTimer) clearTimeout(this.#applyTimer);
    this.#applyTimer = null;
    this.#unapplied = null;
    this.#snapshot = null;
    this.awareness.destroy();
    this.#doc.destroy();
  }
}

const textEncoder = new TextEncoder();

function encodeMessage(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function readVarUint(decoder: decoding.Decoder): number {
  try {
    return decoding.readVarUint(decoder);
  } catch {
    throw new ProtocolError('truncated or oversized varint');
  }
}

/**
 * Reads a length-prefixed payload. lib0 views the frame's underlying buffer, which for a small
 * frame is a slice of a larger pool: a length past the frame must be refused, never read.
 */
function readPayload(decoder: decoding.Decoder): Uint8Array {
  const length = readVarUint(decoder);
  if (length > decoder.arr.length - decoder.pos) {
    throw new ProtocolError(`payload length ${length} exceeds the frame`);
  }
  return decoding.readUint8Array(decoder, length);
}

function expectEnd(decoder: decoding.Decoder): void {
  if (decoder.pos !== decoder.arr.length) {
    throw new ProtocolError(`${decoder.arr.length - decoder.pos} unexpected trailing bytes`);
  }
}

/** A Yjs v1 update with no structs and an empty delete set. */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}

function validateUpdate(update: Uint8Array): void {
  try {
    Y.decodeUpdate(update);
  } catch (error) {
    throw new ProtocolError(`invalid Yjs update: ${(error as Error).message}`);
  }
}
