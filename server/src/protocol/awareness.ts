import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ProtocolError } from './frame.js';

/**
 * The awareness update codec (y-protocols' layout: a count, then per client its id, clock and
 * state as JSON text). The relay keeps states as the JSON bytes it sends, so a state is parsed
 * once when it arrives and never re-encoded for each peer.
 */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** The state as JSON text (`null` for a client that left), as bytes. */
  json: Uint8Array;
}

/** Decodes an awareness update without parsing the states. Throws ProtocolError when malformed. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  try {
    const count = decoding.readVarUint(decoder);
    // Each entry takes at least three bytes: a count past that is a lie.
    if (count > update.length) throw new ProtocolError('awareness update claims more states than it holds');
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const length = decoding.readVarUint(decoder);
      if (length > update.length - decoder.pos) throw new ProtocolError('awareness state longer than the update');
      entries.push({ clientId, clock, json: decoding.readUint8Array(decoder, length) });
    }
    if (decoder.pos !== update.length) throw new ProtocolError('trailing bytes after the awareness states');
    return entries;
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError(`invalid awareness update: ${(error as Error).message}`);
  }
}

export function encodeAwarenessUpdate(entries: Iterable<AwarenessEntry>): Uint8Array {
  const list = [...entries];
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, list.length);
  for (const { clientId, clock, json } of list) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarUint8Array(encoder, json);
  }
  return encoding.toUint8Array(encoder);
}

const NULL_JSON = new TextEncoder().encode('null');

/** The JSON bytes of a client that left. */
export function nullState(): Uint8Array {
  return NULL_JSON;
}

export function isNullState(json: Uint8Array): boolean {
  return json.length === 4 && json[0] === 0x6e && json[1] === 0x75 && json[2] === 0x6c && json[3] === 0x6c;
}
