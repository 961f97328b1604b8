import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as Y from 'yjs';
import WebSocket, { WebSocketServer } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import Fastify from 'fastify';
import { CloseCode, getRecordsMap, type Role } from '@planboard/shared';
import { Relay, NotStoredError } from './relay.js';
import type { Extension } from './hooks.js';
import { originKind, remoteOrigin, type OriginKind } from './origins.js';
import { MemoryBoardStore } from '../extensions/persistence/memory-store.js';
import { persistence } from '../extensions/persistence/extension.js';
import { Access } from '../extensions/auth/access.js';
import { auth } from '../extensions/auth/extension.js';
import { issueLink } from '../extensions/auth/issue-link.js';
import type { BoardLimits } from './board.js';

// The relay core with its real extensions (persistence on an in-memory store, auth), real
// websockets, and stock y-websocket clients: no build, no disk.

const log = Fastify({ logger: false }).log;
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Harness {
  relay: Relay;
  store: MemoryBoardStore;
  url: string;
  createBoard(): Promise<{ id: string; tokens: Record<Role, string>; linkIds: Record<Role, string> }>;
  connect(boardId: string, token: string): { doc: Y.Doc; provider: WebsocketProvider };
}

async function startRelay(options: { extensions?: Extension[]; limits?: Partial<BoardLimits>; boardIdleMs?: number } = {}): Promise<Harness> {
  const store = new MemoryBoardStore();
  const relay = new Relay({
    log,
    extensions: [
      persistence({ store, log, flushIntervalMs: 5, compactAfterUpdates: 1000 }),
      auth(new Access(store, { failuresPerMinute: 1000 })),
      ...(options.extensions ?? []),
    ],
    limits: {
      maxBufferedBytes: 16 * 1024 * 1024,
      maxEarlyFrames: 256,
      maxBoardBytes: 8 * 1024 * 1024,
      maxPendingBytesPerBoard: 256 * 1024,
      maxPendingBytesPerConnection: 64 * 1024,
      maxPendingUpdatesPerConnection: 16,
      maxAwarenessIdsPerConnection: 4,
      maxAwarenessStateBytes: 16 * 1024,
      awarenessWindowMs: 10,
      ...options.limits,
    },
    boardIdleMs: options.boardIdleMs ?? 50,
    pingIntervalMs: 60_000,
  });
  const http = createServer();
  const server = new WebSocketServer({ server: http });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  server.on('connection', (socket, request) => {
    const url = new URL(request.url!, 'http://relay');
    relay.connect(socket, { boardId: url.pathname.slice(1), token: url.searchParams.get('token') ?? undefined, address: '127.0.0.1', log });
  });
  const providers: WebsocketProvider[] = [];
  cleanups.push(async () => {
    for (const provider of providers) {
      provider.destroy();
      provider.doc.destroy();
    }
    await relay.close();
    for (const client of server.clients) client.terminate();
    server.close();
    http.closeAllConnections();
    http.close();
    http.unref();
  });
  const { port } = http.address() as { port: number };
  let boards = 0;
  return {
    relay,
    store,
    url: `ws://127.0.0.1:${port}`,
    async createBoard() {
      const id = `board${String(boards++).padStart(9, '0')}`;
      await store.createBoard({ id, title: 'Test', createdAt: new Date().toISOString() }, [], null);
      const tokens = {} as Record<Role, string>;
      const linkIds = {} as Record<Role, string>;
      for (const role of ['owner', 'editor', 'viewer'] as const) {
        const link = await issueLink(store, id, role);
        tokens[role] = link.token;
        linkIds[role] = link.id;
      }
      return { id, tokens, linkIds };
    },
    connect(boardId, token) {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(`ws://127.0.0.1:${port}`, boardId, doc, {
        WebSocketPolyfill: WebSocket as never,
        params: { token },
        disableBc: true,
      });
      providers.push(provider);
      return { doc, provider };
    },
  };
}

