import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredRecord } from '../document.js';
import { placeNewCards } from './layout.js';
import { buildTemplate } from './templates.js';
import { PAGE_ID, storyCardRecord } from './records.js';
import { derivePlanning } from './structure.js';
import { STORY_CARD_SIZE } from './story-card.js';

function place(records: StoredRecord[], count: number) {
  const placement = placeNewCards(records, count);
  const cards = placement.positions.map((p) => storyCardRecord({ ...p, parentId: placement.parentId }, { title: 't' }));
  return { placement, cards };
}

function assertNoOverlap(records: StoredRecord[]) {
  const boxes = derivePlanning(records).cards.map((c) => ({ x: c.center.x - STORY_CARD_SIZE.w / 2, y: c.center.y - STORY_CARD_SIZE.h / 2 }));
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i]!;
    const b = boxes[j]!;
    assert.ok(Math.abs(a.x - b.x) >= STORY_CARD_SIZE.w || Math.abs(a.y - b.y) >= STORY_CARD_SIZE.h, `cards ${i} and ${j} overlap`);
  }
}

test('new cards go into the backlog lane, around the cards already there, and the lane grows to fit', () => {
  const template = buildTemplate('sprint');
  const backlog = derivePlanning(template).lanes.find((l) => l.kind === 'backlog')!;
  const existing = storyCardRecord({ x: 20, y: 20, index: 'a1', parentId: backlog.id }, { title: 'already here' });
  const { placement, cards } = place([...template, existing], 12);
  assert.equal(placement.parentId, backlog.id);
  assert.equal(placement.laneName, 'Backlog');
  const all = [...template, existing, ...cards];
  const model = derivePlanning(all.map((r) => (r.id === backlog.id && placement.laneHeight ? { ...r, props: { ...(r['props'] as object), h: placement.laneHeight } } : r)));
  assert.ok(model.cards.every((card) => card.laneId === backlog.id), 'every card inside the backlog lane');
  assertNoOverlap(all);
  assert.ok(placement.laneHeight! > backlog.box.h, 'the lane grew');
  const indices = cards.map((c) => String(c['index']));
  assert.ok(indices.every((index) => index > 'a1') && new Set(indices).size === 12 && [...indices].sort().join() === indices.join());
});

test('on a board without lanes, cards go in a grid to the right of everything', () => {
  const sticky = { ...storyCardRecord({ x: 100, y: 50, index: 'a1' }, {}), type: 'geo', props: { w: 500, h: 300 } };
  const { placement, cards } = place([sticky], 5);
  assert.equal(placement.parentId, PAGE_ID);
  assert.equal(placement.laneHeight, null);
  assert.ok(cards.every((card) => Number(card['x']) >= 600));
  assertNoOverlap(cards);
});
