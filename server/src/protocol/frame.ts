import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MessageType } from '@planboard/shared';

/**
 * The y-websocket frame codec: one frame is decoded once into what it asks for, and every
 * message the relay sends is encoded once. Wire types are y-protocols' (`sync` 0/1/2).
 */
export const SyncType = { step1: 0, step2: 1, update: 2 } as const;

/** A frame that is not a valid y-websocket message; the sender is disconnected. */
export class ProtocolError extends Error {}

export type Frame =
  /** A peer's state vector: it asks for what it lacks. */
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  /** A document update (a sync step 2 answer, or a live change). */
  | { kind: 'update'; update: Uint8Array }
  /** A document update from a peer that may not write: its payload was never read. */
  | { kind: 'refused-update' }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'query-awareness' };

/**
 * Decodes one frame. Throws ProtocolError for bad varints, lengths past the frame, unknown
 * message types or trailing bytes. The payloads are views into the frame, not copies. When
 * `canWrite` is false a document update is recognised by its first two bytes and refused
 * before its (possibly megabytes of) payload is read.
 */
export function decodeFrame(frame: Uint8Array, canWrite: boolean): Frame {
  const decoder = decoding.createDecoder(frame);
  const type = readVarUint(decoder);
  switch (type) {
    case MessageType.sync: {
      const syncType = readVarUint(decoder);
      if (syncType === SyncType.step1) {
        const stateVector = readPayload(decoder);
        expectEnd(decoder);
        return { kind: 'sync-step1', stateVector };
      }
      if (syncType === SyncType.step2 || syncType === SyncType.update) {
        if (!canWrite) return { kind: 'refused-update' };
        const update = readPayload(decoder);
        expectEnd(decoder);
        return { kind: 'update', update };
      }
      throw new ProtocolError(`unknown sync message type ${syncType}`);
    }
    case MessageType.awareness: {
      const update = readPayload(decoder);
      expectEnd(decoder);
      return { kind: 'awareness', update };
    }
    case MessageType.queryAwareness:
      expectEnd(decoder);
      return { kind: 'query-awareness' };
    default:
      throw new ProtocolError(`unknown message type ${type}`);
  }
}

/** Our sync step 1: the board's state vector. */
export function encodeSyncStep1(stateVector: Uint8Array): Uint8Array {
  return encodeSync(SyncType.step1, stateVector);
}

/** A sync step 2: what the peer lacks, as one update. */
export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  return encodeSync(SyncType.step2, update);
}

/** A live document update. */
export function encodeUpdate(update: Uint8Array): Uint8Array {
  return encodeSync(SyncType.update, update);
}

/** An awareness message carrying an encoded awareness update. */
export function encodeAwarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.awareness);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/**
 * y-websocket's auth message saying "permission denied" with a reason: the stock client logs
 * the reason; Planboard's client shows it.
 */
export function encodePermissionDenied(reason: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.auth);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarString(encoder, reason);
  return encoding.toUint8Array(encoder);
}

function encodeSync(syncType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.sync);
  encoding.writeVarUint(encoder, syncType);
  encoding.writeVarUint8Array(encoder, payload);
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
