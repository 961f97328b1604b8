import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getRecordsMap, type StoryCardProps } from '@planboard/shared';
import { putShape, waitFor } from '../support/clients.js';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { importCards, join, occurrences, type Participant } from './participants.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

/** A custom deck of distinctive words: a vote value in any frame or body would be found. */
const DECK = ['qzx-amber', 'qzx-basalt', 'qzx-cobalt', 'qzx-dune', 'qzx-ember', 'qzx-fjord'];

async function workshop() {
  const board = await createBoardWithLinks(server, 'Sprint 14', 'sprint');
  const [cardId] = await importCards(server, board.id, board.links.owner.token, ['Checkout with saved cards', 'Refund flow']);
  const ada = await join(server, board.id, board.links.owner.token, 'Ada', 'owner');
  const bo = await join(server, board.id, board.links.edit.token, 'Bo', 'editor');
  const cy = await join(server, board.id, board.links.edit.token, 'Cy', 'editor');
  const vi = await join(server, board.id, board.links.view.token, 'Vi', 'viewer');
  return { board, cardId: cardId!, ada, bo, cy, vi, everyone: [ada, bo, cy, vi] };
}

const closeAll = (people: Participant[]) => people.forEach((p) => p.close());

test('before the reveal no frame and no HTTP body sent to anyone carries a vote; after it the distribution does', async () => {
  const { cardId, ada, bo, cy, vi, everyone } = await workshop();
  assert.equal((await ada.act('chair', { action: 'take' })).status, 204);
  assert.equal((await ada.act('poker', { action: 'open', cardId, deck: 'custom', customValues: DECK })).status, 204);
  await waitFor(() => everyone.every((p) => p.state().poker?.status === 'voting'), 'everyone to see the round');

  // Three votes on three deck values; three deck values nobody picks.
  const votes: [Participant, string][] = [[ada, 'qzx-basalt'], [bo, 'qzx-dune'], [cy, 'qzx-basalt']];
  for (const [person, value] of votes) {
    const answer = await person.act('poker/vote', { value });
    assert.equal(answer.status, 204, answer.body);
    assert.equal(answer.body, '', 'a vote is answered with nothing');
  }
  // The viewer cannot vote, and is told so.
  const refused = await vi.act('poker/vote', { value: 'qzx-amber' });
  assert.equal(refused.status, 403);
  assert.match(JSON.parse(refused.body).message, /viewers/);
  await waitFor(() => everyone.every((p) => p.state().poker?.voted.length === 3), 'everyone to see that three voted');
  // Everyone sees who has voted.
  assert.deepEqual(vi.state().poker!.voted.map((v) => v.name).sort(), ['Ada', 'Bo', 'Cy']);
  // Let any late frame arrive before looking.
  await new Promise((resolve) => setTimeout(resolve, 300));

  for (const person of everyone) {
    const sent = [...person.frames, ...person.bodies];
    assert.ok(person.frames.length > 0);
    // Each deck value is in the round (the deck is public) equally often: voted or not, the
    // bytes sent do not tell them apart. A vote value is never in any body.
    const counts = DECK.map((value) => occurrences(sent, value));
    assert.ok(counts[0]! > 0, 'the deck itself is visible');
    assert.deepEqual(new Set(counts).size, 1, `${person.name} received votes: ${DECK.map((v, i) => `${v}=${counts[i]}`).join(' ')}`);
    for (const value of DECK) assert.equal(occurrences(person.bodies, value), 0, `${person.name} got ${value} in an HTTP body`);
  }
  // The document holds no vote either.
  assert.equal(JSON.stringify(bo.doc.toJSON()).includes('"value"'), false);

  // The reveal shows the distribution to everyone (and so the check above can fail).
  const framesBefore = bo.frames.length;
  assert.equal((await ada.act('poker', { action: 'reveal' })).status, 204);
  await waitFor(() => everyone.every((p) => p.state().poker?.status === 'revealed'), 'everyone to see the reveal');
  const result = vi.state().poker!.result!;
  assert.deepEqual(result.distribution, [{ value: 'qzx-basalt', count: 2 }, { value: 'qzx-dune', count: 1 }]);
  assert.equal(result.consensus, null);
  const after = bo.frames.slice(framesBefore);
  assert.ok(occurrences(after, 'qzx-basalt') > occurrences(after, 'qzx-amber'), 'the revealed values are now sent');
  assert.equal(JSON.stringify(vi.state().poker).includes(bo.userId) && JSON.stringify(result).includes('Bo'), false, 'who voted what is not in the result');
  closeAll(everyone);
});

