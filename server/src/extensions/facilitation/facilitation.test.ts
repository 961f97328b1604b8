import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { getRecordsMap, readFacilitation, storyCardRecord, type Role, type StoryCardProps } from '@planboard/shared';
import { memoryBoardData } from './board-data.js';
import type { BoardDocs } from './board-docs.js';
import { Facilitation, FacilitationError, type Actor } from './facilitation.js';

/** One board in memory, with the people "present" on it. */
function setup() {
  const doc = new Y.Doc();
  const cards = ['One', 'Two', 'Three'].map((title, i) => storyCardRecord({ x: i * 300, y: 0, parentId: 'page:page', index: `a${i + 1}` }, { title }));
  for (const card of cards) getRecordsMap(doc).set(card.id, card);
  const present: (Actor & { role: Role })[] = [];
  const docs: BoardDocs = {
    read: async (boardId, use) => (boardId === 'b' ? use(doc) : null),
    change: async (boardId, use) => (boardId === 'b' ? doc.transact(() => use(doc)) : null),
    present: async () => present,
  };
  let now = 1_000_000;
  const data = memoryBoardData();
  const facilitation = new Facilitation(docs, data, () => now);
  const person = (name: string, role: Role): Actor => {
    const actor = { userId: `u-${name}`, name, role };
    present.push(actor);
    return actor;
  };
  return { doc, data, facilitation, cardIds: cards.map((c) => c.id), person, tick: (ms: number) => (now += ms) };
}

const refusedWith = (status: number) => (error: unknown) => error instanceof FacilitationError && error.statusCode === status;

test('a round keeps votes out of the document until the reveal, then shows only the distribution', async () => {
  const { doc, data, facilitation, cardIds, person } = setup();
  const ada = person('Ada', 'owner');
  const bo = person('Bo', 'editor');
  await facilitation.takeChair('b', ada);
  await facilitation.openRound('b', ada, { cardId: cardIds[0]!, deck: 'custom', customValues: ['wombat', 'quokka', 'dingo'] });
  await facilitation.vote('b', ada, 'quokka');
  await facilitation.vote('b', bo, 'dingo');
  await facilitation.vote('b', bo, 'quokka');
  const json = JSON.stringify(doc.toJSON());
  assert.equal(json.split('quokka').length - 1, 1, 'only the deck mentions quokka');
  assert.deepEqual(readFacilitation(doc).poker!.voted.map((v) => v.name), ['Ada', 'Bo']);
  // The votes are in the server-side data.
  const round = readFacilitation(doc).poker!;
  assert.equal(((await data.get('b', `facilitation:poker-vote:${round.roundId}:u-Bo`)) as { value: string }).value, 'quokka');
  await facilitation.reveal('b', ada);
  const result = readFacilitation(doc).poker!.result!;
  assert.deepEqual(result.distribution, [{ value: 'quokka', count: 2 }]);
  assert.equal(result.consensus, 'quokka');
  await facilitation.accept('b', ada, '5');
  assert.equal((getRecordsMap(doc).get(cardIds[0]!)!['props'] as StoryCardProps).estimate, '5');
  // A re-vote drops the old votes.
  await facilitation.revote('b', ada);
  assert.equal((await data.list('b', `facilitation:poker-vote:${round.roundId}:`)).size, 0);
});

test('the chair decides: editors take a free chair, owners take it back, viewers never', async () => {
  const { facilitation, cardIds, person } = setup();
  const ada = person('Ada', 'owner');
  const bo = person('Bo', 'editor');
  const cy = person('Cy', 'editor');
  const vi = person('Vi', 'viewer');
  await assert.rejects(facilitation.takeChair('b', vi), refusedWith(403));
  await facilitation.takeChair('b', bo);
  await assert.rejects(facilitation.takeChair('b', cy), refusedWith(409));
  await assert.rejects(facilitation.openRound('b', cy, { cardId: cardIds[0]!, deck: 'estimates' }), refusedWith(403));
  await facilitation.handChair('b', bo, { userId: cy.userId, name: cy.name });
  await facilitation.openRound('b', cy, { cardId: cardIds[0]!, deck: 'estimates' });
  await assert.rejects(facilitation.handChair('b', bo, { userId: bo.userId, name: bo.name }), refusedWith(403));
  await assert.rejects(facilitation.handChair('b', cy, { userId: vi.userId, name: vi.name }), refusedWith(400));
  await facilitation.takeChair('b', ada);
  await assert.rejects(facilitation.reveal('b', cy), refusedWith(403));
  await assert.rejects(facilitation.vote('b', vi, '3'), refusedWith(403));
});

test('the timer runs on the server clock; others control it only when the board allows', async () => {
  const { doc, facilitation, person, tick } = setup();
  const ada = person('Ada', 'owner');
  const bo = person('Bo', 'editor');
  const vi = person('Vi', 'viewer');
  await facilitation.takeChair('b', ada);
  await facilitation.timer('b', ada, 'start', 300_000);
  assert.deepEqual(readFacilitation(doc).timer, { status: 'running', endsAt: 1_300_000, durationMs: 300_000 });
  await assert.rejects(facilitation.timer('b', bo, 'pause'), refusedWith(403));
  await facilitation.setSettings('b', ada, { anyoneControlsTimer: true });
  tick(100_000);
  await facilitation.timer('b', bo, 'pause');
  assert.deepEqual(readFacilitation(doc).timer, { status: 'paused', remainingMs: 200_000, durationMs: 300_000 });
  await assert.rejects(facilitation.timer('b', vi, 'resume'), refusedWith(403));
});

