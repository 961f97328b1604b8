import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CloseCode, getRecordsMap, type CreatedBoard } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordCloses, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { boardSocketUrl, createBoard, startServer, tokenFor, type RunningServer } from '../support/server.js';
import { openRawSocket, withTimeout } from '../support/raw-socket.js';
import { readStoredBoard } from '../support/stored.js';
import { seededRandom } from '../support/random.js';

const MAX_MESSAGE_BYTES = 64 * 1024;
let server: RunningServer;
before(async () => {
  server = await startServer({ env: { MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) } });
});
after(async () => {
  await server.stop();
  server.cleanup();
});

function frame(...parts: (number | Uint8Array)[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const part of parts) {
    if (typeof part === 'number') encoding.writeVarUint(encoder, part);
    else encoding.writeUint8Array(encoder, part);
  }
  return encoding.toUint8Array(encoder);
}

function validUpdate(): Uint8Array {
  const doc = new Y.Doc();
  putShape(doc, 'shape:valid', 1, 2);
  return Y.encodeStateAsUpdate(doc);
}

const malformed: Record<string, Uint8Array> = {
  'empty frame': new Uint8Array(0),
  'truncated varint': Uint8Array.of(0x80),
  'truncated varint after sync type': Uint8Array.of(0x00, 0x80),
  'oversized varint': Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
  'unknown message type': frame(7),
  'auth message from a client': frame(2, 0),
  'unknown sync message type': frame(0, 9, 0),
  'update length larger than the frame': Uint8Array.of(0x00, 0x02, 0xff, 0x7f, 0x01, 0x02),
  'invalid Yjs update': frame(0, 2, 8, Uint8Array.of(0xff, 0x13, 0x37, 0, 1, 2, 3, 4)),
  'truncated Yjs update': (() => {
    const update = validUpdate();
    return frame(0, 2, update.length - 5, update.subarray(0, update.length - 5));
  })(),
  'valid update with trailing garbage': (() => {
    const update = validUpdate();
    return frame(0, 2, update.length, update, Uint8Array.of(1, 2, 3));
  })(),
  'invalid awareness update': frame(1, 5, Uint8Array.of(1, 200, 1, 1, 0xff)),
  'awareness update with invalid JSON': (() => {
    // one client: id 42, clock 1, state '{not json'
    const json = new TextEncoder().encode('{not json');
    const payload = frame(1, 42, 1, json.length, json);
    return frame(1, payload.length, payload);
  })(),
};
for (let seed = 1; seed <= 20; seed++) malformed[`random bytes #${seed}`] = seededRandom(seed).bytes(1 + (seed * 37) % 300);

test('malformed frames close only the sender; other clients keep working and the stored board is unchanged', async () => {
  const boardId = await createBoard(server);
  const a = connectClient(server.wsUrl, boardId);
  const b = connectClient(server.wsUrl, boardId);
  try {
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    const closes = [recordCloses(a.provider), recordCloses(b.provider)];
    putShape(a.doc, 'shape:before', 5, 5);
    await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, boardId)).size === 1, 'the first shape stored');
    const storedBefore = readStoredBoard(server.dataDir, boardId);

    for (const [name, bytes] of Object.entries(malformed)) {
      const raw = await openRawSocket(boardSocketUrl(server, boardId));
      raw.socket.send(bytes);
      const { code, reason } = await withTimeout(raw.closed, 5000, `close after "${name}"`);
      assert.equal(code, CloseCode.malformed, `${name}: closed with ${code} ${reason}`);
    }
    // A text frame is not part of the protocol either.
    const text = await openRawSocket(boardSocketUrl(server, boardId));
    text.socket.send('hello');
    assert.equal((await withTimeout(text.closed, 5000, 'close after a text frame')).code, CloseCode.malformed);

    // The good clients were never disconnected and still converge.
    assert.deepEqual(closes, [[], []], 'the good clients were never disconnected');
    putShape(b.doc, 'shape:after', 6, 6);
    await waitFor(() => 'shape:after' in recordsOf(a.doc), 'an edit after the attack to reach A');
    assert.deepEqual(recordsOf(a.doc), recordsOf(b.doc));
    assert.deepEqual(Object.keys(recordsOf(a.doc)).sort(), ['shape:after', 'shape:before']);

    // Storage holds exactly the good edits: nothing from any malformed frame.
    await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, boardId)).size === 2, 'the second good shape stored');
    const storedAfter = readStoredBoard(server.dataDir, boardId);
    assert.deepEqual(getRecordsMap(storedAfter).get('shape:before'), getRecordsMap(storedBefore).get('shape:before'));
    assert.deepEqual(getRecordsMap(storedAfter).toJSON(), recordsOf(a.doc));
  } finally {
    closeAll(a.provider, b.provider);
  }
});

