import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as encoding from 'lib0/encoding';
import { ProtocolError, decodeFrame, encodeAwarenessMessage, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './frame.js';
import { decodeAwarenessUpdate, encodeAwarenessUpdate } from './awareness.js';
import { stampRole } from './role-stamp.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

test('frames the relay encodes decode to what they carry', () => {
  const payload = Uint8Array.of(1, 2, 3);
  assert.deepEqual(decodeFrame(encodeSyncStep1(payload), true), { kind: 'sync-step1', stateVector: payload });
  assert.deepEqual(decodeFrame(encodeSyncStep2(payload), true), { kind: 'update', update: payload });
  assert.deepEqual(decodeFrame(encodeUpdate(payload), true), { kind: 'update', update: payload });
  assert.deepEqual(decodeFrame(encodeAwarenessMessage(payload), true), { kind: 'awareness', update: payload });
  assert.deepEqual(decodeFrame(Uint8Array.of(3), true), { kind: 'query-awareness' });
});

test('a viewer\'s document update is refused from its first two bytes, its payload never read', () => {
  // The length claims far more than the frame holds: reading the payload would throw.
  assert.deepEqual(decodeFrame(Uint8Array.of(0, 2, 0xff, 0xff, 0x7f), false), { kind: 'refused-update' });
  assert.deepEqual(decodeFrame(Uint8Array.of(0, 1, 0xff, 0xff, 0x7f), false), { kind: 'refused-update' });
  assert.throws(() => decodeFrame(Uint8Array.of(0, 2, 0xff, 0xff, 0x7f), true), ProtocolError);
  // Reading is allowed to viewers.
  assert.equal(decodeFrame(encodeSyncStep1(Uint8Array.of(0)), false).kind, 'sync-step1');
});

test('malformed frames are refused with ProtocolError', () => {
  const cases = {
    empty: new Uint8Array(0),
    'truncated varint': Uint8Array.of(0x80),
    'unknown type': Uint8Array.of(7),
    'unknown sync type': Uint8Array.of(0, 9, 0),
    'length past the frame': Uint8Array.of(0, 2, 10, 1, 2),
    'trailing bytes': Uint8Array.of(0, 2, 1, 0, 9),
    'query with trailing bytes': Uint8Array.of(3, 0),
  };
  for (const [name, frame] of Object.entries(cases)) assert.throws(() => decodeFrame(frame, true), ProtocolError, name);
});

test('awareness updates round-trip without parsing the states, and lies are refused', () => {
  const entries = [
    { clientId: 1, clock: 3, json: bytes('{"user":{"name":"Ann"}}') },
    { clientId: 99999, clock: 1, json: bytes('null') },
  ];
  const decoded = decodeAwarenessUpdate(encodeAwarenessUpdate(entries));
  assert.deepEqual(decoded.map((e) => ({ ...e, json: text(e.json) })), entries.map((e) => ({ ...e, json: text(e.json) })));
  const lying = encoding.createEncoder();
  encoding.writeVarUint(lying, 1_000_000);
  assert.throws(() => decodeAwarenessUpdate(encoding.toUint8Array(lying)), ProtocolError);
  assert.throws(() => decodeAwarenessUpdate(Uint8Array.of(1, 1, 1, 200, 1)), ProtocolError);
});

test('the role stamp overrides whatever role a state claims, and refuses what is not JSON', () => {
  const stamped = JSON.parse(text(stampRole(bytes('{"user":{"name":"Vic","role":"owner"},"cursor":1}'), 'viewer')));
  assert.deepEqual(stamped, { user: { name: 'Vic', role: 'viewer' }, cursor: 1 });
  assert.deepEqual(JSON.parse(text(stampRole(bytes('{}'), 'editor'))), { user: { role: 'editor' } });
  assert.equal(text(stampRole(bytes('null'), 'editor')), 'null');
  assert.throws(() => stampRole(bytes('{not json'), 'editor'), ProtocolError);
});
