/**
 * Faults of a multi-instance deployment, each on a cluster of its own (three instances, one
 * PostgreSQL database, a private Redis, the round-robin balancer), with stock y-websocket clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { MessageType, SERVER_AWARENESS_FIELD, getRecordsMap, type ServerStatus } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks } from '../support/server.js';
import { startCluster } from './cluster.js';
import { servicesGate, startTcpProxy } from './services.js';

const skip = await servicesGate({ postgres: true }, 'multi-instance fault tests');

const shapeIds = (doc: Y.Doc) => Object.keys(recordsOf(doc)).filter((id) => id.startsWith('shape:')).sort();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every client makes a shape every `everyMs` until stopped; returns what each made. */
function keepEditing(clients: { doc: Y.Doc }[], everyMs: number) {
  const made: string[] = [];
  let round = 0;
  const timer = setInterval(() => {
    clients.forEach((client, i) => {
      const id = `shape:c${i}-r${round}`;
      putShape(client.doc, id, i, round);
      made.push(id);
    });
    round++;
  }, everyMs);
  return { made, stop: () => clearInterval(timer) };
}

test('kill -9 of one instance mid-edit: its clients reconnect through the balancer and nothing is lost', { skip }, async () => {
  const cluster = await startCluster(3);
  const board = await createBoardWithLinks(cluster.balancer, 'Crash');
  const clients = Array.from({ length: 6 }, () => connectClient(cluster.balancer.wsUrl, board.id));
  try {
    await Promise.all(clients.map((client) => waitForSync(client.provider)));
    const editing = keepEditing(clients, 25);
    await sleep(800);
    await cluster.instances[1]!.kill();
    await sleep(1_500);
    editing.stop();
    const expected = [...editing.made].sort();
    await waitFor(() => clients.every((client) => shapeIds(client.doc).length === expected.length), 'every client to converge on every shape', 20_000);
    for (const client of clients) assert.deepEqual(shapeIds(client.doc), expected);
    // Durable: what the dead instance had received but not stored is stored by a survivor (once its
    // heartbeat lapses) or sent again by its clients. Read PostgreSQL itself.
    let stored: string[] = [];
    for (const deadline = Date.now() + 40_000; Date.now() < deadline; await sleep(250)) {
      stored = shapeIds(await cluster.database.storedBoard(board.id));
      if (stored.length === expected.length) break;
    }
    assert.deepEqual(stored, expected, 'every shape made by anyone is in PostgreSQL');
  } finally {
    closeAll(...clients.map((client) => client.provider));
    await cluster.stop();
  }
});

test('Redis restarted mid-edit: instances keep serving and storing, then everybody converges without reconnecting', { skip }, async () => {
  const cluster = await startCluster(3);
  const board = await createBoardWithLinks(cluster.balancer, 'Redis restart');
  const clients = Array.from({ length: 6 }, () => connectClient(cluster.balancer.wsUrl, board.id));
  let disconnects = 0;
  try {
    await Promise.all(clients.map((client) => waitForSync(client.provider)));
    for (const client of clients) client.provider.on('status', ({ status }: { status: string }) => status === 'disconnected' && disconnects++);
    const editing = keepEditing(clients, 40);
    await sleep(500);
    await cluster.redis.kill();
    await sleep(1_500);
    // While Redis is away the instances drift apart: a client sees only its own instance's edits.
    const during = clients.map((client) => shapeIds(client.doc).length);
    await cluster.redis.start();
    await sleep(500);
    editing.stop();
    const expected = [...editing.made].sort();
    assert.ok(during.some((count) => count < expected.length), 'the instances did drift apart while Redis was down');
    await waitFor(() => clients.every((client) => shapeIds(client.doc).length === expected.length), 'every client to converge after Redis returned', 20_000);
    for (const client of clients) assert.deepEqual(shapeIds(client.doc), expected);
    assert.equal(disconnects, 0, 'no client had to reconnect (or reload)');
    let stored: string[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(200)) {
      stored = shapeIds(await cluster.database.storedBoard(board.id));
      if (stored.length === expected.length) break;
    }
    assert.deepEqual(stored, expected, 'every instance stored its own clients throughout');
  } finally {
    closeAll(...clients.map((client) => client.provider));
    await cluster.stop();
  }
});