test('a frame over the size limit closes that connection with 1009', async () => {
  const boardId = await createBoard(server);
  const raw = await openRawSocket(boardSocketUrl(server, boardId));
  raw.socket.send(new Uint8Array(MAX_MESSAGE_BYTES + 1));
  assert.equal((await withTimeout(raw.closed, 5000, 'close after an oversized frame')).code, 1009);
});

test('bad and unknown board ids are refused with a close code and a reason', async () => {
  const bad = await openRawSocket(`${server.wsUrl}/not-a-board`);
  const badClose = await withTimeout(bad.closed, 5000, 'close for a bad id');
  assert.equal(badClose.code, CloseCode.badBoardId);
  assert.equal(badClose.reason, 'invalid board id');
  const other = await createBoard(server);
  const unknown = await openRawSocket(`${server.wsUrl}/0000000000000a?token=${tokenFor(other)}`);
  const unknownClose = await withTimeout(unknown.closed, 5000, 'close for an unknown board');
  assert.equal(unknownClose.code, CloseCode.unknownBoard);
  assert.equal(unknownClose.reason, 'board not found');
  // A board that exists but that the token does not open is a 4401.
  const wrongToken = await openRawSocket(`${server.wsUrl}/${other}?token=${tokenFor(await createBoard(server))}`);
  assert.equal((await withTimeout(wrongToken.closed, 5000, 'close for a foreign token')).code, CloseCode.unauthorized);
});

test('a peer that vanishes without a goodbye is removed from everyone\'s awareness', async () => {
  const boardId = await createBoard(server);
  const watcher = connectClient(server.wsUrl, boardId);
  try {
    await waitForSync(watcher.provider);
    const ghostDoc = new Y.Doc();
    const ghostAwareness = new awarenessProtocol.Awareness(ghostDoc);
    ghostAwareness.setLocalState({ user: { id: 'ghost', name: 'Ghost', color: '#000' } });
    const raw = await openRawSocket(boardSocketUrl(server, boardId));
    const update = awarenessProtocol.encodeAwarenessUpdate(ghostAwareness, [ghostDoc.clientID]);
    raw.socket.send(frame(1, update.length, update));
    await waitFor(() => watcher.provider.awareness.getStates().has(ghostDoc.clientID), 'the ghost to appear');
    raw.socket.terminate();
    await waitFor(() => !watcher.provider.awareness.getStates().has(ghostDoc.clientID), 'the ghost to be removed');
    ghostDoc.destroy();
  } finally {
    closeAll(watcher.provider);
  }
});

test('REST input is validated with clear 4xx answers', async () => {
  const post = (body: string, type = 'application/json') =>
    fetch(`${server.url}/api/boards`, { method: 'POST', headers: { 'content-type': type }, body });
  const tooLong = await post(JSON.stringify({ title: 'x'.repeat(201) }));
  assert.equal(tooLong.status, 400);
  assert.match(((await tooLong.json()) as { message: string }).message, /title/);
  assert.equal((await post('{"title": ')).status, 400);
  assert.equal((await post(JSON.stringify({ title: 5 }))).status, 400);
  assert.equal((await post(JSON.stringify({ title: 'ok', extra: true }))).status, 400);
  const created = await post(JSON.stringify({ title: '  Q3 roadmap  ' }));
  assert.equal(created.status, 201);
  const board = (await created.json()) as { id: string; title: string; createdAt: string };
  assert.equal(board.title, 'Q3 roadmap');
  assert.ok(!Number.isNaN(Date.parse(board.createdAt)));

  const auth = { authorization: `Bearer ${(board as unknown as CreatedBoard).links.view.token}` };
  const found = await fetch(`${server.url}/api/boards/${board.id}`, { headers: auth });
  assert.equal(found.status, 200);
  assert.deepEqual(await found.json(), { id: board.id, title: board.title, createdAt: board.createdAt, role: 'viewer' });
  const badId = await fetch(`${server.url}/api/boards/NOT_AN_ID`, { headers: auth });
  assert.equal(badId.status, 400);
  assert.equal(((await badId.json()) as { message: string }).message, 'invalid board id');
  const missing = await fetch(`${server.url}/api/boards/0000000000000a`, { headers: auth });
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { message: string }).message, 'board not found');
  const unknownRoute = await fetch(`${server.url}/api/nothing-here`);
  assert.equal(unknownRoute.status, 404);
});
