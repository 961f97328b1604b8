import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTLSchema, defaultShapeSchemas } from '@tldraw/tlschema';
import { TEMPLATE_IDS, buildTemplate, templatePreview } from './templates.js';
import { documentRecords, storyCardRecord } from './records.js';
import { derivePlanning } from './structure.js';
import { STORY_CARD_TYPE } from './story-card.js';
import { storyCardMigrations, storyCardProps } from './story-card-schema.js';

// The real tldraw schema, with our card: what the canvas will validate every record against.
const schema = createTLSchema({ shapes: { ...defaultShapeSchemas, [STORY_CARD_TYPE]: { props: storyCardProps, migrations: storyCardMigrations } } });

function validate(record: { typeName: string }) {
  const type = schema.types[record.typeName as keyof typeof schema.types];
  assert.ok(type, `no record type ${record.typeName}`);
  (type as { validate(r: unknown): unknown }).validate(record);
}

test('every template builds records that tldraw accepts, with unique ids', () => {
  for (const id of TEMPLATE_IDS) {
    const records = [...documentRecords(), ...buildTemplate(id)];
    for (const record of records) validate(record);
    assert.equal(new Set(records.map((r) => r.id)).size, records.length, id);
  }
  validate(storyCardRecord({ x: 0, y: 0, index: 'a1' }, { title: 'A card', labels: ['ux'], estimate: '5' }));
});

test('a story card with a bad field is refused by the schema', () => {
  assert.throws(() => validate(storyCardRecord({ x: 0, y: 0, index: 'a1' }, { estimate: '4' as never })), /estimate/);
  assert.throws(() => validate(storyCardRecord({ x: 0, y: 0, index: 'a1' }, { labels: ['a,b'] })), /comma/);
  assert.throws(() => validate(storyCardRecord({ x: 0, y: 0, index: 'a1' }, { votes: -1 })), /votes/);
});

test('templates have the lanes and headers the issue names', () => {
  const names = (id: (typeof TEMPLATE_IDS)[number]) => derivePlanning(buildTemplate(id)).lanes.map((l) => `${l.kind}:${l.name}`);
  assert.deepEqual(names('backlog'), ['backlog:Inbox', 'column:Needs refinement', 'column:Ready for sprint', 'column:Out of scope']);
  assert.deepEqual(names('roadmap'), ['column:Now', 'column:Next', 'column:Later']);
  assert.deepEqual(names('retro'), ['column:Went well', 'column:To improve', 'column:Actions']);
  assert.deepEqual(names('sprint'), ['backlog:Backlog', 'sprint:Sprint 1']);
  assert.deepEqual(names('story-map'), ['release:MVP', 'release:Release 2', 'release:Later']);
  assert.deepEqual(names('roadmap-timeline'), ['column:Q1', 'column:Q2', 'column:Q3', 'column:Q4']);
  const map = derivePlanning(buildTemplate('story-map'));
  assert.deepEqual(map.headers.filter((h) => h.kind === 'activity').map((h) => h.name), ['Activity 1', 'Activity 2', 'Activity 3']);
  assert.equal(map.headers.filter((h) => h.kind === 'step').length, 3);
  assert.deepEqual(derivePlanning(buildTemplate('roadmap-timeline')).headers.map((h) => h.name), ['Theme A', 'Theme B', 'Theme C']);
  assert.equal(derivePlanning(buildTemplate('sprint')).lanes[1]!.capacity, 30);
  assert.deepEqual(buildTemplate('blank'), []);
});

test('lanes of a template do not overlap, and an origin moves the whole template', () => {
  for (const id of TEMPLATE_IDS) {
    const lanes = derivePlanning(buildTemplate(id)).lanes;
    for (const a of lanes) for (const b of lanes) {
      if (a === b) continue;
      const overlap = a.box.x < b.box.x + b.box.w && b.box.x < a.box.x + a.box.w && a.box.y < b.box.y + b.box.h && b.box.y < a.box.y + a.box.h;
      assert.ok(!overlap, `${id}: ${a.name} overlaps ${b.name}`);
    }
    const moved = derivePlanning(buildTemplate(id, { x: 1000, y: 500 })).lanes;
    moved.forEach((lane, i) => assert.deepEqual([lane.box.x - 1000, lane.box.y - 500], [lanes[i]!.box.x, lanes[i]!.box.y]));
  }
});

test('a preview outlines the lanes and headers of its template', () => {
  const preview = templatePreview('story-map');
  assert.equal(preview.filter((box) => box.kind === 'lane').length, 3);
  assert.equal(preview.filter((box) => box.kind === 'activity').length, 3);
  assert.equal(templatePreview('sprint').filter((box) => box.kind === 'sprint').length, 1);
  assert.equal(templatePreview('blank').length, 0);
});