/** A bare client on one instance that says where its cursor is, then never speaks again. */
async function cursorOnly(wsUrl: string, boardId: string, token: string, clientId: number): Promise<WebSocket> {
  const socket = new WebSocket(`${wsUrl}/${boardId}?token=${encodeURIComponent(token)}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.on('error', () => undefined);
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const awareness = new Awareness(doc);
  awareness.setLocalState({ user: { name: 'Ghost' }, cursor: { x: 10, y: 20 } });
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.awareness);
  encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, [clientId]));
  socket.send(encoding.toUint8Array(encoder));
  awareness.destroy();
  return socket;
}

test('cursors cross instances, and those of an instance that died disappear within 30 s', { skip }, async () => {
  const cluster = await startCluster(2);
  const board = await createBoardWithLinks(cluster.balancer, 'Cursors');
  const [a, b] = cluster.instances;
  const watcher = connectClient(a!.wsUrl, board.id);
  const ghostId = 424242;
  try {
    await waitForSync(watcher.provider);
    await cursorOnly(b!.wsUrl, board.id, board.links.edit.token, ghostId);
    await waitFor(() => watcher.provider.awareness.getStates().has(ghostId), 'the cursor on instance B to show on instance A', 5_000);
    let removedBy: unknown = null;
    let removedAt = 0;
    watcher.provider.awareness.on('update', ({ removed }: { removed: number[] }, origin: unknown) => {
      if (removed.includes(ghostId) && removedAt === 0) {
        removedAt = Date.now();
        removedBy = origin;
      }
    });
    const killedAt = Date.now();
    await b!.kill();
    await waitFor(() => removedAt > 0, 'the dead instance cursor to go', 30_000);
    assert.notEqual(removedBy, 'timeout', 'removed by the server, not by the client giving up on it');
    assert.ok(removedAt - killedAt < 30_000, `gone after ${removedAt - killedAt} ms`);
    // Someone joining now does not see it either.
    const late = connectClient(a!.wsUrl, board.id);
    await waitForSync(late.provider);
    await sleep(300);
    assert.equal(late.provider.awareness.getStates().has(ghostId), false);
    closeAll(late.provider);
  } finally {
    closeAll(watcher.provider);
    await cluster.stop();
  }
});

test('a storage failure on one instance warns the board clients on every instance', { skip }, async () => {
  const cluster = await startCluster(1);
  const proxy = await startTcpProxy(Number(new URL(cluster.database.url).port || 5432), new URL(cluster.database.url).hostname);
  const throughProxy = new URL(cluster.database.url);
  throughProxy.host = `127.0.0.1:${proxy.port}`;
  const flaky = await cluster.startInstance({ DATABASE_URL: throughProxy.toString() });
  const board = await createBoardWithLinks(cluster.instances[0]!, 'Warnings');
  const here = connectClient(flaky.wsUrl, board.id);
  const there = connectClient(cluster.instances[0]!.wsUrl, board.id);
  const warned = (client: typeof here) =>
    [...client.provider.awareness.getStates().values()].some(
      (state) => (state as { [SERVER_AWARENESS_FIELD]?: ServerStatus })[SERVER_AWARENESS_FIELD]?.storage === 'failing',
    );
  try {
    await Promise.all([waitForSync(here.provider), waitForSync(there.provider)]);
    await proxy.cut();
    putShape(here.doc, 'shape:unsaved-for-now');
    await waitFor(() => warned(here), 'the flaky instance client to be warned', 15_000);
    const warnedAt = Date.now();
    await waitFor(() => warned(there), 'the other instance client to be warned', 1_000);
    assert.ok(Date.now() - warnedAt < 1_000);
    assert.ok(getRecordsMap(there.doc).has('shape:unsaved-for-now'), 'the edit still reached the other instance');
    await proxy.restore();
    await waitFor(() => !warned(here) && !warned(there), 'the warning to clear everywhere', 15_000);
    assert.ok(getRecordsMap(await cluster.database.storedBoard(board.id)).has('shape:unsaved-for-now'));
  } finally {
    closeAll(here.provider, there.provider);
    await cluster.stop();
    await proxy.close();
  }
});