test('dot counts stay hidden until the reveal, then go onto the cards', async () => {
  const { doc, facilitation, cardIds, person } = setup();
  const ada = person('Ada', 'owner');
  const bo = person('Bo', 'editor');
  await facilitation.takeChair('b', ada);
  await facilitation.startDots('b', ada, { cardIds, dotsPerPerson: 2, maxPerCard: 2 });
  assert.deepEqual(await facilitation.placeDot('b', bo, cardIds[1]!, 1), { [cardIds[1]!]: 1 });
  await facilitation.placeDot('b', bo, cardIds[1]!, 1);
  await assert.rejects(facilitation.placeDot('b', bo, cardIds[0]!, 1), refusedWith(400));
  await facilitation.placeDot('b', ada, cardIds[2]!, 1);
  assert.equal(readFacilitation(doc).dots!.counts, null);
  assert.deepEqual(readFacilitation(doc).dots!.voters.map((v) => v.name).sort(), ['Ada', 'Bo']);
  await facilitation.revealDots('b', ada);
  assert.deepEqual(readFacilitation(doc).dots!.counts, { [cardIds[0]!]: 0, [cardIds[1]!]: 2, [cardIds[2]!]: 1 });
  const votes = cardIds.map((id) => (getRecordsMap(doc).get(id)!['props'] as StoryCardProps).votes);
  assert.deepEqual(votes, [0, 2, 1]);
});

test('a dot vote reveals itself at its end time, once, whichever instance checks first; a board loaded later is revealed then', async () => {
  const { doc, data, cardIds, person } = setup();
  let reveals = 0;
  let lastStatus: string | null = null;
  const docs: BoardDocs = {
    read: async (boardId, use) => (boardId === 'b' ? use(doc) : null),
    change: async (boardId, use) => {
      if (boardId !== 'b') return null;
      const result = doc.transact(() => use(doc));
      const status = readFacilitation(doc).dots?.status ?? null;
      if (status === 'revealed' && lastStatus !== 'revealed') reveals++;
      lastStatus = status;
      return result;
    },
    present: async () => [],
  };
  // Two instances over one store: both watch the vote's end time.
  const a = new Facilitation(docs, data);
  const b = new Facilitation(docs, data);
  const ada = person('Ada', 'owner');
  const bo = person('Bo', 'editor');
  await a.takeChair('b', ada);
  await a.startDots('b', ada, { cardIds, dotsPerPerson: 2, maxPerCard: 1, durationMs: 150 });
  await b.watchStoredDotVote('b');
  await b.placeDot('b', bo, cardIds[2]!, 1);
  await a.placeDot('b', ada, cardIds[2]!, 1);
  assert.equal(readFacilitation(doc).dots!.counts, null, 'hidden while open');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(readFacilitation(doc).dots!.status, 'revealed');
  assert.equal(reveals, 1, 'revealed once although both instances watched');
  assert.equal((getRecordsMap(doc).get(cardIds[2]!)!['props'] as StoryCardProps).votes, 2);
  await assert.rejects(b.placeDot('b', bo, cardIds[0]!, 1), refusedWith(409));

  // Every instance that watched it is gone when the next vote ends (a restart): the first
  // instance to load the board afterwards reveals it.
  await a.startDots('b', ada, { cardIds, dotsPerPerson: 1, maxPerCard: 1, durationMs: 100 });
  await b.watchStoredDotVote('b');
  await b.placeDot('b', bo, cardIds[0]!, 1);
  a.close();
  b.forgetBoard('b');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(readFacilitation(doc).dots!.status, 'open', 'nobody was watching');
  const restarted = new Facilitation(docs, data);
  await restarted.watchStoredDotVote('b');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(readFacilitation(doc).dots!.status, 'revealed');
  assert.equal(readFacilitation(doc).dots!.counts![cardIds[0]!], 1);
  assert.equal(reveals, 2);
  restarted.close();
});

test('a deadline timer that fires before the wall clock reaches the end time waits the rest and reveals then', async () => {
  const { doc, data, cardIds, person } = setup();
  const docs: BoardDocs = {
    read: async (boardId, use) => (boardId === 'b' ? use(doc) : null),
    change: async (boardId, use) => (boardId === 'b' ? doc.transact(() => use(doc)) : null),
    present: async () => [],
  };
  // The wall clock this instance reads falls 40 ms behind the timers once the vote is open:
  // the timer fires "early" by the wall clock, as Node's timers can by a millisecond.
  let lag = 0;
  const facilitation = new Facilitation(docs, data, () => Date.now() - lag);
  const ada = person('Ada', 'owner');
  await facilitation.takeChair('b', ada);
  await facilitation.startDots('b', ada, { cardIds, dotsPerPerson: 1, maxPerCard: 1, durationMs: 100 });
  lag = 40;
  await new Promise((resolve) => setTimeout(resolve, 115));
  assert.equal(readFacilitation(doc).dots!.status, 'open', 'not before the end time by the wall clock');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(readFacilitation(doc).dots!.status, 'revealed', 'revealed once the wall clock got there');
  facilitation.close();
});