test('only the facilitator opens, reveals, accepts, summons and runs the timer; the accepted estimate lands on the card', async () => {
  const { board, cardId, ada, bo, cy, vi, everyone } = await workshop();
  // No chair yet: nobody may open a round.
  assert.equal((await ada.act('poker', { action: 'open', cardId })).status, 403);
  // A viewer cannot take the chair; an editor can; another editor then cannot; the owner takes it back.
  assert.equal((await vi.act('chair', { action: 'take' })).status, 403);
  assert.equal((await bo.act('chair', { action: 'take' })).status, 204);
  const taken = await cy.act('chair', { action: 'take' });
  assert.equal(taken.status, 409);
  assert.match(JSON.parse(taken.body).message, /Bo holds/);
  assert.equal((await ada.act('chair', { action: 'take' })).status, 204);
  await waitFor(() => vi.state().chair?.name === 'Ada', 'everyone to see Ada in the chair');

  const notChair = [bo, cy, vi];
  for (const person of notChair) {
    for (const [path, body] of [
      ['poker', { action: 'open', cardId }],
      ['timer', { action: 'start', durationMs: 60_000 }],
      ['attention', { mode: 'summon' }],
      ['attention', { mode: 'follow' }],
      ['dots', { action: 'start', cardIds: [cardId] }],
    ] as const) {
      const answer = await person.act(path, body);
      assert.equal(answer.status, 403, `${person.name} ${path} ${JSON.stringify(body)}: ${answer.body}`);
      assert.deepEqual(Object.keys(JSON.parse(answer.body)).sort(), ['error', 'message', 'statusCode']);
    }
  }
  assert.equal((await ada.act('poker', { action: 'open', cardId })).status, 204);
  for (const person of notChair) assert.equal((await person.act('poker', { action: 'reveal' })).status, 403);
  await bo.act('poker/vote', { value: '5' });
  await cy.act('poker/vote', { value: '8' });
  assert.equal((await bo.act('poker/vote', { value: '4' })).status, 400, 'not in the deck');
  assert.equal((await ada.act('poker/accept', { estimate: '5' })).status, 409, 'accept needs a reveal first');
  assert.equal((await ada.act('poker', { action: 'reveal' })).status, 204);
  assert.equal((await bo.act('poker/vote', { value: '3' })).status, 409, 'no vote after the reveal');
  for (const person of notChair) assert.equal((await person.act('poker/accept', { estimate: '8' })).status, 403);
  assert.equal((await ada.act('poker/accept', { estimate: '8' })).status, 204);

  // The estimate is the card's, for everyone and in the stored board.
  const estimateOf = (p: Participant) => (getRecordsMap(p.doc).get(cardId)?.['props'] as StoryCardProps | undefined)?.estimate;
  await waitFor(() => everyone.every((p) => estimateOf(p) === '8'), 'everyone to see the accepted estimate');
  const exported = await (await fetch(`${server.url}/api/boards/${board.id}/export.json`, { headers: { authorization: `Bearer ${board.links.view.token}` } })).json() as { records: Record<string, { props?: StoryCardProps }> };
  assert.equal(exported.records[cardId]!.props!.estimate, '8');

  // Re-vote is one call: a fresh round on the same card.
  assert.equal((await ada.act('poker', { action: 'revote' })).status, 204);
  await waitFor(() => vi.state().poker?.status === 'voting' && vi.state().poker?.voted.length === 0, 'a fresh round');

  // The board can let anyone with an edit link run the timer; viewers still cannot.
  assert.equal((await bo.act('settings', { anyoneControlsTimer: true })).status, 403, 'only the chair or an owner changes settings');
  assert.equal((await ada.act('settings', { anyoneControlsTimer: true })).status, 204);
  assert.equal((await bo.act('timer', { action: 'start', durationMs: 120_000 })).status, 204);
  assert.equal((await cy.act('timer', { action: 'pause' })).status, 204);
  assert.equal((await vi.act('timer', { action: 'resume' })).status, 403);
  await waitFor(() => vi.state().timer?.status === 'paused', 'everyone to see the paused timer');
  closeAll(everyone);
});

