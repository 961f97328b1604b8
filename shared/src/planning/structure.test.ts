import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredRecord } from '../document.js';
import { buildTemplate, STORY_MAP } from './templates.js';
import { storyCardRecord } from './records.js';
import { derivePlanning, formatTotal, type LaneView, type PlanningModel } from './structure.js';
import { STORY_CARD_SIZE, type Estimate, type StoryCardProps } from './story-card.js';

let next = 0;
/** A card whose centre is at (cx, cy) on the page. */
function cardAt(cx: number, cy: number, props: Partial<StoryCardProps> = {}): StoredRecord {
  return storyCardRecord({ x: cx - STORY_CARD_SIZE.w / 2, y: cy - STORY_CARD_SIZE.h / 2, index: `a${(next++).toString(36).padStart(4, '0')}` }, props);
}
const middle = (lane: LaneView) => ({ x: lane.box.x + lane.box.w / 2, y: lane.box.y + lane.box.h / 2 });
const lane = (model: PlanningModel, name: string) => model.lanes.find((l) => l.name === name)!;

test('backlog: a card counts for the column that contains its centre; moving it changes the column', () => {
  const template = buildTemplate('backlog');
  const empty = derivePlanning(template);
  const inbox = middle(lane(empty, 'Inbox'));
  const ready = middle(lane(empty, 'Ready for sprint'));
  const card = cardAt(inbox.x, inbox.y, { estimate: '3' });
  let model = derivePlanning([...template, card, cardAt(ready.x, ready.y, { estimate: '5' }), cardAt(ready.x, ready.y + 200, { estimate: '?' })]);
  assert.equal(model.cards.find((c) => c.id === card.id)!.laneId, lane(model, 'Inbox').id);
  assert.deepEqual(model.laneTotals.get(lane(model, 'Inbox').id), { count: 1, points: 3, unestimated: 0, done: 0, capacity: null, overCapacity: false });
  assert.equal(formatTotal(model.laneTotals.get(lane(model, 'Ready for sprint').id)!), '2 cards · 5 pts + 1 unestimated');

  // Drag the Inbox card so that its centre is just inside "Needs refinement".
  const refinement = lane(model, 'Needs refinement').box;
  const moved = { ...card, x: refinement.x + 1 - STORY_CARD_SIZE.w / 2 };
  model = derivePlanning([...template, moved]);
  assert.equal(model.cards[0]!.laneId, lane(model, 'Needs refinement').id);
  assert.equal(model.laneTotals.get(lane(model, 'Inbox').id)!.count, 0);
  // Between two columns (in the gap) it belongs to none.
  model = derivePlanning([...template, { ...card, x: refinement.x - 20 - STORY_CARD_SIZE.w / 2 }]);
  assert.equal(model.cards[0]!.laneId, null);
  assert.equal(model.unplaced.count, 1);
});

test('a card inside a frame is placed through its parent, as tldraw stores it', () => {
  const template = buildTemplate('roadmap');
  const next = derivePlanning(template).lanes.find((l) => l.name === 'Next')!;
  const child = storyCardRecord({ x: 10, y: 10, index: 'a1', parentId: next.id }, { estimate: '8' });
  const model = derivePlanning([...template, child]);
  assert.equal(model.cards[0]!.laneId, next.id);
  assert.deepEqual(model.cards[0]!.center, { x: next.box.x + 10 + STORY_CARD_SIZE.w / 2, y: next.box.y + 10 + STORY_CARD_SIZE.h / 2 });
  assert.equal(model.laneTotals.get(next.id)!.points, 8);
});

test('story map: totals per release and per activity', () => {
  const template = buildTemplate('story-map');
  const empty = derivePlanning(template);
  const [a1, a2, a3] = empty.headers.filter((h) => h.kind === 'activity');
  const mvp = lane(empty, 'MVP');
  const r2 = lane(empty, 'Release 2');
  const under = (activity: typeof a1, release: LaneView, row = 0) => ({ x: activity!.box.x + STORY_CARD_SIZE.w / 2, y: release.box.y + 20 + STORY_CARD_SIZE.h / 2 + row * (STORY_CARD_SIZE.h + 20) });
  const cards = [
    [a1, mvp, 0, '3'], [a1, mvp, 1, '5'], [a2, mvp, 0, '2'], [a1, r2, 0, '8'], [a3, r2, 0, '13'], [a3, r2, 1, 'none'],
  ].map(([activity, release, row, estimate]) => {
    const at = under(activity as typeof a1, release as LaneView, row as number);
    return cardAt(at.x, at.y, { estimate: estimate as Estimate });
  });
  const model = derivePlanning([...template, ...cards]);
  assert.deepEqual([model.laneTotals.get(mvp.id)!.count, model.laneTotals.get(mvp.id)!.points], [3, 10]);
  assert.deepEqual([model.laneTotals.get(r2.id)!.count, model.laneTotals.get(r2.id)!.points, model.laneTotals.get(r2.id)!.unestimated], [3, 21, 1]);
  assert.equal(model.laneTotals.get(lane(model, 'Later').id)!.count, 0);
  assert.deepEqual([a1, a2, a3].map((a) => model.activityTotals.get(a!.id)!.points), [16, 2, 13]);
  assert.deepEqual([a1, a2, a3].map((a) => model.activityTotals.get(a!.id)!.count), [3, 1, 2]);
  // A card to the left of the backbone is in no activity; one far below the releases neither.
  const outside = derivePlanning([...template, cardAt(a1!.box.x - 200, mvp.box.y + 100), cardAt(a2!.box.x + 50, 5000)]);
  assert.ok(outside.cards.every((c) => c.activityId === null));
  assert.equal(STORY_MAP.column > STORY_CARD_SIZE.w, true);
});

