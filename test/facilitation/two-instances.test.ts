import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getRecordsMap, type StoryCardProps } from '@planboard/shared';
import { waitFor } from '../support/clients.js';
import { createBoardWithLinks } from '../support/server.js';
import { startCluster } from '../scale/cluster.js';
import { requireServices } from '../scale/services.js';
import { importCards, join, occurrences } from './participants.js';

const DECK = ['qzx-harbor', 'qzx-island', 'qzx-jetty', 'qzx-kelp'];

test('participants on two instances (PostgreSQL + Redis) vote in one round, votes stay secret, and see one result', async (t) => {
  if (!(await requireServices(t, { postgres: true, redis: true }))) return;
  const cluster = await startCluster(2);
  try {
    const [one, two] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const board = await createBoardWithLinks(one, 'PI planning', 'sprint');
    const [cardId] = await importCards(one, board.id, board.links.owner.token, ['Payments API']);
    const ada = await join(one, board.id, board.links.owner.token, 'Ada', 'owner');
    const bo = await join(two, board.id, board.links.edit.token, 'Bo', 'editor');
    const cy = await join(two, board.id, board.links.edit.token, 'Cy', 'editor');
    const vi = await join(one, board.id, board.links.view.token, 'Vi', 'viewer');
    const everyone = [ada, bo, cy, vi];
    assert.equal((await ada.act('chair', { action: 'take' })).status, 204);
    // Bo, on the other instance, is refused: the chair is in the shared store.
    assert.equal((await bo.act('poker', { action: 'open', cardId: cardId! })).status, 403);
    assert.equal((await ada.act('poker', { action: 'open', cardId: cardId!, deck: 'custom', customValues: DECK })).status, 204);
    await waitFor(() => everyone.every((p) => p.state().poker?.status === 'voting'), 'the round on both instances');

    // Three votes at once, on both instances.
    const answers = await Promise.all([ada.act('poker/vote', { value: 'qzx-island' }), bo.act('poker/vote', { value: 'qzx-kelp' }), cy.act('poker/vote', { value: 'qzx-island' })]);
    assert.deepEqual(answers.map((a) => a.status), [204, 204, 204]);
    await waitFor(() => everyone.every((p) => p.state().poker?.voted.length === 3), 'everyone, on both instances, to see three voted');
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const person of everyone) {
      const counts = DECK.map((value) => occurrences([...person.frames, ...person.bodies], value));
      assert.equal(new Set(counts).size, 1, `${person.name} received votes: ${counts}`);
    }

    assert.equal((await ada.act('poker', { action: 'reveal' })).status, 204);
    await waitFor(() => everyone.every((p) => p.state().poker?.status === 'revealed'), 'the reveal on both instances');
    for (const person of everyone) {
      assert.deepEqual(person.state().poker!.result!.distribution, [{ value: 'qzx-island', count: 2 }, { value: 'qzx-kelp', count: 1 }]);
    }
    assert.equal((await ada.act('poker/accept', { estimate: '13' })).status, 204);
    const estimateOf = (doc: typeof bo.doc) => (getRecordsMap(doc).get(cardId!)?.['props'] as StoryCardProps | undefined)?.estimate;
    await waitFor(() => everyone.every((p) => estimateOf(p.doc) === '13'), 'the estimate on both instances');
    for (const person of everyone) person.close();
  } finally {
    await cluster.stop();
  }
});

test('a dot vote with an end time is revealed once by one of the two instances that hold the board', async (t) => {
  if (!(await requireServices(t, { postgres: true, redis: true }))) return;
  const cluster = await startCluster(2);
  try {
    const [one, two] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const board = await createBoardWithLinks(one, 'Retro', 'sprint');
    const cardIds = await importCards(one, board.id, board.links.owner.token, ['Flaky deploys', 'Slow reviews']);
    const ada = await join(one, board.id, board.links.owner.token, 'Ada', 'owner');
    const bo = await join(two, board.id, board.links.edit.token, 'Bo', 'editor');
    // Every change of the vote's public state that Bo receives, in order.
    const seen: string[] = [];
    bo.doc.getMap('facilitation').observe((event) => {
      if (event.keysChanged.has('dots')) seen.push(bo.state().dots?.status ?? 'none');
    });
    assert.equal((await ada.act('chair', { action: 'take' })).status, 204);
    assert.equal((await ada.act('dots', { action: 'start', cardIds, dotsPerPerson: 1, maxPerCard: 1, durationMs: 3_000 })).status, 204);
    await waitFor(() => bo.state().dots?.status === 'open', 'the vote on the other instance');
    assert.equal((await bo.act('dots/place', { cardId: cardIds[0], delta: 1 })).status, 200);
    assert.equal((await ada.act('dots/place', { cardId: cardIds[0], delta: 1 })).status, 200);
    await waitFor(() => ada.state().dots?.status === 'revealed' && bo.state().dots?.status === 'revealed', 'the reveal at the end time on both instances', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(seen.filter((status) => status === 'revealed').length, 1, `revealed once: ${seen.join(', ')}`);
    assert.deepEqual(bo.state().dots!.counts, { [cardIds[0]!]: 2, [cardIds[1]!]: 0 });
    ada.close();
    bo.close();
  } finally {
    await cluster.stop();
  }
});