test('nobody can act under someone else\'s presence id, though the chair\'s id is public', async () => {
  const { board, cardId, ada, bo, everyone } = await workshop();
  await ada.act('chair', { action: 'take' });
  await waitFor(() => bo.state().chair?.userId === ada.userId, 'the chair to be public');
  // Bo copies Ada's id from the document and calls with it (and Bo's own secret).
  const impostor = await fetch(`${server.url}/api/boards/${board.id}/facilitation/poker`, {
    method: 'POST',
    headers: { authorization: `Bearer ${board.links.owner.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: bo.state().chair!.userId, name: 'Ada', secret: bo.secret, action: 'open', cardId }),
  });
  assert.equal(impostor.status, 403);
  assert.match(((await impostor.json()) as { message: string }).message, /someone else/);
  assert.equal(bo.state().poker, null);
  // Without a secret the call is malformed.
  const bare = await fetch(`${server.url}/api/boards/${board.id}/facilitation/chair`, {
    method: 'POST',
    headers: { authorization: `Bearer ${board.links.owner.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'someone-new', name: 'X', action: 'take' }),
  });
  assert.equal(bare.status, 400);
  closeAll(everyone);
});

test('bad input gets a clear 4xx in one shape', async () => {
  const { ada, everyone } = await workshop();
  await ada.act('chair', { action: 'take' });
  for (const [path, body, status] of [
    ['poker', { action: 'open', cardId: 'shape:nope' }, 404],
    ['poker', { action: 'open', cardId: 'x', deck: 'custom', customValues: ['only-one'] }, 400],
    ['poker', { action: 'dance' }, 400],
    ['timer', { action: 'start', durationMs: 10 }, 400],
    ['timer', { action: 'pause' }, 409],
    ['poker/vote', { value: '5' }, 409],
    ['chair', { action: 'take', extra: 1 }, 400],
  ] as const) {
    const answer = await ada.act(path, body);
    assert.equal(answer.status, status, `${path} ${JSON.stringify(body)}: ${answer.body}`);
    const parsed = JSON.parse(answer.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed).sort(), ['error', 'message', 'statusCode']);
    assert.ok(typeof parsed['message'] === 'string' && parsed['message'].length > 5);
  }
  const anonymous = await fetch(`${server.url}/api/boards/${everyone[0]!.provider.roomname}/facilitation/chair`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u', name: 'n', secret: 'x'.repeat(20), action: 'take' }),
  });
  assert.equal(anonymous.status, 401);
  closeAll(everyone);
});

test('an editor whose client writes the facilitation map itself is ignored: the chair and the round stay the server\'s', async () => {
  const { cardId, ada, bo, cy, everyone } = await workshop();
  await ada.act('chair', { action: 'take' });
  await ada.act('poker', { action: 'open', cardId });
  await waitFor(() => cy.state().poker?.status === 'voting', 'the round');
  // Bo's client forges: Bo in the chair, the round revealed with invented results.
  bo.doc.getMap('facilitation').set('chair', { userId: bo.userId, name: 'Bo' });
  bo.doc.getMap('facilitation').set('poker', { ...bo.state().poker, status: 'revealed' });
  bo.doc.getMap('facilitation').delete('timer');
  // An ordinary edit by another editor still goes through, and arrives after the forgery.
  putShape(cy.doc, 'shape:marker');
  await waitFor(() => getRecordsMap(ada.doc).has('shape:marker'), 'the ordinary edit');
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const person of [ada, cy]) {
    assert.equal(person.state().chair?.name, 'Ada');
    assert.equal(person.state().poker?.status, 'voting');
  }
  // The server still acts on its own data: Bo is not the facilitator.
  assert.equal((await bo.act('poker', { action: 'reveal' })).status, 403);
  closeAll(everyone);
});
