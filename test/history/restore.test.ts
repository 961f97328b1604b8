import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getRecordsMap } from '@planboard/shared';
import { closeAll, putShape, recordsOf, waitFor } from '../support/clients.js';
import { createBoardWithLinks, startServer } from '../support/server.js';
import { history, person, recordsOfState, waitForServer } from './support.js';

const same = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
/** Records with keys in a fixed order, for comparing boards that were written in different orders. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sorted(v)]));
  return value;
}

test('a version is restored on every connected client, and undoing the restore brings the edits back', async () => {
  const server = await startServer();
  const clients: Awaited<ReturnType<typeof person>>[] = [];
  try {
    const board = await createBoardWithLinks(server, 'Roadmap', 'sprint');
    const ada = await person(server, board.id, board.links.owner.token, 'Ada');
    const bo = await person(server, board.id, board.links.edit.token, 'Bo');
    clients.push(ada, bo);
    ada.doc.transact(() => {
      putShape(ada.doc, 'shape:one', 0, 0);
      putShape(ada.doc, 'shape:two', 200, 0);
      putShape(ada.doc, 'shape:three', 400, 0);
    });
    await waitFor(() => getRecordsMap(bo.doc).has('shape:three'), 'Bo to see the cards');
    const api = history(server, board.id, board.links.edit.token);
    const named = await api.name('Before PI planning');
    assert.equal(named.status, 201);
    assert.equal(named.body.kind, 'named');
    assert.deepEqual(named.body.people, ['Ada'], 'who was active: the person who edited');
    const versionRecords = recordsOf(ada.doc);

    // Cards are moved, added and deleted, by both.
    putShape(ada.doc, 'shape:one', 999, 50);
    putShape(bo.doc, 'shape:four', 600, 0);
    getRecordsMap(ada.doc).delete('shape:two');
    await waitFor(() => getRecordsMap(bo.doc).has('shape:two') === false && getRecordsMap(ada.doc).has('shape:four'), 'the edits to reach everyone');
    await waitFor(() => same(recordsOf(ada.doc), recordsOf(bo.doc)), 'both to agree');
    const edited = recordsOf(ada.doc);
    assert.ok(!same(edited, versionRecords));

    const stored = await api.content(named.body.id);
    assert.equal(stored.status, 200);
    assert.ok(same(recordsOfState(stored.body), versionRecords), 'the version holds the board as it was');
    assert.equal(stored.body.byteLength, named.body.bytes);

    const restored = await api.restore(named.body.id);
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.equal(restored.body.restored.id, named.body.id);
    assert.equal(restored.body.undo.kind, 'before-restore');
    assert.equal(restored.body.undo.restoredVersionId, named.body.id);
    for (const [who, client] of [['Ada', ada], ['Bo', bo]] as const) {
      await waitFor(() => same(recordsOf(client.doc), versionRecords), `${who} to hold exactly the version's records`);
    }
    // A client that joins now loads the restored board.
    const cy = await person(server, board.id, board.links.edit.token, 'Cy');
    clients.push(cy);
    assert.ok(same(recordsOf(cy.doc), versionRecords), 'a newcomer holds the restored board');
    const before = await api.content(restored.body.undo.id);
    assert.ok(same(recordsOfState(before.body), edited), 'the version taken before the restore holds the edits');

    const undone = await api.undo(restored.body.undo.id);
    assert.equal(undone.status, 200, JSON.stringify(undone.body));
    for (const [who, client] of [['Ada', ada], ['Bo', bo], ['Cy', cy]] as const) {
      await waitFor(() => same(recordsOf(client.doc), edited), `${who} to have the edits back`);
    }
    const list = await api.list();
    assert.deepEqual(list.body.versions.map((v) => v.kind), ['before-restore', 'named'], 'newest first; undo takes no version of its own');
  } finally {
    closeAll(...clients.map((c) => c.provider));
    await server.stop();
    server.cleanup();
  }
});

test("an offline client's edits made before the restore merge on top of it when it reconnects", async () => {
  const server = await startServer();
  const clients: Awaited<ReturnType<typeof person>>[] = [];
  try {
    const board = await createBoardWithLinks(server, 'Roadmap', 'sprint');
    const ada = await person(server, board.id, board.links.owner.token, 'Ada');
    const dee = await person(server, board.id, board.links.edit.token, 'Dee');
    clients.push(ada, dee);
    ada.doc.transact(() => {
      putShape(ada.doc, 'shape:one', 0, 0);
      putShape(ada.doc, 'shape:two', 200, 0);
      putShape(ada.doc, 'shape:three', 400, 0);
    });
    await waitFor(() => getRecordsMap(dee.doc).has('shape:three'), 'Dee to see the cards');
    const api = history(server, board.id, board.links.edit.token);
    const version = (await api.name('Kick-off')).body;
    const versionRecords = recordsOf(ada.doc);

    // Dee's train goes into a tunnel; she keeps working.
    dee.provider.disconnect();
    putShape(dee.doc, 'shape:offline-card', 800, 0);
    putShape(dee.doc, 'shape:three', 444, 44);
    getRecordsMap(dee.doc).delete('shape:two');
    const deeEdits = recordsOf(dee.doc);
    // Meanwhile Ada deletes a card and adds one; then the version is restored.
    getRecordsMap(ada.doc).delete('shape:one');
    putShape(ada.doc, 'shape:ada-late', 300, 300);
    await waitForServer(server, board.id, board.links.edit.token, (records) => 'shape:ada-late' in records && !('shape:one' in records));
    const restored = await api.restore(version.id);
    assert.equal(restored.status, 200);
    await waitFor(() => same(recordsOf(ada.doc), versionRecords), 'Ada to hold the version');

    dee.provider.connect();
    // Dee's edits were made before the restore but reach the server after it: they apply on top.
    const expected = { ...versionRecords, 'shape:offline-card': deeEdits['shape:offline-card'], 'shape:three': deeEdits['shape:three'] } as Record<string, unknown>;
    delete expected['shape:two'];
    for (const [who, client] of [['Ada', ada], ['Dee', dee]] as const) {
      await waitFor(() => same(recordsOf(client.doc), expected), `${who} to hold the restored board with Dee's offline edits on top`);
    }
  } finally {
    closeAll(...clients.map((c) => c.provider));
    await server.stop();
    server.cleanup();
  }
});
