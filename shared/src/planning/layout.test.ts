import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredRecord } from '../document.js';
import { layoutImportedCards, type ImportedCardRequest } from './layout.js';
import { buildTemplate } from './templates.js';
import { PAGE_ID, storyCardRecord } from './records.js';
import { derivePlanning, type Box } from './structure.js';
import { STORY_CARD_SIZE } from './story-card.js';

/** Applies a layout the way the server does: lanes grow, shapes move, cards are added. */
function apply(records: StoredRecord[], requests: ImportedCardRequest[]) {
  const layout = layoutImportedCards(records, requests);
  const changed = records.map((record) => {
    const size = layout.resize.find((r) => r.id === record.id);
    const move = layout.move.find((m) => m.id === record.id);
    let next = record;
    if (size) next = { ...next, props: { ...(next['props'] as object), w: size.w, h: size.h } };
    if (move) next = { ...next, x: Number(next['x']) + move.dx, y: Number(next['y']) + move.dy };
    return next;
  });
  const cards = layout.positions.map((p, i) => storyCardRecord(p, { title: `card ${i}` }));
  return { layout, all: [...changed, ...cards], cards };
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function assertNoOverlap(records: StoredRecord[]) {
  const model = derivePlanning(records);
  const boxes = model.cards.map((c) => ({ x: c.center.x - STORY_CARD_SIZE.w / 2, y: c.center.y - STORY_CARD_SIZE.h / 2, ...STORY_CARD_SIZE }));
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    assert.ok(!overlaps(boxes[i]!, boxes[j]!), `cards ${i} and ${j} overlap`);
  }
  const lanes = model.lanes.filter((l) => !model.lanes.some((o) => o !== l && o.box.x <= l.box.x && o.box.x + o.box.w >= l.box.x + l.box.w && o.box.y <= l.box.y && o.box.y + o.box.h >= l.box.y + l.box.h));
  for (let i = 0; i < lanes.length; i++) for (let j = i + 1; j < lanes.length; j++) {
    assert.ok(!overlaps(lanes[i]!.box, lanes[j]!.box), `lanes ${lanes[i]!.name} and ${lanes[j]!.name} overlap`);
  }
}

test('thirty imported cards fill the backlog lane as a grid, not one long column, and the sprint frame beside it moves along', () => {
  const template = buildTemplate('sprint');
  const before = derivePlanning(template);
  const backlog = before.lanes.find((l) => l.kind === 'backlog')!;
  const sprint = before.lanes.find((l) => l.kind === 'sprint')!;
  const { layout, all } = apply(template, Array.from({ length: 30 }, () => ({ laneId: backlog.id, group: null })));
  const after = derivePlanning(all);

  assert.ok(after.cards.every((card) => card.laneId === backlog.id), 'every card inside the backlog lane');
  assertNoOverlap(all);
  const columns = new Set(layout.positions.map((p) => p.x)).size;
  const rows = new Set(layout.positions.map((p) => p.y)).size;
  assert.ok(columns >= 2, `a grid of ${columns} columns`);
  assert.ok(rows <= 15, `${rows} rows: not one long column`);
  const grownBacklog = after.lanes.find((l) => l.id === backlog.id)!;
  // The lane keeps roughly its proportions instead of stretching 10× downwards.
  assert.ok(grownBacklog.box.h / backlog.box.h < 3, `lane grew from ${backlog.box.h} to ${grownBacklog.box.h} high`);
  const movedSprint = after.lanes.find((l) => l.id === sprint.id)!;
  assert.equal(movedSprint.box.x - sprint.box.x, grownBacklog.box.w - backlog.box.w, 'the sprint frame moved right by the growth');
});

test('new cards go below the cards already in the lane, with indices above theirs', () => {
  const template = buildTemplate('sprint');
  const backlog = derivePlanning(template).lanes.find((l) => l.kind === 'backlog')!;
  const existing = storyCardRecord({ x: 20, y: 400, index: 'a1', parentId: backlog.id }, { title: 'already here' });
  const { layout, all } = apply([...template, existing], Array.from({ length: 4 }, () => ({ laneId: backlog.id, group: null })));
  assert.ok(layout.positions.every((p) => p.y >= 400 + STORY_CARD_SIZE.h), 'below the existing card');
  assertNoOverlap(all);
  const indices = layout.positions.map((p) => p.index);
  assert.ok(indices.every((index) => index > 'a1') && new Set(indices).size === 4);
});

test('a card requested for the sprint frame goes into it; unknown lanes fall back to the page grid', () => {
  const template = buildTemplate('sprint');
  const sprint = derivePlanning(template).lanes.find((l) => l.kind === 'sprint')!;
  const { all } = apply(template, [{ laneId: sprint.id, group: null }, { laneId: sprint.id, group: null }]);
  const model = derivePlanning(all);
  assert.equal(model.cards.filter((c) => c.laneId === sprint.id).length, 2);
  assert.equal(model.laneTotals.get(sprint.id)!.count, 2);
});

test('cards of one epic sit together, each epic starting its own row', () => {
  const template = buildTemplate('sprint');
  const sprint = derivePlanning(template).lanes.find((l) => l.kind === 'sprint')!;
  const groups = ['Checkout', 'Search', 'Checkout', 'Search', 'Checkout', null];
  const { layout } = apply(template, groups.map((group) => ({ laneId: sprint.id, group })));
  const rowOf = (i: number) => layout.positions[i]!.y;
  assert.equal(rowOf(0), rowOf(2));
  assert.equal(rowOf(0), rowOf(4));
  assert.equal(rowOf(1), rowOf(3));
  assert.notEqual(rowOf(0), rowOf(1), 'Search starts a new row');
  assert.notEqual(rowOf(5), rowOf(1), 'cards without an epic get their own row');
  assert.deepEqual(
    [0, 2, 4].map((i) => layout.positions[i]!.x),
    [...[0, 2, 4].map((i) => layout.positions[i]!.x)].sort((a, b) => a - b),
    'in file order within the epic',
  );
});

test('a story map release that grows pushes the releases below it down', () => {
  const template = buildTemplate('story-map');
  const before = derivePlanning(template);
  const releases = before.lanes.filter((l) => l.kind === 'release').sort((a, b) => a.box.y - b.box.y);
  const { all } = apply(template, Array.from({ length: 40 }, () => ({ laneId: releases[0]!.id, group: null })));
  assertNoOverlap(all);
  const after = derivePlanning(all);
  assert.equal(after.laneTotals.get(releases[0]!.id)!.count, 40);
  assert.equal(after.laneTotals.get(releases[1]!.id)!.count, 0, 'none spill into the next release');
});

test('on a board without lanes, cards go in a grid to the right of everything', () => {
  const sticky = { ...storyCardRecord({ x: 100, y: 50, index: 'a1' }, {}), type: 'geo', props: { w: 500, h: 300 } };
  const { layout, cards } = apply([sticky], Array.from({ length: 9 }, () => ({ laneId: null, group: null })));
  assert.ok(layout.positions.every((p) => p.parentId === PAGE_ID));
  assert.deepEqual(layout.resize, []);
  assert.ok(cards.every((card) => Number(card['x']) >= 600));
  assert.ok(new Set(layout.positions.map((p) => p.x)).size >= 3, 'a grid');
  assertNoOverlap(cards);
});
