import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getRecordsMap, type CreatedBoard } from '@planboard/shared';
import { closeAll, putShape, waitFor } from '../support/clients.js';
import { createTestDatabase, requireServices } from '../scale/services.js';
import { createBoardWithLinks, startServer } from '../support/server.js';
import { openSqlite, sqlitePath } from '../support/stored.js';
import { call, history, person, recordsOfState, waitForServer } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('automatic versions: after a spell of activity, with who was active, and when a changed board leaves memory; none while it rests', async () => {
  const server = await startServer({ env: { VERSION_INTERVAL_SECONDS: '1', BOARD_IDLE_MS: '300' } });
  try {
    const board = await createBoardWithLinks(server, 'Roadmap', 'sprint');
    const api = history(server, board.id, board.links.edit.token);
    const ada = await person(server, board.id, board.links.owner.token, 'Ada');
    const bo = await person(server, board.id, board.links.edit.token, 'Bo Ström');
    const vi = await person(server, board.id, board.links.view.token, 'Vi');
    putShape(ada.doc, 'shape:one', 0, 0);
    putShape(bo.doc, 'shape:two', 100, 0);
    let automatic = [] as Awaited<ReturnType<typeof api.list>>['body']['versions'];
    for (let i = 0; i < 100 && automatic.length === 0; i++) {
      await sleep(100);
      automatic = (await api.list()).body.versions.filter((v) => v.kind === 'automatic');
    }
    assert.equal(automatic.length, 1, 'one version for the spell');
    assert.deepEqual(automatic[0]!.people, ['Ada', 'Bo Ström'], 'who edited, not the viewer who watched');
    assert.ok(automatic[0]!.bytes > 0);
    const held = recordsOfState((await api.content(automatic[0]!.id)).body);
    assert.ok('shape:one' in held && 'shape:two' in held);

    // Nothing changes: no new version however long the board rests.
    await sleep(2500);
    assert.equal((await api.list()).body.versions.length, 1, 'a resting board takes no versions');

    // Ada makes a last change and everyone leaves at once: the board unloads with its version.
    putShape(ada.doc, 'shape:last', 300, 0);
    await waitForServer(server, board.id, board.links.edit.token, (records) => 'shape:last' in records);
    closeAll(ada.provider, bo.provider, vi.provider);
    let versions = (await api.list()).body.versions;
    for (let i = 0; i < 100 && versions.length < 2; i++) {
      await sleep(100);
      versions = (await api.list()).body.versions;
    }
    assert.equal(versions.length, 2);
    assert.deepEqual(versions[0]!.people, ['Ada']);
    assert.ok('shape:last' in recordsOfState((await api.content(versions[0]!.id)).body), 'the last change is in a version');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a version is taken before a CSV import and before a template insert, so either is one restore away', async () => {
  const server = await startServer();
  try {
    const board = await createBoardWithLinks(server, 'Sprint', 'sprint');
    const token = board.links.edit.token;
    const api = history(server, board.id, token);
    const before = await fetch(`${server.url}/api/boards/${board.id}/export.json`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<{ records: Record<string, unknown> }>);
    const imported = await fetch(`${server.url}/api/boards/${board.id}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: 'Title,Estimate\nSearch by SKU,3\nExport invoices,5\n',
    });
    assert.equal(imported.status, 200);
    const list = (await api.list()).body.versions;
    assert.deepEqual(list.map((v) => v.kind), ['before-import']);
    const held = recordsOfState((await api.content(list[0]!.id)).body);
    assert.deepEqual(Object.keys(held).sort(), Object.keys(before.records).sort(), 'the version is the board before the import');

    // The web app asks for this version before it inserts a template.
    const template = await call<{ kind: string; name: string | null }>(server, 'POST', `/api/boards/${board.id}/history`, token, { kind: 'before-template' });
    assert.equal(template.status, 201);
    assert.equal(template.body.kind, 'before-template');
    assert.equal(template.body.name, null);

    // Restoring the version before the import takes the imported cards away again.
    const restored = await api.restore(list[0]!.id);
    assert.equal(restored.status, 200);
    await waitForServer(server, board.id, token, (records) => Object.keys(records).sort().join() === Object.keys(before.records).sort().join());
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('copy to a new board: a board of its own with its three links, holding the version', async () => {
  const server = await startServer();
  const clients: Awaited<ReturnType<typeof person>>[] = [];
  try {
    const board = await createBoardWithLinks(server, 'Q3 roadmap', 'sprint');
    const ada = await person(server, board.id, board.links.owner.token, 'Ada');
    clients.push(ada);
    putShape(ada.doc, 'shape:kept', 0, 0);
    await waitForServer(server, board.id, board.links.edit.token, (records) => 'shape:kept' in records);
    const api = history(server, board.id, board.links.edit.token);
    const version = (await api.name('Before PI planning')).body;
    getRecordsMap(ada.doc).delete('shape:kept');
    const copy = await call<CreatedBoard>(server, 'POST', `/api/boards/${board.id}/history/${version.id}/copy`, board.links.edit.token, {});
    assert.equal(copy.status, 201);
    assert.match(copy.body.title, /^Q3 roadmap \(Before PI planning, /);
    assert.notEqual(copy.body.id, board.id);
    assert.deepEqual(Object.keys(copy.body.links).sort(), ['edit', 'owner', 'view']);
    const reader = await person(server, copy.body.id, copy.body.links.view.token, 'Reader');
    clients.push(reader);
    assert.ok(getRecordsMap(reader.doc).has('shape:kept'), 'the copy holds the version');
    const named = await call<CreatedBoard>(server, 'POST', `/api/boards/${board.id}/history/${version.id}/copy`, board.links.edit.token, { title: 'PI plan draft' });
    assert.equal(named.body.title, 'PI plan draft');
    assert.equal((await history(server, copy.body.id, copy.body.links.edit.token).list()).body.versions.length, 0, 'the copy starts without history');
  } finally {
    closeAll(...clients.map((c) => c.provider));
    await server.stop();
    server.cleanup();
  }
});

test('retention: at start, automatic versions past VERSION_RETENTION_DAYS are pruned, named ones never', async () => {
  let server = await startServer();
  const board = await createBoardWithLinks(server, 'Old board', 'sprint');
  const token = board.links.edit.token;
  try {
    const api = history(server, board.id, token);
    await api.name('Before PI planning');
    await call(server, 'POST', `/api/boards/${board.id}/history`, token, { kind: 'before-template' });
    await fetch(`${server.url}/api/boards/${board.id}/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: 'Title\nA card\n' });
    assert.equal((await api.list()).body.versions.length, 3);
    await server.stop();
    // Forty days pass.
    const db = openSqlite(sqlitePath(server.dataDir));
    db.prepare('UPDATE board_versions SET created_at = ?').run(new Date(Date.now() - 40 * 24 * 3600_000).toISOString());
    db.close();
    server = await startServer({ dataDir: server.dataDir, env: { VERSION_RETENTION_DAYS: '60' } });
    // The three, and the automatic one taken when the imported board left memory at shutdown.
    assert.deepEqual((await history(server, board.id, token).list()).body.versions.map((v) => v.kind).sort(), ['automatic', 'before-import', 'before-template', 'named'], 'within 60 days: all kept');
    await server.stop();
    server = await startServer({ dataDir: server.dataDir, env: { VERSION_RETENTION_DAYS: '30' } });
    let versions = (await history(server, board.id, token).list()).body.versions;
    for (let i = 0; i < 50 && versions.length > 1; i++) {
      await sleep(100);
      versions = (await history(server, board.id, token).list()).body.versions;
    }
    assert.deepEqual(versions.map((v) => v.name), ['Before PI planning'], 'only the named version is left');
    assert.match(server.output(), /old automatic versions pruned/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('on PostgreSQL: versions are taken, restored on a connected client, and pruned at start like on SQLite', async (t) => {
  if (!(await requireServices(t, { postgres: true }))) return;
  const database = await createTestDatabase();
  const env = { DATABASE_URL: database.url };
  let server = await startServer({ env });
  const clients: Awaited<ReturnType<typeof person>>[] = [];
  try {
    const board = await createBoardWithLinks(server, 'Roadmap', 'sprint');
    const token = board.links.edit.token;
    const api = history(server, board.id, token);
    const ada = await person(server, board.id, board.links.owner.token, 'Ada');
    clients.push(ada);
    putShape(ada.doc, 'shape:one', 0, 0);
    await waitForServer(server, board.id, token, (records) => 'shape:one' in records);
    const named = (await api.name('Before PI planning')).body;
    getRecordsMap(ada.doc).delete('shape:one');
    putShape(ada.doc, 'shape:two', 10, 0);
    await waitForServer(server, board.id, token, (records) => 'shape:two' in records);
    const restored = await api.restore(named.id);
    assert.equal(restored.status, 200);
    await waitFor(() => getRecordsMap(ada.doc).has('shape:one') && !getRecordsMap(ada.doc).has('shape:two'), 'Ada to hold the version');
    const stored = await database.query<{ kind: string; bytes: string }>('SELECT kind, bytes FROM board_versions WHERE board_id = $1 ORDER BY created_at', [board.id]);
    assert.deepEqual(stored.map((row) => row.kind), ['named', 'before-restore']);
    closeAll(...clients.splice(0).map((c) => c.provider));
    await server.stop();
    await database.query('UPDATE board_versions SET created_at = $1', [new Date(Date.now() - 40 * 24 * 3600_000).toISOString()]);
    server = await startServer({ env: { ...env, VERSION_RETENTION_DAYS: '30' } });
    let versions = (await history(server, board.id, token).list()).body.versions;
    for (let i = 0; i < 50 && versions.some((v) => !v.name); i++) {
      await sleep(100);
      versions = (await history(server, board.id, token).list()).body.versions;
    }
    assert.deepEqual(versions.map((v) => v.name), ['Before PI planning'], 'only the named version is left');
  } finally {
    closeAll(...clients.map((c) => c.provider));
    await server.stop();
    server.cleanup();
    await database.drop();
  }
});
