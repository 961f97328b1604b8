import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as Y from 'yjs';
import { closeAll, connectClient, putShape, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoard, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

test('two stock y-websocket clients converge through the real server', async () => {
  const boardId = await createBoard(server);
  const a = connectClient(server.wsUrl, boardId);
  const b = connectClient(server.wsUrl, boardId);
  try {
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    putShape(a.doc, 'shape:from-a', 10, 20);
    putShape(b.doc, 'shape:from-b', 30, 40);
    await waitFor(() => Object.keys(recordsOf(a.doc)).length === 2 && Object.keys(recordsOf(b.doc)).length === 2, 'both shapes on both clients');
    assert.deepEqual(recordsOf(a.doc), recordsOf(b.doc));
    // Concurrent edits of the same record converge to one value on both sides.
    putShape(a.doc, 'shape:same', 1, 1);
    putShape(b.doc, 'shape:same', 2, 2);
    // Equal records are not enough: the write that lost the conflict may still be on its way.
    const stateOf = (doc: Y.Doc) => Y.decodeStateVector(Y.encodeStateVector(doc));
    await waitFor(
      () => isDeepStrictEqual(recordsOf(a.doc), recordsOf(b.doc)) && 'shape:same' in recordsOf(a.doc) && isDeepStrictEqual(stateOf(a.doc), stateOf(b.doc)),
      'convergence',
    );
    assert.equal((recordsOf(a.doc)['shape:same'] as { x: number }).x, (recordsOf(b.doc)['shape:same'] as { x: number }).x);
    assert.deepEqual(Y.decodeStateVector(Y.encodeStateVector(a.doc)), Y.decodeStateVector(Y.encodeStateVector(b.doc)));
  } finally {
    closeAll(a.provider, b.provider);
  }
});

test('a client joining late receives everything', async () => {
  const boardId = await createBoard(server);
  const a = connectClient(server.wsUrl, boardId);
  const b = connectClient(server.wsUrl, boardId);
  try {
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    for (let i = 0; i < 50; i++) putShape(i % 2 ? a.doc : b.doc, `shape:${i}`, i, i);
    await waitFor(() => Object.keys(recordsOf(a.doc)).length === 50 && Object.keys(recordsOf(b.doc)).length === 50, 'fifty shapes on both');
    const late = connectClient(server.wsUrl, boardId);
    try {
      await waitForSync(late.provider);
      await waitFor(() => Object.keys(recordsOf(late.doc)).length === 50, 'the late client to have all fifty shapes');
      assert.deepEqual(recordsOf(late.doc), recordsOf(a.doc));
    } finally {
      closeAll(late.provider);
    }
  } finally {
    closeAll(a.provider, b.provider);
  }
});

test('awareness is relayed, and a departed client is removed from everyone\'s awareness', async () => {
  const boardId = await createBoard(server);
  const a = connectClient(server.wsUrl, boardId);
  const b = connectClient(server.wsUrl, boardId);
  try {
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    a.provider.awareness.setLocalStateField('user', { id: 'u-a', name: 'Ada', color: '#e03131' });
    const aId = a.doc.clientID;
    await waitFor(() => (b.provider.awareness.getStates().get(aId) as { user?: { name: string } } | undefined)?.user?.name === 'Ada', 'Ada in B\'s awareness');
    a.provider.destroy();
    await waitFor(() => !b.provider.awareness.getStates().has(aId), 'Ada removed from B\'s awareness after she left');
  } finally {
    closeAll(a.provider, b.provider);
  }
});

test('a busy board: twelve stock clients moving cursors all stay connected and see each other', async () => {
  // The stock client echoes every awareness state it receives back to the server; the
  // per-connection limit on awareness ids must not mistake that for a flood.
  const boardId = await createBoard(server);
  const clients = Array.from({ length: 12 }, () => connectClient(server.wsUrl, boardId));
  try {
    await Promise.all(clients.map((c) => waitForSync(c.provider)));
    const closes: number[] = [];
    for (const c of clients) c.provider.on('connection-close', (event) => closes.push(event?.code ?? -1));
    for (let round = 0; round < 3; round++) {
      clients.forEach((c, i) => c.provider.awareness.setLocalStateField('cursor', { x: i, y: round }));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await waitFor(
      () => clients.every((c) => [...c.provider.awareness.getStates().values()].filter((s) => (s as { cursor?: { y: number } }).cursor?.y === 2).length === 12),
      'every client to see all twelve cursors',
    );
    assert.deepEqual(closes, []);
  } finally {
    closeAll(...clients.map((c) => c.provider));
  }
});
