import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/clients.js';
import { createBoardWithLinks, startServer } from '../support/server.js';
import { importCards, join } from './participants.js';

test('votes, the chair and the timer survive a server restart mid-round', async () => {
  let server = await startServer();
  const board = await createBoardWithLinks(server, 'Sprint 15', 'sprint');
  const [cardId] = await importCards(server, board.id, board.links.owner.token, ['Search by SKU']);
  let ada = await join(server, board.id, board.links.owner.token, 'Ada', 'owner');
  let bo = await join(server, board.id, board.links.edit.token, 'Bo', 'editor');
  const adaId = ada.userId;
  const adaSecret = ada.secret;
  const boId = bo.userId;
  await ada.act('chair', { action: 'take' });
  await ada.act('timer', { action: 'start', durationMs: 600_000 });
  await ada.act('poker', { action: 'open', cardId, deck: 'tshirt' });
  assert.equal((await ada.act('poker/vote', { value: 'L' })).status, 204);
  assert.equal((await bo.act('poker/vote', { value: 'XL' })).status, 204);
  await waitFor(() => bo.state().poker?.voted.length === 2, 'two votes seen');
  const endsAt = bo.state().timer?.status === 'running' ? (bo.state().timer as { endsAt: number }).endsAt : null;
  ada.close();
  bo.close();

  // A hard kill: nothing is flushed at exit.
  await server.kill();
  server = await startServer({ dataDir: server.dataDir, port: server.port });
  try {
    ada = await join(server, board.id, board.links.owner.token, 'Ada', 'owner');
    bo = await join(server, board.id, board.links.edit.token, 'Bo', 'editor');
    // Same people (their presence ids are kept in the browser), same chair.
    const asAda = (path: string, body: Record<string, unknown>) =>
      fetch(`${server.url}/api/boards/${board.id}/facilitation/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${board.links.owner.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: adaId, name: 'Ada', secret: adaSecret, ...body }),
      });
    const state = bo.state();
    assert.equal(state.chair?.userId, adaId);
    assert.deepEqual(state.poker?.voted.map((v) => v.userId).sort(), [adaId, boId].sort());
    assert.equal(state.timer?.status === 'running' && state.timer.endsAt, endsAt, 'the same end time');
    assert.equal((await asAda('poker', { action: 'reveal' })).status, 204);
    await waitFor(() => bo.state().poker?.status === 'revealed', 'the reveal after the restart');
    assert.deepEqual(bo.state().poker!.result!.distribution, [{ value: 'L', count: 1 }, { value: 'XL', count: 1 }]);
  } finally {
    ada.close();
    bo.close();
    await server.stop();
    server.cleanup();
  }
});

test('a round set to reveal itself does so when everyone present who votes has voted', async () => {
  const server = await startServer();
  try {
    const board = await createBoardWithLinks(server, 'Sprint 16', 'sprint');
    const [cardId] = await importCards(server, board.id, board.links.owner.token, ['Export invoices']);
    const ada = await join(server, board.id, board.links.owner.token, 'Ada', 'owner');
    const bo = await join(server, board.id, board.links.edit.token, 'Bo', 'editor');
    const cy = await join(server, board.id, board.links.edit.token, 'Cy', 'editor');
    const vi = await join(server, board.id, board.links.view.token, 'Vi', 'viewer');
    await waitFor(() => ada.provider.awareness.getStates().size >= 4, 'everyone present');
    await ada.act('chair', { action: 'take' });
    await ada.act('poker', { action: 'open', cardId, autoReveal: true });
    await ada.act('poker/vote', { value: '3' });
    await bo.act('poker/vote', { value: '3' });
    assert.equal((await cy.act('poker/spectate', { spectating: true })).status, 204, 'Cy does not vote this time');
    // The viewer watches; it is not waited for.
    await waitFor(() => vi.state().poker?.status === 'revealed', 'the round to reveal itself');
    assert.equal(vi.state().poker!.result!.consensus, '3');
    for (const p of [ada, bo, cy, vi]) p.close();
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a dot vote whose end time passed while the server was down is revealed when the board is next opened, once', async () => {
  let server = await startServer();
  const board = await createBoardWithLinks(server, 'Sprint 17', 'sprint');
  const cardIds = await importCards(server, board.id, board.links.owner.token, ['Refund flow', 'Search by SKU']);
  const ada = await join(server, board.id, board.links.owner.token, 'Ada', 'owner');
  const bo = await join(server, board.id, board.links.edit.token, 'Bo', 'editor');
  await ada.act('chair', { action: 'take' });
  assert.equal((await ada.act('dots', { action: 'start', cardIds, dotsPerPerson: 2, maxPerCard: 1, durationMs: 4_000 })).status, 204);
  assert.equal((await bo.act('dots/place', { cardId: cardIds[1], delta: 1 })).status, 200);
  assert.equal((await ada.act('dots/place', { cardId: cardIds[1], delta: 1 })).status, 200);
  await waitFor(() => bo.state().dots?.voters.length === 2, 'two voters seen');
  assert.equal(bo.state().dots!.counts, null);
  ada.close();
  bo.close();

  // Killed before the end time; back after it.
  await server.kill();
  await new Promise((resolve) => setTimeout(resolve, 4_500));
  server = await startServer({ dataDir: server.dataDir, port: server.port });
  try {
    const cy = await join(server, board.id, board.links.view.token, 'Cy', 'viewer');
    await waitFor(() => cy.state().dots?.status === 'revealed', 'the reveal once the board is loaded again');
    assert.deepEqual(cy.state().dots!.counts, { [cardIds[0]!]: 0, [cardIds[1]!]: 2 });
    const votes = () => cardIds.map((id) => (cy.doc.getMap('tl_records').get(id) as { props: { votes: number } }).props.votes);
    await waitFor(() => votes()[1] === 2, 'the count on the card');
    assert.deepEqual(votes(), [0, 2]);
    cy.close();
  } finally {
    await server.stop();
    server.cleanup();
  }
});