test('sprint: points against capacity, over capacity flagged', () => {
  const template = buildTemplate('sprint');
  const sprint = lane(derivePlanning(template), 'Sprint 1');
  const at = middle(sprint);
  const fits = derivePlanning([...template, cardAt(at.x, at.y, { estimate: '13' }), cardAt(at.x, at.y - 150, { estimate: '13' })]);
  assert.deepEqual(fits.laneTotals.get(sprint.id), { count: 2, points: 26, unestimated: 0, done: 0, capacity: 30, overCapacity: false });
  assert.equal(formatTotal(fits.laneTotals.get(sprint.id)!), '26 / 30 pts · 2 cards');
  const over = derivePlanning([...template, cardAt(at.x, at.y, { estimate: '21' }), cardAt(at.x, at.y - 150, { estimate: '13', status: 'done' })]);
  assert.equal(over.laneTotals.get(sprint.id)!.overCapacity, true);
  assert.equal(over.laneTotals.get(sprint.id)!.done, 1);
  // Capacity lives in the frame's meta: editing it changes the verdict.
  const bigger = template.map((r) => (r.id === sprint.id ? { ...r, meta: { planboard: { kind: 'sprint', capacity: 40 } } } : r));
  assert.equal(derivePlanning([...bigger, cardAt(at.x, at.y, { estimate: '21' }), cardAt(at.x, at.y - 150, { estimate: '13' })]).laneTotals.get(sprint.id)!.overCapacity, false);
});

test('roadmap timeline: totals per quarter and per theme; retro and roadmap count per column', () => {
  const template = buildTemplate('roadmap-timeline');
  const empty = derivePlanning(template);
  const [themeA, themeB] = empty.headers;
  const q2 = lane(empty, 'Q2');
  const q4 = lane(empty, 'Q4');
  const cards = [
    cardAt(q2.box.x + 150, themeA!.box.y + 80, { estimate: '5' }),
    cardAt(q4.box.x + 150, themeA!.box.y + 80, { estimate: '3' }),
    cardAt(q2.box.x + 150, themeB!.box.y + 80, { estimate: '1' }),
  ];
  const model = derivePlanning([...template, ...cards]);
  assert.deepEqual([model.laneTotals.get(q2.id)!.points, model.laneTotals.get(q4.id)!.points], [6, 3]);
  assert.deepEqual([model.themeTotals.get(themeA!.id)!.points, model.themeTotals.get(themeB!.id)!.points], [8, 1]);

  for (const id of ['retro', 'roadmap'] as const) {
    const columns = derivePlanning(buildTemplate(id)).lanes;
    const placed = derivePlanning([...buildTemplate(id), ...columns.flatMap((column, i) => Array.from({ length: i + 1 }, (_, k) => cardAt(middle(column).x, column.box.y + 100 + k * 150)))]);
    assert.deepEqual(placed.lanes.map((l) => placed.laneTotals.get(l.id)!.count), columns.map((_, i) => i + 1), id);
  }
});

test('nested lanes: a card counts for the innermost one only', () => {
  const template = buildTemplate('backlog');
  const inbox = lane(derivePlanning(template), 'Inbox');
  const sprintInside = { ...buildTemplate('sprint')[1]!, x: inbox.box.x + 10, y: inbox.box.y + 10, props: { w: 260, h: 300, name: 'Inner', color: 'blue' } };
  const model = derivePlanning([...template, sprintInside, cardAt(inbox.box.x + 140, inbox.box.y + 100, { estimate: '2' })]);
  assert.equal(model.cards[0]!.laneId, sprintInside.id);
  assert.equal(model.laneTotals.get(inbox.id)!.count, 0);
});

test('a card belongs only to lanes of its own page', () => {
  const template = buildTemplate('backlog');
  const inbox = lane(derivePlanning(template), 'Inbox');
  // The same template on a second page, at the same coordinates.
  const second = buildTemplate('backlog').map((record) => ({ ...record, parentId: 'page:second' }));
  const onSecond = { ...cardAt(inbox.box.x + 150, inbox.box.y + 100, { estimate: '5' }), parentId: 'page:second' };
  const onFirst = cardAt(inbox.box.x + 150, inbox.box.y + 100, { estimate: '2' });
  const model = derivePlanning([...template, ...second, onFirst, onSecond]);
  const secondInbox = model.lanes.find((l) => l.name === 'Inbox' && l.id !== inbox.id)!;
  assert.equal(model.cards.find((c) => c.id === onFirst.id)!.laneId, inbox.id);
  assert.equal(model.cards.find((c) => c.id === onSecond.id)!.laneId, secondInbox.id);
  assert.deepEqual([model.laneTotals.get(inbox.id)!.points, model.laneTotals.get(secondInbox.id)!.points], [2, 5]);
});
