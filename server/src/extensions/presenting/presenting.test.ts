import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { frameRecord, getFacilitationMap, getRecordsMap, readPresenting, storyCardRecord, type Role } from '@planboard/shared';
import type { BoardDocs } from '../facilitation/board-docs.js';
import type { Actor } from '../facilitation/facilitation.js';
import { Presenting, PresentingError } from './presenting.js';

/** One board in memory with three frames and a card. */
function setup() {
  const doc = new Y.Doc();
  const frames = ['Goals', 'Plan', 'Risks'].map((name, i) => frameRecord({ x: i * 1200, y: 0, index: `a${i + 1}` }, { w: 1000, h: 600 }, name, { kind: 'column' }));
  const card = storyCardRecord({ x: 0, y: 900, index: 'a4' }, { title: 'Loose card' });
  for (const record of [...frames, card]) getRecordsMap(doc).set(record.id, record);
  const docs: BoardDocs = {
    read: async (boardId, use) => (boardId === 'b' ? use(doc) : null),
    change: async (boardId, use) => (boardId === 'b' ? doc.transact(() => use(doc)) : null),
    present: async () => [],
  };
  const presenting = new Presenting(docs, () => 42);
  const person = (name: string, role: Role): Actor => ({ userId: `u-${name}`, name, role });
  return { doc, presenting, frameIds: frames.map((f) => f.id), cardId: card.id, person };
}

const refusedWith = (status: number) => (error: unknown) => error instanceof PresentingError && error.statusCode === status;

test('an editor starts, moves and ends a presentation; the document holds it, one id throughout', async () => {
  const { doc, presenting, frameIds, person } = setup();
  const bo = person('Bo', 'editor');
  const started = await presenting.start('b', bo, frameIds[0]!);
  assert.deepEqual(readPresenting(doc).presentation, { id: started.id, presenter: { userId: 'u-Bo', name: 'Bo' }, slideId: frameIds[0], startedAt: 42 });
  await presenting.go('b', bo, frameIds[2]!);
  assert.equal(readPresenting(doc).presentation!.slideId, frameIds[2]);
  assert.equal(readPresenting(doc).presentation!.id, started.id);
  await presenting.stop('b', bo);
  assert.equal(readPresenting(doc).presentation, null);
});

test('viewers never present; only the presenter moves; the presenter, the chair or an owner ends it', async () => {
  const { doc, presenting, frameIds, person } = setup();
  const vi = person('Vi', 'viewer');
  const bo = person('Bo', 'editor');
  const cy = person('Cy', 'editor');
  await assert.rejects(presenting.start('b', vi, frameIds[0]!), refusedWith(403));
  await presenting.start('b', bo, frameIds[0]!);
  await assert.rejects(presenting.start('b', cy, frameIds[1]!), refusedWith(409));
  await assert.rejects(presenting.go('b', cy, frameIds[1]!), refusedWith(403));
  await assert.rejects(presenting.stop('b', cy), refusedWith(403));
  await assert.rejects(presenting.stop('b', vi), refusedWith(403));
  // Cy takes the chair (as facilitation publishes it): Cy may now end Bo's presentation, Bo may no longer move.
  getFacilitationMap(doc).set('chair', { userId: 'u-Cy', name: 'Cy' });
  await assert.rejects(presenting.go('b', bo, frameIds[1]!), refusedWith(403));
  await presenting.stop('b', cy);
  assert.equal(readPresenting(doc).presentation, null);
  await assert.rejects(presenting.start('b', person('Ada', 'owner'), frameIds[0]!), (e) => refusedWith(403)(e) && /facilitator \(Cy\)/.test((e as Error).message));
});

test('slides are frames: a card or an unknown id is refused; the order keeps frame ids, once each', async () => {
  const { doc, presenting, frameIds, cardId, person } = setup();
  const bo = person('Bo', 'editor');
  await assert.rejects(presenting.start('b', bo, cardId), refusedWith(400));
  await assert.rejects(presenting.setOrder('b', bo, [frameIds[0]!, 'shape:gone']), refusedWith(400));
  await presenting.setOrder('b', bo, [frameIds[2]!, frameIds[0]!, frameIds[2]!]);
  assert.deepEqual(readPresenting(doc).order, [frameIds[2], frameIds[0]]);
  await presenting.setOrder('b', bo, null);
  assert.equal(readPresenting(doc).order, null);
  await assert.rejects(presenting.setOrder('b', person('Vi', 'viewer'), [frameIds[1]!]), refusedWith(403));
  await assert.rejects(presenting.start('nope', bo, frameIds[0]!), refusedWith(404));
});
