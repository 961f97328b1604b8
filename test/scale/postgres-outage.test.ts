/**
 * PostgreSQL going away under a running instance behaves like a failing SQLite disk: clients are
 * told, edits keep flowing between them and are held in memory, writes are retried, and when the
 * database is back everything reaches it. The database is taken away by cutting a TCP proxy in
 * front of the real PostgreSQL (the machine's server is shared and must not be stopped).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVER_AWARENESS_FIELD, getRecordsMap, type ServerStatus } from '@planboard/shared';
import { closeAll, connectClient, putShape, waitFor, waitForSync } from '../support/clients.js';
import { createBoard, startServer } from '../support/server.js';
import { createTestDatabase, requireServices, startTcpProxy } from './services.js';

type ServerState = { [SERVER_AWARENESS_FIELD]?: ServerStatus };

test('PostgreSQL down: clients are told, edits are held and retried, nothing is lost when it returns', async (t) => {
  if (!(await requireServices(t, { postgres: true }))) return;
  const database = await createTestDatabase();
  const pgPort = Number(new URL(database.url).port || 5432);
  const proxy = await startTcpProxy(pgPort, new URL(database.url).hostname);
  const throughProxy = new URL(database.url);
  throughProxy.host = `127.0.0.1:${proxy.port}`;
  const server = await startServer({ env: { DATABASE_URL: throughProxy.toString() } });
  const boardId = await createBoard(server);
  const a = connectClient(server.wsUrl, boardId);
  const b = connectClient(server.wsUrl, boardId);
  const stored = async () => getRecordsMap(await database.storedBoard(boardId)).size;
  try {
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    for (let i = 0; i < 5; i++) putShape(a.doc, `shape:before-${i}`, i, 0);
    await waitFor(() => getRecordsMap(b.doc).size === 5, 'b to see the first shapes');
    for (const deadline = Date.now() + 10_000; (await stored()) < 5 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await stored(), 5, 'the first shapes are in PostgreSQL');

    await proxy.cut();
    for (let i = 0; i < 5; i++) putShape(b.doc, `shape:during-${i}`, i, 1);
    const warned = (client: typeof a) =>
      [...client.provider.awareness.getStates().values()].some((state) => (state as ServerState)[SERVER_AWARENESS_FIELD]?.storage === 'failing');
    await waitFor(() => warned(a) && warned(b), 'both clients to be told that saving fails', 15_000);
    await waitFor(() => getRecordsMap(a.doc).size === 10, 'editing to carry on between the clients');
    assert.match(server.output(), /storage write failed/);
    assert.equal(await stored(), 5, 'nothing half-written while the database is away');

    await proxy.restore();
    for (const deadline = Date.now() + 15_000; (await stored()) < 10 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await stored(), 10, 'the held edits reach PostgreSQL once it is back');
    await waitFor(() => !warned(a) && !warned(b), 'the warning to clear', 10_000);
    assert.match(server.output(), /storage writes resumed/);

    // A crash now loses nothing: a new instance serves the board from PostgreSQL alone.
    await server.kill();
    const second = await startServer({ env: { DATABASE_URL: database.url } });
    try {
      const c = connectClient(second.wsUrl, boardId);
      await waitForSync(c.provider);
      assert.deepEqual(Object.keys(getRecordsMap(c.doc).toJSON()).sort(), Object.keys(getRecordsMap(a.doc).toJSON()).sort());
      closeAll(c.provider);
    } finally {
      await second.stop();
      second.cleanup();
    }
  } finally {
    closeAll(a.provider, b.provider);
    await server.stop();
    server.cleanup();
    await proxy.close();
    await database.drop();
  }
});

test('a bad DATABASE_URL stops the server at start with one clear line, and no password in it', async () => {
  const refused = await startServer({ env: { DATABASE_URL: 'mysql://planboard:hunter2@127.0.0.1/planboard' } }).then(
    () => null,
    (error: Error) => error.message,
  );
  assert.ok(refused, 'the server must not start');
  assert.match(refused, /DATABASE_URL is invalid/);
  assert.doesNotMatch(refused, /hunter2/);
});
