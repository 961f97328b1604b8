import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { CloseCode, getRecordsMap } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordCloses, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoard, startServer, type RunningServer } from '../support/server.js';
import { readStoredBoard } from '../support/stored.js';

/** Clients that keep editing on timers until stopped; each writes shapes named after itself. */
function startEditing(clients: ReturnType<typeof connectClient>[], everyMs: number, alreadyWritten = 0): { stop(): void; written(): number } {
  let written = alreadyWritten;
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

test('graceful restart while 100 clients edit: every client is told, the stored board equals their documents, and they converge on the new process', async () => {
  const first = await startServer();
  const boardId = await createBoard(first);
  const clients = Array.from({ length: 100 }, () => connectClient(first.wsUrl, boardId));
  await Promise.all(clients.map((c) => waitForSync(c.provider)));
  const closes = clients.map((c) => recordCloses(c.provider));
  const editing = startEditing(clients, 200);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // The clients stop; once every one holds every edit, the server has received them all.
  editing.stop();
  await waitFor(() => clients.every((c) => getRecordsMap(c.doc).size === editing.written()), 'every client to hold every edit', 20_000);
  const exitCode = await first.stop();
  assert.equal(exitCode, 0, 'clean exit');
  closes.forEach((codes, n) => assert.deepEqual(codes.slice(0, 1), [CloseCode.goingAway], `client ${n} was told the server is going away`));
  // Read before any client can resend: the old process wrote all of it on the way out.
  assert.deepEqual(getRecordsMap(readStoredBoard(first.dataDir, boardId)).toJSON(), recordsOf(clients[0]!.doc), 'stored at shutdown = the clients\' documents');
  assert.ok(editing.written() > 100, `clients wrote ${editing.written()} shapes`);

  // The clients reconnect to the new process on their own and keep editing together.
  const second = await startServer({ dataDir: first.dataDir, port: first.port });
  try {
    const again = startEditing(clients, 200, editing.written());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    again.stop();
    await expectEverywhere(second, boardId, clients, again.written());
  } finally {
    closeAll(...clients.map((c) => c.provider));
    await second.stop();
    second.cleanup();
  }
});