async function waitFor(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const synced = (provider: WebsocketProvider) => waitFor(() => provider.synced, 'sync');

function putRecord(doc: Y.Doc, id: string, value = 1): void {
  getRecordsMap(doc).set(id, { id, typeName: 'shape', value });
}

async function storedDoc(store: MemoryBoardStore, boardId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  for (const update of await store.loadUpdates(boardId)) Y.applyUpdate(doc, update);
  return doc;
}

/** An extension that records the origin of every change and presence change it sees. */
function spy(): Extension & { changes: OriginKind[]; awareness: OriginKind[] } {
  const changes: OriginKind[] = [];
  const awareness: OriginKind[] = [];
  return {
    name: 'spy',
    changes,
    awareness,
    onChange: (_board, _update, origin) => void changes.push(originKind(origin)),
    onAwareness: (_board, _change, origin) => void awareness.push(originKind(origin)),
  };
}

test('peers edit together; their changes are stored with the peer origin, and the board unloads compacted', async () => {
  const recorder = spy();
  const { relay, store, createBoard, connect } = await startRelay({ extensions: [recorder] });
  const board = await createBoard();
  const alice = connect(board.id, board.tokens.editor);
  const bob = connect(board.id, board.tokens.owner);
  await Promise.all([synced(alice.provider), synced(bob.provider)]);
  putRecord(alice.doc, 'shape:a');
  await waitFor(() => getRecordsMap(bob.doc).has('shape:a'), 'bob sees alice\'s shape');
  assert.deepEqual([...new Set(recorder.changes)], ['peer']);
  alice.provider.destroy();
  bob.provider.destroy();
  await waitFor(() => relay.size === 0, 'the board unloads once nobody is on it');
  const log = await store.loadUpdates(board.id);
  assert.equal(log.length, 1, 'compacted into one snapshot');
  assert.ok(getRecordsMap(await storedDoc(store, board.id)).has('shape:a'));
  assert.equal(await relay.read(board.id, (doc) => getRecordsMap(doc).has('shape:a')), true, 'read loads it again');
});

test('relay.change: one server transaction, sent to every peer, resolved once stored; null for no board', async () => {
  const recorder = spy();
  const { relay, store, createBoard, connect } = await startRelay({ extensions: [recorder] });
  const board = await createBoard();
  const alice = connect(board.id, board.tokens.editor);
  await synced(alice.provider);
  const result = await relay.change(board.id, (doc) => {
    putRecord(doc, 'shape:server-1');
    putRecord(doc, 'shape:server-2');
    return 'done';
  });
  assert.equal(result, 'done');
  // Durable when the promise resolves: the store already has it.
  assert.ok(getRecordsMap(await storedDoc(store, board.id)).has('shape:server-2'));
  assert.deepEqual(recorder.changes, ['server'], 'one transaction, the server origin');
  await waitFor(() => getRecordsMap(alice.doc).has('shape:server-1'), 'the peer gets the server change');
  assert.equal(await relay.change('nosuchboard00', () => 1), null);
  assert.equal(await relay.read('nosuchboard00', () => 1), null);
});

test('relay.change rejects with NotStoredError while storage fails; the change stays and is stored on recovery', async () => {
  const { relay, store, createBoard, connect } = await startRelay();
  const board = await createBoard();
  const alice = connect(board.id, board.tokens.editor);
  await synced(alice.provider);
  store.failWrites = new Error('disk full');
  await assert.rejects(relay.change(board.id, (doc) => putRecord(doc, 'shape:kept')), NotStoredError);
  await waitFor(() => getRecordsMap(alice.doc).has('shape:kept'), 'the peer has the change');
  // The peers are told through the server's presence.
  await waitFor(
    () => [...alice.provider.awareness.getStates().values()].some((state) => (state as { server?: unknown }).server !== undefined),
    'storage warning in presence',
  );
  store.failWrites = null;
  await waitFor(() => false === [...alice.provider.awareness.getStates().values()].some((state) => (state as { server?: unknown }).server), 'warning cleared', 5000);
  assert.ok(getRecordsMap(await storedDoc(store, board.id)).has('shape:kept'));
});

test('remote updates and presence reach local peers, but are neither stored again nor reported as local', async () => {
  const recorder = spy();
  const { relay, store, createBoard, connect } = await startRelay({ extensions: [recorder] });
  const board = await createBoard();
  const alice = connect(board.id, board.tokens.editor);
  await synced(alice.provider);
  const elsewhere = new Y.Doc();
  putRecord(elsewhere, 'shape:remote');
  relay.get(board.id)!.applyRemoteUpdate(Y.encodeStateAsUpdate(elsewhere));
  await waitFor(() => getRecordsMap(alice.doc).has('shape:remote'), 'the peer gets the remote update');
  assert.deepEqual(recorder.changes, ['remote']);
  await relay.change(board.id, () => undefined);
  assert.equal(getRecordsMap(await storedDoc(store, board.id)).has('shape:remote'), false, 'the instance that received it stores it');

  const { Awareness, encodeAwarenessUpdate } = await import('y-protocols/awareness');
  const remotePresence = new Awareness(new Y.Doc());
  remotePresence.setLocalState({ user: { name: 'Remote Rita' } });
  relay.get(board.id)!.applyRemoteAwareness(encodeAwarenessUpdate(remotePresence, [remotePresence.clientID]));
  await waitFor(() => (alice.provider.awareness.getStates().get(remotePresence.clientID) as { user?: { name?: string } } | undefined)?.user?.name === 'Remote Rita', 'remote presence');
  assert.ok(recorder.awareness.includes('remote'));
  remotePresence.destroy();
});

test('deleting a board closes its peers with 4410 and tells the extensions; a remote deletion leaves the store alone', async () => {
  const deleted: [string, OriginKind][] = [];
  const { relay, store, createBoard, connect } = await startRelay({
    extensions: [{ name: 'watch', onBoardDeleted: (id, origin) => void deleted.push([id, originKind(origin)]) }],
  });
  const board = await createBoard();
  const alice = connect(board.id, board.tokens.editor);
  await synced(alice.provider);
  const closed = new Promise<number>((resolve) => alice.provider.ws!.addEventListener('close', (event) => resolve(event.code)));
  await relay.deleteBoard(board.id);
  assert.equal(await closed, CloseCode.boardDeleted);
  assert.equal(await store.getBoard(board.id), null);
  assert.equal(relay.size, 0);

  const other = await createBoard();
  await relay.deleteBoard(other.id, remoteOrigin);
  assert.ok(await store.getBoard(other.id), 'another instance deleted it from the shared store');
  assert.deepEqual(deleted, [[board.id, 'server'], [other.id, 'remote']]);
});

test('revoking a link closes its sessions only', async () => {
  const { relay, createBoard, connect } = await startRelay();
  const board = await createBoard();
  const viewer = connect(board.id, board.tokens.viewer);
  const editor = connect(board.id, board.tokens.editor);
  await Promise.all([synced(viewer.provider), synced(editor.provider)]);
  const closed = new Promise<number>((resolve) => viewer.provider.ws!.addEventListener('close', (event) => resolve(event.code)));
  viewer.provider.shouldConnect = false;
  relay.revokeLink(board.id, board.linkIds.viewer);
  assert.equal(await closed, CloseCode.unauthorized);
  assert.equal(editor.provider.wsconnected, true);
});

test('beforeApplyUpdate refuses a peer\'s update before it touches the document', async () => {
  const guard: Extension = {
    name: 'guard',
    beforeApplyUpdate(_board, update) {
      const probe = new Y.Doc();
      Y.applyUpdate(probe, update);
      if (getRecordsMap(probe).has('shape:forbidden')) return { closeCode: 4422, message: 'no forbidden shapes' };
    },
  };
  const { relay, createBoard, connect } = await startRelay({ extensions: [guard] });
  const board = await createBoard();
  const alice = connect(board.id, board.tokens.editor);
  const bob = connect(board.id, board.tokens.editor);
  await Promise.all([synced(alice.provider), synced(bob.provider)]);
  alice.provider.shouldConnect = false;
  const closed = new Promise<number>((resolve) => alice.provider.ws!.addEventListener('close', (event) => resolve(event.code)));
  putRecord(alice.doc, 'shape:forbidden');
  assert.equal(await closed, 4422);
  putRecord(bob.doc, 'shape:fine');
  await waitFor(() => relay.get(board.id) !== undefined && getRecordsMap(relay.get(board.id)!.doc).has('shape:fine'), 'bob\'s edit applies');
  assert.equal(getRecordsMap(relay.get(board.id)!.doc).has('shape:forbidden'), false);
});

test('a viewer joins and reads, and its writes are dropped unread', async () => {
  const { relay, createBoard, connect } = await startRelay();
  const board = await createBoard();
  const editor = connect(board.id, board.tokens.editor);
  const viewer = connect(board.id, board.tokens.viewer);
  await Promise.all([synced(editor.provider), synced(viewer.provider)]);
  putRecord(editor.doc, 'shape:e');
  await waitFor(() => getRecordsMap(viewer.doc).has('shape:e'), 'the viewer reads');
  const dropped = relay.stats.viewerWritesDropped;
  putRecord(viewer.doc, 'shape:v');
  await waitFor(() => relay.stats.viewerWritesDropped > dropped, 'the viewer\'s write is dropped');
  assert.equal(getRecordsMap(relay.get(board.id)!.doc).has('shape:v'), false);
});

/** A bare websocket speaking raw frames. */
async function rawSocket(url: string, boardId: string, token: string): Promise<{ socket: WebSocket; received: Uint8Array[]; closed: Promise<number> }> {
  const socket = new WebSocket(`${url}/${boardId}?token=${token}`);
  cleanups.push(() => socket.terminate());
  const received: Uint8Array[] = [];
  socket.on('message', (data: Buffer) => received.push(new Uint8Array(data)));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.once('open', resolve));
  await waitFor(() => received.length > 0, 'the server greets');
  return { socket, received, closed };
}

