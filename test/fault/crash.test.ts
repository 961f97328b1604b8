import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { getRecordsMap } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoard, startServer, type RunningServer } from '../support/server.js';
import { readStoredBoard } from '../support/stored.js';

/** Clients that keep editing on timers until stopped; each writes shapes named after itself. */
function startEditing(clients: ReturnType<typeof connectClient>[], everyMs: number): { stop(): void; written(): number } {
  let written = 0;
  const timers = clients.map((client, n) =>
    setInterval(() => {
      putShape(client.doc, `shape:c${n}-${written++}`, n, written);
    }, everyMs),
  );
  return { stop: () => timers.forEach(clearInterval), written: () => written };
}

async function expectEverywhere(server: RunningServer, boardId: string, clients: ReturnType<typeof connectClient>[], expectedCount: number) {
  await waitFor(() => clients.every((c) => c.provider.synced), 'every client to reconnect and sync', 20_000);
  await waitFor(
    () => clients.every((c) => getRecordsMap(c.doc).size === expectedCount),
    `every client to hold all ${expectedCount} shapes`,
    20_000,
  );
  const reference = recordsOf(clients[0]!.doc);
  for (const client of clients) assert.ok(isDeepStrictEqual(recordsOf(client.doc), reference), 'clients converged');
  await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, boardId)).size === expectedCount, 'storage to hold every shape', 5000);
  assert.deepEqual(getRecordsMap(readStoredBoard(server.dataDir, boardId)).toJSON(), reference);
}

test('kill -9 while 20 clients edit: they reconnect on their own and nothing is lost', async () => {
  const first = await startServer();
  const boardId = await createBoard(first);
  const clients = Array.from({ length: 20 }, () => connectClient(first.wsUrl, boardId));
  await Promise.all(clients.map((c) => waitForSync(c.provider)));
  const editing = startEditing(clients, 20);
  await new Promise((resolve) => setTimeout(resolve, 700));
  await first.kill();
  // They keep editing while the server is down.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const second = await startServer({ dataDir: first.dataDir, port: first.port });
  try {
    await new Promise((resolve) => setTimeout(resolve, 700));
    editing.stop();
    assert.ok(editing.written() > 200, `clients wrote ${editing.written()} shapes`);
    await expectEverywhere(second, boardId, clients, editing.written());
  } finally {
    closeAll(...clients.map((c) => c.provider));
    await second.stop();
    second.cleanup();
  }
});

test('graceful restart while 100 clients edit: everything is flushed, clients converge on the new process', async () => {
  const first = await startServer();
  const boardId = await createBoard(first);
  const clients = Array.from({ length: 100 }, () => connectClient(first.wsUrl, boardId));
  await Promise.all(clients.map((c) => waitForSync(c.provider)));
  const editing = startEditing(clients, 200);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const exitCode = await first.stop();
  assert.equal(exitCode, 0, 'clean exit');
  // What the old process stored is every update it received before it stopped.
  const storedAtStop = getRecordsMap(readStoredBoard(first.dataDir, boardId)).size;
  assert.ok(storedAtStop > 0);
  const second = await startServer({ dataDir: first.dataDir, port: first.port });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    editing.stop();
    await expectEverywhere(second, boardId, clients, editing.written());
  } finally {
    closeAll(...clients.map((c) => c.provider));
    await second.stop();
    second.cleanup();
  }
});
