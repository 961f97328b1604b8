import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { CloseCode, getRecordsMap } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { openRawSocket, withTimeout } from '../support/raw-socket.js';
import { readStoredBoard } from '../support/stored.js';
import { seededRandom } from '../support/random.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

function syncFrame(kind: 1 | 2, update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, kind);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

async function droppedWrites(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/planboard_viewer_writes_dropped_total (\d+)/.exec(text)?.[1] ?? 0);
}

test('a viewer sees everything live, but none of thousands of its writes is applied, stored or relayed', async () => {
  const board = await createBoardWithLinks(server, 'Roadmap');
  const a = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  const b = connectClient(server.wsUrl, board.id, undefined, board.links.owner.token);
  await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
  for (let i = 0; i < 10; i++) putShape(a.doc, `shape:${i}`, i, i);
  await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, board.id)).size === 10, 'ten shapes stored');
  await waitFor(() => getRecordsMap(b.doc).size === 10, 'B to have the ten shapes');
  const expected = recordsOf(a.doc);
  const droppedBefore = await droppedWrites();

  // 1. The stock client with offline content: its sync step 2 on connect carries real changes.
  const viewerDoc = new Y.Doc();
  putShape(viewerDoc, 'shape:from-viewer', 99, 99);
  getRecordsMap(viewerDoc).set('shape:0', { id: 'shape:0', typeName: 'shape', hijacked: true });
  const viewer = connectClient(server.wsUrl, board.id, viewerDoc, board.links.view.token);
  await waitForSync(viewer.provider);
  // ... and it keeps editing after joining.
  for (let i = 0; i < 50; i++) putShape(viewerDoc, `shape:viewer-${i}`, i, 0);
  getRecordsMap(viewerDoc).delete('shape:1');

  // 2. A raw viewer socket sends thousands of valid, crafted updates, as sync step 2 and update.
  const raw = await openRawSocket(`${server.wsUrl}/${board.id}?token=${board.links.view.token}`);
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(a.doc));
  const { next } = seededRandom(42);
  let sent = 0;
  for (let i = 0; i < 3000; i++) {
    const before = Y.encodeStateVector(replica);
    const map = getRecordsMap(replica);
    const pick = next();
    if (pick < 0.4) putShape(replica, `shape:${Math.floor(next() * 10)}`, next() * 1000, next() * 1000); // overwrite
    else if (pick < 0.6) map.delete(`shape:${Math.floor(next() * 10)}`); // delete an editor's shape
    else if (pick < 0.8) putShape(replica, `shape:new-${i}`, 0, 0); // add
    else replica.getMap('tl_meta').set('schema', { hijacked: i }); // rewrite document metadata
    const update = Y.encodeStateAsUpdate(replica, before);
    raw.socket.send(syncFrame(i % 2 === 0 ? 2 : 1, update)); // as an update, and as a sync step 2
    sent++;
    if (i % 50 === 0) {
      raw.socket.send(syncFrame(1, Y.encodeStateAsUpdate(replica))); // the whole replica as a step 2
      sent++;
    }
  }
  await waitFor(() => raw.socket.bufferedAmount === 0, 'the raw viewer to send everything');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(raw.socket.readyState === WebSocket.OPEN, 'dropping, not closing: the viewer stays connected');
  assert.ok((await droppedWrites()) - droppedBefore >= sent, `at least ${sent} writes counted as dropped`);

  // The viewer still receives live changes from editors.
  putShape(a.doc, 'shape:live', 1, 1);
  await waitFor(() => 'shape:live' in recordsOf(viewerDoc), 'the viewer to see a live edit');
  const expectedAfter = { ...expected, 'shape:live': recordsOf(a.doc)['shape:live'] };

  // Nothing of the viewer reached the editors or the disk.
  await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, board.id)).size === 11, 'the live edit stored');
  assert.deepEqual(recordsOf(a.doc), expectedAfter);
  assert.deepEqual(recordsOf(b.doc), expectedAfter);
  const stored = readStoredBoard(server.dataDir, board.id);
  assert.deepEqual(getRecordsMap(stored).toJSON(), expectedAfter);
  assert.equal(stored.getMap('tl_meta').get('schema'), undefined);
  // A fresh editor sees the same: the server's in-memory board is clean too.
  const fresh = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  await waitForSync(fresh.provider);
  assert.deepEqual(recordsOf(fresh.doc), expectedAfter);
  raw.socket.close();
  closeAll(a.provider, b.provider, viewer.provider, fresh.provider);
});

