import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { CloseCode, getRecordsMap } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordCloses, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { openRawSocket } from '../support/raw-socket.js';
import { readStoredBoard } from '../support/stored.js';

// Defect 6 of issue 11: no limit on a board's size (three 5.5 MB editor updates took RSS from
// 283 to 596 MB), and a viewer's document frames were decoded before being dropped (each 5 MB
// frame cost ~0.5 s of the server's time).

const MAX_BOARD_BYTES = 256 * 1024;
let server: RunningServer;
before(async () => {
  server = await startServer({ env: { MAX_BOARD_BYTES: String(MAX_BOARD_BYTES) } });
});
after(async () => {
  await server.stop();
  server.cleanup();
});

/** A valid shape carrying `bytes` of data in its meta, written in one change. */
function putBlob(doc: Y.Doc, id: string, bytes: number): void {
  const scratch = new Y.Doc();
  putShape(scratch, id, 0, 0);
  const shape = getRecordsMap(scratch).get(id)!;
  scratch.destroy();
  getRecordsMap(doc).set(id, { ...shape, meta: { blob: 'x'.repeat(bytes) } });
}

test('a board stops growing at MAX_BOARD_BYTES: the writer is told and closed, nothing else is lost', async () => {
  const board = await createBoardWithLinks(server);
  const writer = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  const other = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  const reader = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
  try {
    await Promise.all([waitForSync(writer.provider), waitForSync(other.provider)]);
    const closes = recordCloses(writer.provider);
    // 20 kB records, one at a time, until the server refuses one.
    let written = 0;
    while (closes.length === 0 && written < 40) {
      putBlob(writer.doc, `shape:blob-${written}`, 20_000);
      written++;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await waitFor(() => closes.length > 0, 'the writer is closed');
    writer.provider.shouldConnect = false;
    assert.equal(closes[0], CloseCode.boardTooLarge);

    // Everything before the refused change is on the board, for the other peer and on disk.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const kept = getRecordsMap(other.doc).size;
    console.log(`MAX_BOARD_BYTES=${MAX_BOARD_BYTES}: ${kept} records of 20 kB kept, the ${kept + 1}th refused`);
    assert.ok(kept >= 8 && kept < written, `kept ${kept} of ${written} records`);
    assert.equal(getRecordsMap(other.doc).has(`shape:blob-${kept}`), false, 'the refused change is not on the board');
    await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, board.id)).size === kept, 'what was accepted is stored');
    // The board still works: a small edit of another peer is accepted.
    putShape(other.doc, 'shape:small', 1, 1);
    await waitForSync(reader.provider);
    await waitFor(() => getRecordsMap(reader.doc).has('shape:small'), 'a small edit still arrives');
  } finally {
    closeAll(writer.provider, other.provider, reader.provider);
  }
});

test('the writer is told why, in words, before the close', async () => {
  const board = await createBoardWithLinks(server);
  const raw = await openRawSocket(`${server.wsUrl}/${board.id}?token=${board.links.edit.token}`);
  const doc = new Y.Doc();
  putBlob(doc, 'shape:too-big', MAX_BOARD_BYTES + 1024);
  const update = Y.encodeStateAsUpdate(doc);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  raw.socket.send(encoding.toUint8Array(encoder));
  const { code, reason } = await raw.closed;
  assert.equal(code, CloseCode.boardTooLarge);
  assert.match(reason, /size limit \(256 KiB\)/);
  // y-websocket's "permission denied" message with the same words came first.
  const denied = raw.received.find((frame) => frame[0] === 2);
  assert.ok(denied, 'a permission-denied message');
  assert.match(new TextDecoder().decode(denied!), /size limit/);
});

test('a viewer\'s multi-megabyte document frames are dropped unread; the board\'s editors do not notice', async () => {
  const board = await createBoardWithLinks(server);
  const alice = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  const bob = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  await Promise.all([waitForSync(alice.provider), waitForSync(bob.provider)]);
  const viewer = await openRawSocket(`${server.wsUrl}/${board.id}?token=${board.links.view.token}`);
  // 5 MB frames that claim to be updates (garbage: decoding them would fail, slowly).
  const payload = new Uint8Array(5 * 1024 * 1024).fill(7);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, payload);
  const frame = encoding.toUint8Array(encoder);
  const latencies: number[] = [];
  for (let i = 0; i < 6; i++) {
    viewer.socket.send(frame);
    const started = performance.now();
    putShape(alice.doc, `shape:during-${i}`, i, i);
    await waitFor(() => getRecordsMap(bob.doc).has(`shape:during-${i}`), 'the edit arrives');
    latencies.push(performance.now() - started);
  }
  console.log(`editor latency while a viewer sends 5 MB document frames: ${latencies.map((l) => l.toFixed(0)).join(', ')} ms`);
  assert.ok(Math.max(...latencies) < 250, `edits took ${latencies.join(', ')} ms`);
  assert.equal(viewer.socket.readyState, viewer.socket.OPEN, 'dropped, not closed (the stock client sends a sync step 2 on every connect)');
  viewer.socket.close();
  closeAll(alice.provider, bob.provider);
});
