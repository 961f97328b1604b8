import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, connectClient, putShape, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoard, startServer } from '../support/server.js';
import { readStoredBoard } from '../support/stored.js';
import { getRecordsMap } from '@planboard/shared';

const storedCount = (dataDir: string, boardId: string) => getRecordsMap(readStoredBoard(dataDir, boardId)).size;

test('data written by a client survives kill -9 and a restart', async () => {
  const first = await startServer();
  const boardId = await createBoard(first);
  const writer = connectClient(first.wsUrl, boardId);
  await waitForSync(writer.provider);
  for (let i = 0; i < 20; i++) putShape(writer.doc, `shape:${i}`, i * 10, 0);
  // Durable within 100 ms: wait until the store holds all twenty, then pull the plug.
  await waitFor(() => storedCount(first.dataDir, boardId) === 20, 'twenty shapes on disk', 2000);
  closeAll(writer.provider);
  await first.kill();

  const second = await startServer({ dataDir: first.dataDir });
  try {
    const reader = connectClient(second.wsUrl, boardId);
    await waitForSync(reader.provider);
    assert.equal(getRecordsMap(reader.doc).size, 20);
    assert.deepEqual(recordsOf(reader.doc), recordsOf(writer.doc));
    closeAll(reader.provider);
  } finally {
    await second.stop();
    second.cleanup();
  }
});

test('updates inside the last flush window come back when the client reconnects after kill -9', async () => {
  const first = await startServer();
  const boardId = await createBoard(first);
  const writer = connectClient(first.wsUrl, boardId);
  await waitForSync(writer.provider);
  putShape(writer.doc, 'shape:early', 0, 0);
  await waitFor(() => storedCount(first.dataDir, boardId) === 1, 'the first shape on disk', 2000);
  // Write and kill at once: these cannot have reached the disk yet.
  for (let i = 0; i < 10; i++) putShape(writer.doc, `shape:late-${i}`, i, i);
  await first.kill();
  const storedBeforeRestart = storedCount(first.dataDir, boardId);
  assert.ok(storedBeforeRestart < 11, `expected the late shapes to be missing on disk, found ${storedBeforeRestart}`);

  // Same port, same data: the stock client reconnects on its own and the sync exchange resends.
  const second = await startServer({ dataDir: first.dataDir, port: first.port });
  try {
    await waitFor(() => writer.provider.synced, 'the writer to reconnect and sync', 10_000);
    await waitFor(() => storedCount(second.dataDir, boardId) === 11, 'all eleven shapes on disk again', 5000);
    const reader = connectClient(second.wsUrl, boardId);
    await waitForSync(reader.provider);
    assert.deepEqual(recordsOf(reader.doc), recordsOf(writer.doc));
    closeAll(reader.provider);
  } finally {
    closeAll(writer.provider);
    await second.stop();
    second.cleanup();
  }
});

test('graceful shutdown writes every board before exiting, and a restart restores them all', async () => {
  const first = await startServer({ env: { FLUSH_INTERVAL_MS: '100' } });
  const boards = await Promise.all([createBoard(first, 'one'), createBoard(first, 'two'), createBoard(first, 'three')]);
  const clients = boards.map((id) => connectClient(first.wsUrl, id));
  await Promise.all(clients.map((c) => waitForSync(c.provider)));
  clients.forEach((client, n) => {
    for (let i = 0; i <= n; i++) putShape(client.doc, `shape:${n}-${i}`, i, n);
  });
  // Let the updates reach the server, then stop it before the flush timer fires.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await first.stop(), 0);
  assert.match(first.output(), /shutting down: flushing every board/);
  boards.forEach((id, n) => assert.equal(storedCount(first.dataDir, id), n + 1, `board ${n} stored in full`));

  const second = await startServer({ dataDir: first.dataDir });
  try {
    for (const [n, id] of boards.entries()) {
      const fresh = connectClient(second.wsUrl, id);
      await waitForSync(fresh.provider);
      assert.deepEqual(recordsOf(fresh.doc), recordsOf(clients[n]!.doc));
      closeAll(fresh.provider);
    }
  } finally {
    closeAll(...clients.map((c) => c.provider));
    await second.stop();
    second.cleanup();
  }
});