test('a viewer\'s document frames are dropped unread; its malformed frames close only that connection', async () => {
  const board = await createBoardWithLinks(server);
  const { next } = seededRandom(7);
  for (let i = 0; i < 10; i++) {
    const raw = await openRawSocket(`${server.wsUrl}/${board.id}?token=${board.links.view.token}`);
    const garbage = Uint8Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256));
    // A viewer may not write: its update is dropped before its payload is read, garbage or not.
    raw.socket.send(syncFrame(2, garbage));
    // An unknown message type is malformed whoever sends it.
    raw.socket.send(Uint8Array.of(7, ...garbage));
    assert.equal((await withTimeout(raw.closed, 5000, 'close after garbage')).code, CloseCode.malformed);
  }
});

test('a viewer appears in presence, marked as a viewer whatever it claims', async () => {
  const board = await createBoardWithLinks(server);
  const editor = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  const viewer = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
  await Promise.all([waitForSync(editor.provider), waitForSync(viewer.provider)]);
  viewer.provider.awareness.setLocalStateField('user', { id: 'v', name: 'Stakeholder', color: '#123456', role: 'owner' });
  editor.provider.awareness.setLocalStateField('user', { id: 'e', name: 'Editor', color: '#654321' });
  type State = { user?: { name?: string; role?: string } };
  const stateOf = (provider: typeof editor.provider, clientId: number) => provider.awareness.getStates().get(clientId) as State | undefined;
  await waitFor(() => stateOf(editor.provider, viewer.doc.clientID)?.user?.name === 'Stakeholder', 'the viewer in the editor\'s presence');
  assert.equal(stateOf(editor.provider, viewer.doc.clientID)?.user?.role, 'viewer');
  await waitFor(() => stateOf(viewer.provider, editor.doc.clientID)?.user?.name === 'Editor', 'the editor in the viewer\'s presence');
  assert.equal(stateOf(viewer.provider, editor.doc.clientID)?.user?.role, 'editor');
  closeAll(editor.provider, viewer.provider);
});

test('failed token checks are rate limited per address', async () => {
  const limited = await startServer({ env: { AUTH_FAILURES_PER_MINUTE: '5' } });
  try {
    const board = await createBoardWithLinks(limited);
    const get = (token: string) => fetch(`${limited.url}/api/boards/${board.id}`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 5; i++) assert.equal((await get(`guess-${i}`)).status, 401);
    const refused = await get('guess-5');
    assert.equal(refused.status, 429, 'a wrong token is refused once the address is limited');
    assert.match(((await refused.json()) as { message: string }).message, /too many/);
    // Behind a shared address one guesser must not lock out everyone: a valid token still works.
    assert.equal((await get(board.links.view.token)).status, 200, 'a valid token is still accepted');
    const guesser = await openRawSocket(`${limited.wsUrl}/${board.id}?token=guess`);
    assert.equal((await withTimeout(guesser.closed, 5000, 'websocket refusal')).code, CloseCode.rateLimited);
    const valid = await openRawSocket(`${limited.wsUrl}/${board.id}?token=${board.links.view.token}`);
    await waitFor(() => valid.received.length > 0, 'the valid token\'s socket is answered');
    valid.socket.close();
  } finally {
    await limited.stop();
    limited.cleanup();
  }
});

test('security headers: a same-origin content security policy with configurable frame-ancestors', async () => {
  const response = await fetch(`${server.url}/healthz`);
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /connect-src 'self'/);
  assert.match(csp, /frame-ancestors 'self'/);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const embeddable = await startServer({ env: { FRAME_ANCESTORS: "'self',https://wiki.example.com" } });
  try {
    const embedded = (await fetch(`${embeddable.url}/healthz`)).headers.get('content-security-policy') ?? '';
    assert.match(embedded, /frame-ancestors 'self' https:\/\/wiki\.example\.com/);
  } finally {
    await embeddable.stop();
    embeddable.cleanup();
  }
});

test('websockets from foreign origins are refused unless ALLOWED_ORIGINS lists them', async () => {
  const board = await createBoardWithLinks(server);
  const url = `${server.wsUrl}/${board.id}?token=${board.links.edit.token}`;
  const open = (origin: string) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(url, { origin });
      socket.on('message', () => {
        socket.close();
        resolve(0);
      });
      socket.on('close', (code) => resolve(code));
      socket.on('error', () => undefined);
    });
  assert.equal(await open('http://evil.example.com'), CloseCode.forbidden);
  assert.equal(await open(server.url), 0, 'the server\'s own origin is accepted');
  const allowing = await startServer({ env: { ALLOWED_ORIGINS: 'https://plan.example.com' } });
  try {
    const other = await createBoardWithLinks(allowing);
    const socket = new WebSocket(`${allowing.wsUrl}/${other.id}?token=${other.links.edit.token}`, { origin: 'https://plan.example.com' });
    const first = await withTimeout(new Promise<boolean>((resolve) => socket.once('message', () => resolve(true))), 5000, 'allowed origin');
    assert.ok(first);
    socket.close();
  } finally {
    await allowing.stop();
    allowing.cleanup();
  }
});
