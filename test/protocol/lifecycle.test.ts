import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getRecordsMap } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoard, startServer } from '../support/server.js';
import { openSqlite, readStoredBoard } from '../support/stored.js';

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
}

function logLength(dataDir: string, boardId: string): number {
  const db = openSqlite(join(dataDir, 'planboard.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM board_updates WHERE board_id = ?').get(boardId) as { n: number }).n;
  } finally {
    db.close();
  }
}

test('the update log is compacted into a snapshot, and a board unloads after its last client leaves', async () => {
  const server = await startServer({ env: { COMPACT_AFTER_UPDATES: '20', BOARD_IDLE_MS: '300' } });
  try {
    const boardId = await createBoard(server);
    const writer = connectClient(server.wsUrl, boardId);
    await waitForSync(writer.provider);
    assert.equal(await metric(server.url, 'planboard_boards_loaded'), 1);
    for (let i = 0; i < 200; i++) {
      putShape(writer.doc, `shape:${i % 50}`, i, i);
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, boardId)).size === 50, 'all shapes stored');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(logLength(server.dataDir, boardId) <= 21, `log holds ${logLength(server.dataDir, boardId)} entries after 200 updates`);

    closeAll(writer.provider);
    const started = Date.now();
    while ((await metric(server.url, 'planboard_boards_loaded')) !== 0) {
      assert.ok(Date.now() - started < 5000, 'the board unloads after BOARD_IDLE_MS');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Unloading writes one snapshot; loading again gives the same board.
    assert.equal(logLength(server.dataDir, boardId), 1);
    const reader = connectClient(server.wsUrl, boardId);
    await waitForSync(reader.provider);
    assert.deepEqual(recordsOf(reader.doc), recordsOf(writer.doc));
    assert.equal(await metric(server.url, 'planboard_boards_loaded'), 1);
    closeAll(reader.provider);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('/healthz answers and /metrics counts connections and messages', async () => {
  const server = await startServer();
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const boardId = await createBoard(server);
    const client = connectClient(server.wsUrl, boardId);
    await waitForSync(client.provider);
    putShape(client.doc, 'shape:x');
    await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, boardId)).size === 1, 'stored');
    assert.equal(await metric(server.url, 'planboard_connections'), 1);
    assert.ok((await metric(server.url, 'planboard_messages_received_total')) >= 2);
    assert.ok((await metric(server.url, 'planboard_messages_sent_total')) >= 1);
    assert.ok((await metric(server.url, 'planboard_store_flush_seconds_count')) >= 1);
    closeAll(client.provider);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a board loaded from its snapshot serves new and returning clients alike', async () => {
  const server = await startServer({ env: { BOARD_IDLE_MS: '200' } });
  try {
    const boardId = await createBoard(server);
    const writer = connectClient(server.wsUrl, boardId);
    await waitForSync(writer.provider);
    for (let i = 0; i < 30; i++) putShape(writer.doc, `shape:${i}`, i, i);
    await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, boardId)).size === 30, 'all shapes stored');
    // The writer goes away and keeps editing offline while the board unloads to one snapshot.
    writer.provider.disconnect();
    putShape(writer.doc, 'shape:offline', 99, 99);
    const started = Date.now();
    while ((await metric(server.url, 'planboard_boards_loaded')) !== 0) {
      assert.ok(Date.now() - started < 5000, 'the board unloads after BOARD_IDLE_MS');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(logLength(server.dataDir, boardId), 1);

    // The returning writer is the first to join the reloaded board: the server asks for what it
    // lacks (its sync step 1, sent once the snapshot is applied) and so gets the offline edit.
    writer.provider.connect();
    await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, boardId)).has('shape:offline'), 'the offline edit stored');
    const reader = connectClient(server.wsUrl, boardId);
    await waitForSync(reader.provider);
    assert.equal(getRecordsMap(reader.doc).size, 31);
    putShape(reader.doc, 'shape:after', 1, 1);
    await waitFor(() => getRecordsMap(writer.doc).has('shape:after'), 'the reader\'s edit to reach the writer');
    assert.deepEqual(recordsOf(reader.doc), recordsOf(writer.doc));
    await waitFor(() => getRecordsMap(readStoredBoard(server.dataDir, boardId)).size === 32, 'both edits stored');
    closeAll(reader.provider, writer.provider);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('logs are JSON lines (pino): every line the server prints parses, with a level, a time and a message', async () => {
  const server = await startServer();
  try {
    const boardId = await createBoard(server);
    const client = connectClient(server.wsUrl, boardId);
    await waitForSync(client.provider);
    await fetch(`${server.url}/api/boards/${boardId}`, { headers: { authorization: 'Bearer nope' } });
    await fetch(`${server.url}/api/nothing-here`);
    closeAll(client.provider);
  } finally {
    await server.stop();
    server.cleanup();
  }
  const lines = server.output().split('\n').filter((line) => line.trim() !== '');
  assert.ok(lines.length >= 5, `the server logged ${lines.length} lines`);
  for (const line of lines) {
    let entry: { level?: unknown; time?: unknown; msg?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      assert.fail(`not a JSON line: ${line}`);
    }
    assert.equal(typeof entry.level, 'number', line);
    assert.equal(typeof entry.time, 'number', line);
    assert.equal(typeof entry.msg, 'string', line);
  }
  // Requests, the websocket and the shutdown are all among them.
  const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  assert.ok(messages.some((m) => /listening/i.test(m)));
  assert.ok(messages.some((m) => /shutting down/.test(m)));
});

test('LOG_LEVEL sets what is logged: warn leaves out the info lines, silent prints nothing', async () => {
  for (const level of ['warn', 'silent']) {
    const server = await startServer({ env: { LOG_LEVEL: level } });
    try {
      const boardId = await createBoard(server);
      const client = connectClient(server.wsUrl, boardId);
      await waitForSync(client.provider);
      closeAll(client.provider);
    } finally {
      await server.stop();
      server.cleanup();
    }
    const lines = server.output().split('\n').filter((line) => line.trim() !== '' && !/Server listening at/.test(line));
    if (level === 'silent') assert.deepEqual(lines, [], 'silent prints nothing');
    else for (const line of lines) assert.ok((JSON.parse(line) as { level: number }).level >= 40, `an info line at warn: ${line}`);
  }
});
