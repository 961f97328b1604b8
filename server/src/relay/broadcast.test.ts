import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { Broadcaster } from './broadcast.js';
import type { Connection } from './connection.js';
import { decodeFrame } from '../protocol/frame.js';

/** A peer that records what it is sent, and how many socket writes that took. */
function peer(name: string) {
  const received: string[] = [];
  let writes = 0;
  const kind = (message: Uint8Array) => decodeFrame(message, true).kind;
  const connection = {
    name,
    received,
    get writes() {
      return writes;
    },
    send(message: Uint8Array) {
      writes++;
      received.push(kind(message));
    },
    sendBoth(first: Uint8Array, second: Uint8Array) {
      writes++;
      received.push(kind(first), kind(second));
    },
  };
  return connection;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const encodePresence = () => Uint8Array.of(0);

function update(): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('m').set('k', 1);
  return Y.encodeStateAsUpdate(doc);
}

test('a quiet server sends presence at the end of the turn it arrived in, with that turn\'s document update in the same write', async () => {
  const a = peer('a');
  const b = peer('b');
  const peers = new Set([a, b]) as unknown as Set<Connection>;
  const broadcaster = new Broadcaster(peers, 20, { busy: false }, encodePresence);
  broadcaster.update(update(), a);
  broadcaster.awareness([1]);
  await turn();
  // a authored the update: it gets only the presence; b gets both in one write.
  assert.deepEqual(a.received, ['awareness']);
  assert.deepEqual(b.received, ['update', 'awareness']);
  assert.equal(b.writes, 1);
  // A burst of cursor moves, one per turn, is not held back by a window.
  for (let i = 0; i < 5; i++) {
    broadcaster.awareness([1]);
    await turn();
  }
  assert.equal(b.received.filter((kind) => kind === 'awareness').length, 6);
  broadcaster.destroy();
});

test('a busy server spaces a board\'s presence messages by the window, changes meanwhile going out together', async () => {
  const a = peer('a');
  const peers = new Set([a]) as unknown as Set<Connection>;
  const load = { busy: true };
  const broadcaster = new Broadcaster(peers, 40, load, encodePresence);
  // The burst allowance first.
  for (let i = 0; i < 8; i++) {
    broadcaster.awareness([i]);
    await turn();
  }
  assert.equal(a.received.length, 8);
  for (let i = 0; i < 5; i++) {
    broadcaster.awareness([100 + i]);
    await turn();
  }
  assert.equal(a.received.length, 8, 'held until the window has passed');
  await new Promise((resolve) => setTimeout(resolve, 60));
  await turn();
  assert.equal(a.received.length, 9, `the held changes went out as one message (${a.received.length})`);
  broadcaster.destroy();
});

test('on a busy server arrivals and departures wait one window to go out together; a cursor move sends them at once', async () => {
  const a = peer('a');
  const peers = new Set([a]) as unknown as Set<Connection>;
  const load = { busy: false };
  const broadcaster = new Broadcaster(peers, 30, load, encodePresence);
  // Quiet: an arrival goes out at the end of its turn, like a move.
  broadcaster.awareness([99], false);
  await turn();
  assert.equal(a.received.length, 1, 'a quiet server sends an arrival at once');
  a.received.length = 0;
  await new Promise((resolve) => setTimeout(resolve, 45));
  load.busy = true;
  // Ten people join in ten turns: nothing yet, then one message for all of them.
  for (let i = 0; i < 10; i++) {
    broadcaster.awareness([i], false);
    await turn();
  }
  assert.equal(a.received.length, 0, 'arrivals are held for the window');
  await new Promise((resolve) => setTimeout(resolve, 45));
  await turn();
  assert.deepEqual(a.received, ['awareness'], 'one presence message for the ten arrivals');
  // A departure is pending when someone moves their cursor: both go at the end of that turn.
  broadcaster.awareness([3], false);
  broadcaster.awareness([4]);
  await turn();
  assert.deepEqual(a.received, ['awareness', 'awareness']);
  await new Promise((resolve) => setTimeout(resolve, 45));
  assert.equal(a.received.length, 2, 'nothing left over after the window');
  broadcaster.destroy();
});