function updateFrame(update: Uint8Array): Uint8Array {
  return Uint8Array.of(0, 2, ...lengthPrefix(update.length), ...update);
}

function lengthPrefix(length: number): number[] {
  const out: number[] = [];
  while (length > 0x7f) {
    out.push(0x80 | (length & 0x7f));
    length >>>= 7;
  }
  out.push(length);
  return out;
}

test('an update whose dependencies are missing waits outside the document and applies once they arrive', async () => {
  const { relay, url, createBoard } = await startRelay();
  const board = await createBoard();
  const raw = await rawSocket(url, board.id, board.tokens.editor);
  const author = new Y.Doc();
  const updates: Uint8Array[] = [];
  author.on('update', (update: Uint8Array) => updates.push(update));
  putRecord(author, 'shape:first');
  putRecord(author, 'shape:second');
  raw.socket.send(updateFrame(updates[1]!));
  await waitFor(() => relay.stats.updatesHeld === 1, 'held');
  const doc = relay.get(board.id)!.doc;
  assert.equal(getRecordsMap(doc).size, 0);
  const store = doc.store as unknown as { pendingStructs: unknown };
  assert.equal(store.pendingStructs, null, 'Yjs itself holds nothing');
  raw.socket.send(updateFrame(updates[0]!));
  await waitFor(() => getRecordsMap(doc).has('shape:second'), 'both applied once the first arrived');
  assert.ok(getRecordsMap(doc).has('shape:first'));
  raw.socket.close();
});

test('a connection that keeps sending updates the board cannot integrate is closed, and its held updates dropped', async () => {
  const { relay, url, createBoard } = await startRelay({ limits: { maxPendingUpdatesPerConnection: 8 } });
  const board = await createBoard();
  const raw = await rawSocket(url, board.id, board.tokens.editor);
  const author = new Y.Doc();
  const updates: Uint8Array[] = [];
  author.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < 20; i++) putRecord(author, `shape:${i}`);
  for (const update of updates.slice(1)) raw.socket.send(updateFrame(update));
  assert.equal(await raw.closed, CloseCode.malformed);
  const honest = await rawSocket(url, board.id, board.tokens.editor);
  // The held ones were dropped with the connection: the first update now applies alone.
  honest.socket.send(updateFrame(updates[0]!));
  await waitFor(() => getRecordsMap(relay.get(board.id)!.doc).has('shape:0'), 'the first applies');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(getRecordsMap(relay.get(board.id)!.doc).size, 1);
  honest.socket.close();
});
