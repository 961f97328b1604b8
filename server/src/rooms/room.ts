import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { MessageType } from '@planboard/shared';
import type { Connection } from './connection.js';
import { stampRole } from './awareness-role.js';

/** Transaction origin of updates loaded from storage: neither stored again nor broadcast. */
export const STORAGE_ORIGIN = Symbol('storage');

/** A frame that is not a valid y-websocket message; the sender is disconnected. */
export class ProtocolError extends Error {}

export interface RoomHooks {
  /** Every change of the document, to be made durable. */
  onUpdate(boardId: string, update: Uint8Array): void;
  /** A peer without write access sent a document update (it was dropped). */
  onRefusedWrite?(connection: Connection): void;
}

/**
 * One board in memory: its Y.Doc, its awareness and the peers connected to it. Every broadcast
 * is encoded once and the same buffer goes to every peer.
 */
export class Room {
  readonly boardId: string;
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness: awarenessProtocol.Awareness;
  readonly connections = new Set<Connection>();
  /** Set while the room is being written out and dropped; a joiner waits for it. */
  unloading: Promise<void> | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  readonly #hooks: RoomHooks;

  constructor(boardId: string, hooks: RoomHooks) {
    this.boardId = boardId;
    this.#hooks = hooks;
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === STORAGE_ORIGIN) return;
      hooks.onUpdate(boardId, update);
      const message = encodeMessage(MessageType.sync, (encoder) => syncProtocol.writeUpdate(encoder, update));
      this.#broadcast(message, origin);
    });
    this.awareness.on('update', this.#onAwarenessUpdate);
  }

  /** Applies stored updates (oldest first) without storing or broadcasting them again. */
  load(updates: Uint8Array[]): void {
    this.doc.transact(() => {
      for (const update of updates) Y.applyUpdate(this.doc, update, STORAGE_ORIGIN);
    }, STORAGE_ORIGIN);
  }

  /** Adds a peer and starts the y-websocket handshake: our state vector, then who is here. */
  join(connection: Connection): void {
    this.connections.add(connection);
    connection.send(encodeMessage(MessageType.sync, (encoder) => syncProtocol.writeSyncStep1(encoder, this.doc)));
    const states = this.awareness.getStates();
    if (states.size > 0) connection.send(this.#encodeAwareness([...states.keys()]));
  }

  leave(connection: Connection): void {
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
        try {
          const stamped = connection.role ? stampRole(update, connection.role) : update;
          awarenessProtocol.applyAwarenessUpdate(this.awareness, stamped, connection);
        } catch (error) {
          throw new ProtocolError(`invalid awareness update: ${(error as Error).message}`);
        }
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
        try {
          Y.applyUpdate(this.doc, update, connection);
        } catch (error) {
          throw new ProtocolError(`Yjs update could not be applied: ${(error as Error).message}`);
        }
        break;
      }
      default:
        throw new ProtocolError(`unknown sync message type ${syncType}`);
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
    const changed = added.concat(updated, removed);
    // Sent to the originator too: a lone client's only inbound traffic keeps its connection
    // watchdog (y-websocket reconnects after 30 s of silence) satisfied.
    this.#broadcast(this.#encodeAwareness(changed), null);
  };

  #encodeAwareness(clients: number[]): Uint8Array {
    return encodeMessage(MessageType.awareness, (encoder) =>
      encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)),
    );
  }

  #broadcast(message: Uint8Array, except: unknown): void {
    for (const connection of this.connections) {
      if (connection !== except) connection.send(message);
    }
  }

  destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }
}

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

function validateUpdate(update: Uint8Array): void {
  try {
    Y.decodeUpdate(update);
  } catch (error) {
    throw new ProtocolError(`invalid Yjs update: ${(error as Error).message}`);
  }
}
