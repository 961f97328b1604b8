// A hostile editor in its own process (so that its sending does not slow the test's measuring
// clients): floods a board with updates that can never be integrated, 75 frames of 100 kB then
// 600 tiny ones (the probe's pattern of issue 11), on a new connection each time the server
// cuts it off, until killed. Prints `closed <code> <frames>` for every connection cut off.
// Usage: node --import tsx unintegrable-flood.ts <board websocket url>
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';

const url = process.argv[2]!;
let nextClient = 5_000_000;

function unintegrable(bytes: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = nextClient++;
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const records = doc.getMap('tl_records');
  records.set('shape:base', { id: 'shape:base', typeName: 'shape' });
  records.set('shape:payload', { id: 'shape:payload', typeName: 'shape', blob: 'x'.repeat(bytes) });
  doc.destroy();
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, updates[1]!);
  return encoding.toUint8Array(encoder);
}

const frames = [...Array.from({ length: 75 }, () => unintegrable(100_000)), ...Array.from({ length: 600 }, () => unintegrable(10))];
console.log('ready');

for (;;) {
  const socket = new WebSocket(url);
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.once('open', resolve));
  let sent = 0;
  for (const frame of frames) {
    if (socket.readyState !== socket.OPEN) break;
    socket.send(frame);
    sent++;
  }
  console.log(`closed ${await closed} ${sent}`);
}
