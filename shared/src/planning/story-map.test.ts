import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredRecord } from '../document.js';
import { addActivity, addRelease, addStep, nextReleaseName } from './story-map.js';
import { buildTemplate, STORY_MAP } from './templates.js';
import { storyCardRecord } from './records.js';
import { derivePlanning } from './structure.js';

/** Applies a change the way the canvas does: move by dx, widen frames, add the new shapes. */
function apply(records: StoredRecord[], change: ReturnType<typeof addStep>): StoredRecord[] {
  const moved = records.map((record) => {
    const move = change.move.find((m) => m.id === record.id);
    const resize = change.resize.find((r) => r.id === record.id);
    let next = record;
    if (move) next = { ...next, x: Number(next['x']) + move.dx };
    if (resize) next = { ...next, props: { ...(next['props'] as object), w: resize.w } };
    return next;
  });
  return [...moved, ...change.create];
}

test('adding an activity puts it at the end of the backbone with a step, and widens every release', () => {
  let records = buildTemplate('story-map');
  records = apply(records, addActivity(derivePlanning(records), 'Pay', 'b1'));
  const model = derivePlanning(records);
  const activities = model.headers.filter((h) => h.kind === 'activity').sort((a, b) => a.box.x - b.box.x);
  assert.deepEqual(activities.map((a) => a.name), ['Activity 1', 'Activity 2', 'Activity 3', 'Pay']);
  assert.equal(activities[3]!.box.x - activities[2]!.box.x, STORY_MAP.column);
  assert.equal(model.headers.filter((h) => h.kind === 'step').length, 4);
  for (const lane of model.lanes) assert.ok(lane.box.x + lane.box.w >= activities[3]!.box.x + STORY_MAP.column, `${lane.name} covers the new column`);
});

test('adding a second step under an activity shifts later activities and their cards one column right', () => {
  const template = buildTemplate('story-map');
  const empty = derivePlanning(template);
  const [a1, a2] = empty.headers.filter((h) => h.kind === 'activity').sort((a, b) => a.box.x - b.box.x);
  const mvp = empty.lanes.find((l) => l.name === 'MVP')!;
  const card = storyCardRecord({ x: a2!.box.x - mvp.box.x, y: 20, index: 'a1', parentId: mvp.id }, { estimate: '3' });
  const before = derivePlanning([...template, card]);
  assert.equal(before.cards[0]!.activityId, a2!.id);
  const records = apply([...template, card], addStep(before, a1!.id, 'Checkout', 'b1'));
  const after = derivePlanning(records);
  const steps = after.headers.filter((h) => h.kind === 'step').sort((a, b) => a.box.x - b.box.x);
  assert.equal(steps[1]!.name, 'Checkout');
  assert.equal(steps[1]!.box.x, a1!.box.x + STORY_MAP.column);
  // The card followed its activity, and still counts for it.
  assert.equal(after.cards[0]!.activityId, a2!.id);
  assert.equal(after.activityTotals.get(a2!.id)!.points, 3);
  assert.equal(after.headers.find((h) => h.id === a2!.id)!.box.x, a2!.box.x + STORY_MAP.column);
  assert.throws(() => addStep(after, 'shape:nope', 'x', 'b2'), /select an activity/);
});

test('adding a release puts a lane of the same width under the last one', () => {
  const template = buildTemplate('story-map');
  const records = apply(template, addRelease(derivePlanning(template), 'Release 3', 'b1'));
  const releases = derivePlanning(records).lanes.filter((l) => l.kind === 'release').sort((a, b) => a.box.y - b.box.y);
  assert.deepEqual(releases.map((r) => r.name), ['MVP', 'Release 2', 'Later', 'Release 3']);
  assert.equal(releases[3]!.box.w, releases[2]!.box.w);
  assert.equal(releases[3]!.box.y, releases[2]!.box.y + releases[2]!.box.h + STORY_MAP.releaseGap);
});

test('new releases are named in sequence: "Release 3" after MVP, Release 2, Later; then "Release 4"', () => {
  let records = buildTemplate('story-map');
  assert.equal(nextReleaseName(derivePlanning(records)), 'Release 3');
  records = [...records, ...addRelease(derivePlanning(records), nextReleaseName(derivePlanning(records)), 'b1').create];
  assert.equal(nextReleaseName(derivePlanning(records)), 'Release 4');
  // No numbered release yet: numbered by position.
  const unnumbered = buildTemplate('story-map').filter((r) => !(r['props'] as { name?: string }).name?.startsWith('Release'));
  assert.equal(nextReleaseName(derivePlanning(unnumbered)), 'Release 3');
});
