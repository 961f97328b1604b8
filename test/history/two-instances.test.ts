import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, putShape } from '../support/clients.js';
import { createBoardWithLinks } from '../support/server.js';
import { startCluster } from '../scale/cluster.js';
import { requireServices } from '../scale/services.js';
import { history, person, recordsOfState, waitForServer } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('two instances with editors on one board take one automatic version per spell between them, not one each (PostgreSQL + Redis)', async (t) => {
  if (!(await requireServices(t, { postgres: true, redis: true }))) return;
  const cluster = await startCluster(2, { VERSION_INTERVAL_SECONDS: '1' });
  try {
    const [one, two] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const board = await createBoardWithLinks(one, 'PI planning', 'sprint');
    const api = history(one, board.id, board.links.edit.token);
    const ada = await person(one, board.id, board.links.owner.token, 'Ada');
    const bo = await person(two, board.id, board.links.edit.token, 'Bo');
    // Both edit at once, each on their own instance, for about three intervals: each instance
    // has a spell of its own from the first change on.
    const started = Date.now();
    for (let i = 0; i < 30; i++) {
      putShape(ada.doc, `shape:ada-${i}`, i * 10, 0);
      putShape(bo.doc, `shape:bo-${i}`, i * 10, 100);
      await sleep(100);
    }
    await waitForServer(two, board.id, board.links.edit.token, (records) => 'shape:ada-29' in records && 'shape:bo-29' in records);
    await sleep(1500);
    const elapsed = Date.now() - started;
    const automatic = (await api.list()).body.versions.filter((v) => v.kind === 'automatic').reverse();
    const times = automatic.map((v) => Date.parse(v.createdAt));
    assert.ok(automatic.length >= 2, `versions were taken while both edited (${automatic.length})`);
    assert.ok(automatic.length <= Math.ceil(elapsed / 1000) + 1, `at most one per interval between both instances: ${automatic.length} in ${elapsed} ms`);
    for (let i = 1; i < times.length; i++) {
      assert.ok(times[i]! - times[i - 1]! >= 250, `no two automatic versions of one spell (${times.map((time) => time - started).join(', ')} ms)`);
    }
    const last = recordsOfState((await api.content(automatic.at(-1)!.id)).body);
    assert.ok('shape:ada-29' in last && 'shape:bo-29' in last, 'the last version holds both instances\' edits');
    closeAll(ada.provider, bo.provider);
  } finally {
    await cluster.stop();
  }
});
