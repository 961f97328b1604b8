/**
 * Three instances on one PostgreSQL and one Redis behind a round-robin balancer, with stock
 * y-websocket clients over real sockets: a workshop spread over all of them runs as one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, getRecordsMap, type CreatedBoard } from '@planboard/shared';
import { closeAll, connectClient, putShape, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks } from '../support/server.js';
import { startCluster, type Cluster } from './cluster.js';
import { servicesGate } from './services.js';

const shapeIds = (doc: Y.Doc) => Object.keys(recordsOf(doc)).filter((id) => id.startsWith('shape:')).sort();

/** How many stored rows write each record key (decoded, not applied): an edit stored twice shows up in two rows. */
async function rowsPerShape(cluster: Cluster, boardId: string): Promise<Map<string, number>> {
  const rows = await cluster.database.query<{ data: Buffer }>('SELECT data FROM board_updates WHERE board_id = $1 ORDER BY seq', [boardId]);
  const counts = new Map<string, number>();
  for (const row of rows) {
    const keys = new Set<string>();
    for (const struct of Y.decodeUpdate(new Uint8Array(row.data)).structs) {
      const key = (struct as { parentSub?: string | null }).parentSub;
      if (key) keys.add(key);
    }
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const skip = await servicesGate({ postgres: true }, 'three instances behind a balancer');

describe('three instances behind a balancer', { skip }, () => {
  let cluster: Cluster;
  let board: CreatedBoard;

  before(async () => {
    cluster = await startCluster(3, { AUTH_FAILURES_PER_MINUTE: '5' });
    board = await createBoardWithLinks(cluster.balancer, 'Scale-out workshop');
  });
  after(async () => {
    // An instance that died on its own is a failure to explain: show what it said last.
    for (const instance of cluster?.instances ?? []) {
      if (instance.process.exitCode !== null || instance.process.signalCode !== null || /"level":(50|60)/.test(instance.output())) {
        console.error(`instance on port ${instance.port} died or failed (${instance.process.exitCode ?? instance.process.signalCode}):\n${instance
          .output()
          .split('\n')
          .filter((line) => /"level":(40|50|60)/.test(line))
          .join('\n')
          .slice(-4000)}`);
      }
    }
    await cluster?.stop();
  });

  test('clients of one board spread over the instances converge, and each edit is stored once', async () => {
    const clients = Array.from({ length: 6 }, () => connectClient(cluster.balancer.wsUrl, board.id));
    try {
      await Promise.all(clients.map((client) => waitForSync(client.provider)));
      for (const [port, count] of cluster.balancer.upgrades) assert.ok(count >= 1, `instance on port ${port} has clients`);
      clients.forEach((client, i) => {
        for (let k = 0; k < 5; k++) putShape(client.doc, `shape:c${i}-${k}`, i * 10, k * 10);
      });
      const expected = clients.flatMap((_, i) => Array.from({ length: 5 }, (_, k) => `shape:c${i}-${k}`)).sort();
      await waitFor(() => clients.every((client) => shapeIds(client.doc).length === expected.length), 'every client to hold all 30 shapes', 10_000);
      for (const client of clients) assert.deepEqual(shapeIds(client.doc), expected);
      let stored = new Map<string, number>();
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        stored = await rowsPerShape(cluster, board.id);
        if (expected.every((id) => stored.has(id))) break;
      }
      for (const id of expected) assert.equal(stored.get(id), 1, `${id} is stored exactly once`);
    } finally {
      closeAll(...clients.map((client) => client.provider));
    }
  });

  test('a link revoked through one instance closes its viewer on another within a second', async () => {
    const [a, , c] = cluster.instances;
    const viewer = new WebSocket(`${c!.wsUrl}/${board.id}?token=${encodeURIComponent(board.links.view.token)}`);
    await new Promise((resolve, reject) => viewer.once('open', resolve).once('error', reject));
    const closed = new Promise<{ code: number; at: number }>((resolve) => viewer.once('close', (code) => resolve({ code, at: Date.now() })));
    const revokedAt = Date.now();
    const response = await fetch(`${a!.url}/api/boards/${board.id}/links/${board.links.view.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${board.links.owner.token}` },
    });
    assert.equal(response.status, 204);
    const { code, at } = await closed;
    assert.equal(code, CloseCode.unauthorized);
    assert.ok(at - revokedAt < 1_000, `closed ${at - revokedAt} ms after the revocation`);
  });

  test('a viewer on any instance cannot write: its updates reach nobody and are not stored', async () => {
    const view = await fetch(`${cluster.instances[0]!.url}/api/boards/${board.id}/links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${board.links.owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'viewer' }),
    });
    const { token } = (await view.json()) as { token: string };
    const editor = connectClient(cluster.instances[0]!.wsUrl, board.id, new Y.Doc(), board.links.edit.token);
    const viewers = cluster.instances.map((instance) => connectClient(instance.wsUrl, board.id, new Y.Doc(), token));
    try {
      await Promise.all([editor, ...viewers].map((client) => waitForSync(client.provider)));
      viewers.forEach((client, i) => putShape(client.doc, `shape:viewer-${i}`));
      putShape(editor.doc, 'shape:after-viewers');
      // The editor's own later edit arrives everywhere; the viewers' never do.
      await waitFor(() => viewers.every((client) => shapeIds(client.doc).includes('shape:after-viewers')), 'the editor edit to reach every viewer');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(shapeIds(editor.doc).filter((id) => id.startsWith('shape:viewer-')), []);
      const stored = await cluster.database.storedBoard(board.id);
      assert.ok(getRecordsMap(stored).has('shape:after-viewers'), 'the editor edit is stored');
      assert.deepEqual(Object.keys(getRecordsMap(stored).toJSON()).filter((id) => id.startsWith('shape:viewer-')), []);
    } finally {
      closeAll(editor.provider, ...viewers.map((client) => client.provider));
    }
  });

  test('deleting a board through one instance closes its connections on every instance', async () => {
    const doomed = await createBoardWithLinks(cluster.balancer, 'Doomed');
    const sockets = cluster.instances.map((instance) => new WebSocket(`${instance.wsUrl}/${doomed.id}?token=${encodeURIComponent(doomed.links.edit.token)}`));
    await Promise.all(sockets.map((socket) => new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))));
    const closes = sockets.map((socket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code))));
    const deletedAt = Date.now();
    const response = await fetch(`${cluster.instances[1]!.url}/api/boards/${doomed.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${doomed.links.owner.token}` },
    });
    assert.equal(response.status, 204);
    assert.deepEqual(await Promise.all(closes), [CloseCode.boardDeleted, CloseCode.boardDeleted, CloseCode.boardDeleted]);
    assert.ok(Date.now() - deletedAt < 1_000);
  });

  test('failed token checks are counted across instances', async () => {
    const attempt = (instance: number) =>
      fetch(`${cluster.instances[instance]!.url}/api/boards/${board.id}`, {
        headers: { authorization: 'Bearer not-a-token', 'x-test': String(instance) },
      }).then((response) => response.status);
    // Five failures (the configured limit), spread over two instances.
    const statuses = [await attempt(0), await attempt(1), await attempt(0), await attempt(1), await attempt(0)];
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    assert.equal(await attempt(2), 429, 'the third instance already knows');
  });
});
