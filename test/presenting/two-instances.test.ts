import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { getRecordsMap, readPresenting, type CreatedBoard } from '@planboard/shared';
import { connectClient, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks } from '../support/server.js';
import { startCluster } from '../scale/cluster.js';
import { requireServices } from '../scale/services.js';

/** Calls the presenting routes of one instance with a link and a presence identity. */
function person(instance: { url: string }, board: CreatedBoard, link: keyof CreatedBoard['links'], name: string) {
  const userId = `user-${name.toLowerCase()}-${randomBytes(3).toString('hex')}`;
  const secret = randomBytes(24).toString('base64url');
  return async (action: 'start' | 'go' | 'stop', slideId?: string) =>
    (
      await fetch(`${instance.url}/api/boards/${board.id}/presenting`, {
        method: 'POST',
        headers: { authorization: `Bearer ${board.links[link].token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId, name, secret, action, slideId }),
      })
    ).status;
}

test('a presenter on one instance drives a stock client on another; the rules hold on both (PostgreSQL + Redis)', async (t) => {
  if (!(await requireServices(t, { postgres: true, redis: true }))) return;
  const cluster = await startCluster(2);
  try {
    const [one, two] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const board = await createBoardWithLinks(one, 'Q3 roadmap', 'roadmap');
    const watcher = connectClient(two.wsUrl, board.id, new Y.Doc(), board.links.view.token);
    await waitForSync(watcher.provider);
    const frames = [...getRecordsMap(watcher.doc).values()].filter((r) => r['type'] === 'frame').map((r) => r.id);
    assert.equal(frames.length, 3);

    const bo = person(one, board, 'edit', 'Bo');
    assert.equal(await bo('start', frames[0]), 204);
    await waitFor(() => readPresenting(watcher.doc).presentation?.slideId === frames[0], 'the slide on the other instance');
    assert.equal(await bo('go', frames[1]), 204);
    await waitFor(() => readPresenting(watcher.doc).presentation?.slideId === frames[1], 'the move on the other instance');

    // On the other instance: a viewer cannot take over, another editor cannot move Bo's slides.
    assert.equal(await person(two, board, 'view', 'Vi')('start', frames[2]), 403);
    assert.equal(await person(two, board, 'edit', 'Cy')('go', frames[2]), 403);
    assert.equal(await person(two, board, 'edit', 'Cy')('start', frames[2]), 409);
    // An owner on the other instance ends it; everyone sees it end.
    assert.equal(await person(two, board, 'owner', 'Ada')('stop'), 204);
    await waitFor(() => readPresenting(watcher.doc).presentation === null, 'the end on both instances');
    watcher.provider.destroy();
  } finally {
    await cluster.stop();
  }
});
