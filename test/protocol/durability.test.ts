import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode, getRecordsMap } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordCloses, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoard, startServer, tokenFor } from '../support/server.js';
import { readStoredBoard, storedRecords } from '../support/stored.js';

const storedCount = (dataDir: string, boardId: string) => getRecordsMap(readStoredBoard(dataDir, boardId)).size;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const FLUSH_INTERVAL_MS = 100;
/** Time beyond the flush interval for the write itself to finish. */
const WRITE_MARGIN_MS = 150;

test(`the durability window: what the server relayed by time t is on disk after kill -9 at t + FLUSH_INTERVAL_MS (${FLUSH_INTERVAL_MS} ms) + ${WRITE_MARGIN_MS} ms`, async () => {
  // The kill must land in the window for the test to prove anything: a late one (a loaded test
  // machine) proves a weaker bound, so that attempt is repeated rather than counted.
  const latestKillMs = FLUSH_INTERVAL_MS + WRITE_MARGIN_MS + 50;
  for (let attempt = 1; ; attempt++) {
    const first = await startServer({ env: { FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS) } });
    const boardId = await createBoard(first);
    const writer = connectClient(first.wsUrl, boardId);
    const watcher = connectClient(first.wsUrl, boardId, undefined, tokenFor(boardId, 'view'));
    await Promise.all([waitForSync(writer.provider), waitForSync(watcher.provider)]);
    // No client may resend anything after the crash: what counts is what the server wrote.
    for (const client of [writer, watcher]) client.provider.on('connection-close', () => (client.provider.shouldConnect = false));
    for (let i = 0; i < 20; i++) putShape(writer.doc, `shape:${i}`, i * 10, 0);
    // t: the watcher has every edit, so the server has applied (and relayed) all of them.
    await waitFor(() => getRecordsMap(watcher.doc).size === 20, 'the watcher to receive the twenty shapes', 5000);
    const t = Date.now();
    await sleep(t + FLUSH_INTERVAL_MS + WRITE_MARGIN_MS - Date.now());
    const killedAfter = Date.now() - t;
    await first.kill();
    closeAll(writer.provider, watcher.provider);
    console.log(`# attempt ${attempt}: SIGKILL ${killedAfter} ms after the last edit reached the server`);
    if (killedAfter > latestKillMs) {
      first.cleanup();
      assert.ok(attempt < 5, `the machine is too loaded to kill within ${latestKillMs} ms of the edits (5 attempts)`);
      continue;
    }
    assert.deepEqual(storedRecords(first.dataDir, boardId), recordsOf(writer.doc), 'every relayed edit is in the SQLite file');

    const second = await startServer({ dataDir: first.dataDir });
    try {
      const reader = connectClient(second.wsUrl, boardId);
      await waitForSync(reader.provider);
      assert.deepEqual(recordsOf(reader.doc), recordsOf(writer.doc));
      closeAll(reader.provider);
    } finally {
      await second.stop();
      second.cleanup();
    }
    return;
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

test('SIGTERM tells every client (close 1001) and writes every board: what is stored equals the clients\' documents', async () => {
  // A long flush interval: without the shutdown write, the last edits would not be on disk.
  const first = await startServer({ env: { FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS) } });
  const boards = await Promise.all([createBoard(first, 'one'), createBoard(first, 'two'), createBoard(first, 'three')]);
  const writers = boards.map((id) => connectClient(first.wsUrl, id));
  const watchers = boards.map((id) => connectClient(first.wsUrl, id, undefined, tokenFor(id, 'view')));
  const everyone = [...writers, ...watchers];
  await Promise.all(everyone.map((c) => waitForSync(c.provider)));
  const closes = everyone.map((c) => recordCloses(c.provider));
  // The clients edit, then stop; once the watchers have every edit, the server holds them all.
  writers.forEach((client, n) => {
    for (let i = 0; i < 30; i++) putShape(client.doc, `shape:${n}-${i}`, i, n);
  });
  await waitFor(() => watchers.every((w, n) => getRecordsMap(w.doc).size === getRecordsMap(writers[n]!.doc).size), 'the watchers to hold every edit');
  const unwrittenAtSignal = boards.filter((id, n) => storedCount(first.dataDir, id) < getRecordsMap(writers[n]!.doc).size).length;
  // Nobody may resend after the signal: clients stop reconnecting as soon as they are closed.
  for (const client of everyone) client.provider.on('connection-close', () => (client.provider.shouldConnect = false));
  assert.equal(await first.stop(), 0, 'clean exit');
  console.log(`# boards not yet on disk when SIGTERM came: ${unwrittenAtSignal} of ${boards.length}`);

  closes.forEach((codes, n) => assert.deepEqual(codes, [CloseCode.goingAway], `client ${n} was told the server is going away`));
  assert.match(first.output(), /shutting down: flushing every board/);
  boards.forEach((id, n) => assert.deepEqual(storedRecords(first.dataDir, id), recordsOf(writers[n]!.doc), `board ${n} stored exactly as its client holds it`));
  closeAll(...everyone.map((c) => c.provider));

  const second = await startServer({ dataDir: first.dataDir });
  try {
    for (const [n, id] of boards.entries()) {
      const fresh = connectClient(second.wsUrl, id);
      await waitForSync(fresh.provider);
      assert.deepEqual(recordsOf(fresh.doc), recordsOf(writers[n]!.doc));
      closeAll(fresh.provider);
    }
  } finally {
    await second.stop();
    second.cleanup();
  }
});

test('SIGINT does the same: the client is told, the board written, the process exits cleanly', async () => {
  const server = await startServer({ env: { FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS) } });
  const boardId = await createBoard(server);
  const writer = connectClient(server.wsUrl, boardId);
  const watcher = connectClient(server.wsUrl, boardId, undefined, tokenFor(boardId, 'view'));
  await Promise.all([waitForSync(writer.provider), waitForSync(watcher.provider)]);
  const closes = [recordCloses(writer.provider), recordCloses(watcher.provider)];
  for (const client of [writer, watcher]) client.provider.on('connection-close', () => (client.provider.shouldConnect = false));
  for (let i = 0; i < 30; i++) putShape(writer.doc, `shape:${i}`, i, i);
  await waitFor(() => getRecordsMap(watcher.doc).size === 30, 'the watcher to hold every edit');
  const exited = new Promise<number | null>((resolve) => server.process.once('exit', (code) => resolve(code)));
  server.process.kill('SIGINT');
  assert.equal(await exited, 0, 'clean exit');
  assert.deepEqual(closes, [[CloseCode.goingAway], [CloseCode.goingAway]]);
  assert.deepEqual(storedRecords(server.dataDir, boardId), recordsOf(writer.doc));
  closeAll(writer.provider, watcher.provider);
  server.cleanup();
});
