import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTemplate, TEMPLATE_IDS } from './templates.js';
import { documentRecords, frameRecord, noteRecord, storyCardRecord } from './records.js';
import { recordProblem } from './validate-record.js';
import { layoutImportedCards } from './layout.js';
import { derivePlanning } from './structure.js';
import { cardsToCsv, cardsToMarkdown } from './csv.js';
import type { StoredRecord } from '../document.js';

const card = storyCardRecord({ x: 20, y: 20, index: 'a1' }, { title: 'Good card', estimate: '3' });
const withProps = (record: StoredRecord, props: unknown): StoredRecord => ({ ...record, props });

/** The malformed records of the probe, and a few more. */
const poisoned: Record<string, unknown> = {
  'null value': null,
  'a number': 42,
  'an array': [card],
  'no typeName': { id: 'shape:x' },
  'card with props null': withProps(card, null),
  'card with labels a string': withProps(card, { ...(card['props'] as object), labels: 'str' }),
  'card with a numeric title': withProps(card, { ...(card['props'] as object), title: 7 }),
  'card with an unknown estimate': withProps(card, { ...(card['props'] as object), estimate: '4' }),
  'card with x a string': { ...card, id: 'shape:x-string', x: '10' },
  'card with parentId null': { ...card, id: 'shape:parent-null', parentId: null },
  'card with meta null': { ...card, id: 'shape:meta-null', meta: null },
  'lane with w a string': frameRecord({ x: 0, y: 0, index: 'a2' }, { w: 'wide' as unknown as number, h: 100 }, 'Lane', { kind: 'column' }),
  'lane with no name': withProps(frameRecord({ x: 0, y: 0, index: 'a3' }, { w: 100, h: 100 }, 'x', { kind: 'backlog' }), { w: 100, h: 100 }),
  'sprint with a negative capacity': frameRecord({ x: 0, y: 0, index: 'a4' }, { w: 100, h: 100 }, 'S', { kind: 'sprint', capacity: -5 }),
  'a bigint in meta': { ...card, id: 'shape:bigint', meta: { n: 10n } },
  'binary in a page': { id: 'page:binary', typeName: 'page', name: 'P', index: 'a9', meta: { blob: new Uint8Array(4) } },
  'NaN as x': { ...card, id: 'shape:nan', x: Number.NaN },
  'header note with scale a string': withProps(noteRecord({ x: 0, y: 0, index: 'a5' }, 'A', { color: 'orange', scale: 1, meta: { kind: 'activity' } }), { scale: 'big', growY: 0, richText: {} }),
};

test('every record a template or an import writes passes', () => {
  for (const template of TEMPLATE_IDS) for (const record of buildTemplate(template)) assert.equal(recordProblem(record, record.id), null, `${template}: ${record.id}`);
  for (const record of [...documentRecords(), card]) assert.equal(recordProblem(record, record.id), null);
});

test('malformed records are named with a reason, never thrown', () => {
  for (const [what, value] of Object.entries(poisoned)) {
    const problem = recordProblem(value);
    assert.equal(typeof problem, 'string', what);
  }
  assert.match(recordProblem(poisoned['card with labels a string'])!, /invalid story card.*labels/);
  assert.match(recordProblem(card, 'shape:other')!, /stored under "shape:other"/);
  assert.match(recordProblem(poisoned['a bigint in meta'])!, /not plain JSON.*bigint/);
  assert.match(recordProblem(poisoned['binary in a page'])!, /not plain JSON.*binary/);
  // Records planning does not read only need to be records.
  assert.equal(recordProblem({ id: 'binding:1', typeName: 'binding', anything: [1, { deep: null }] }), null);
  assert.equal(recordProblem({ ...frameRecord({ x: 0, y: 0, index: 'a1' }, { w: 10, h: 10 }, 'x', { kind: 'column' }), meta: { planboard: { kind: 'future-kind' } } }), null);
});

test('derivations skip and report malformed records; the rest of the board is derived and exported', () => {
  const template = buildTemplate('sprint');
  const clean = derivePlanning([...template, card]);
  const model = derivePlanning([...template, card, ...Object.values(poisoned)]);
  assert.equal(model.invalid.length, Object.keys(poisoned).length);
  assert.deepEqual(model.cards.map((c) => c.id), [card.id]);
  assert.deepEqual(model.lanes, clean.lanes);
  assert.deepEqual(model.unplaced, clean.unplaced);
  assert.ok(model.invalid.every((entry) => typeof entry.id === 'string' && entry.reason.length > 0));
  assert.equal(cardsToCsv(model), cardsToCsv(clean));
  assert.equal(cardsToMarkdown(model, 'B'), `${cardsToMarkdown(clean, 'B')}\n_${model.invalid.length} records of the board could not be read and are not listed._\n`);
  // Where imported cards go is decided as if the malformed records were absent.
  const requests = [0, 1, 2].map(() => ({ laneId: null, group: null }));
  // (Fractional indices are jittered, so positions are compared without them.)
  const placed = (records: unknown[]) => layoutImportedCards(records, requests).positions.map(({ parentId, x, y }) => ({ parentId, x, y }));
  assert.deepEqual(placed([...template, card, ...Object.values(poisoned)]), placed([...template, card]));
});

test('a rich text nested deeper than any editor writes is not followed to a stack overflow', () => {
  let richText: unknown = { type: 'text', text: 'deep' };
  for (let i = 0; i < 10_000; i++) richText = { type: 'paragraph', content: [richText] };
  const note = { ...noteRecord({ x: 0, y: 0, index: 'a1' }, 'x', { color: 'orange', scale: 1, meta: { kind: 'theme' } }) };
  (note['props'] as Record<string, unknown>)['richText'] = richText;
  const model = derivePlanning([note]);
  assert.equal(model.invalid.length + model.headers.length, 1);
});

test('an optional field left undefined (as tldraw may write it) is plain enough', () => {
  assert.equal(recordProblem({ id: 'asset:1', typeName: 'asset', props: { fileSize: undefined }, meta: {} }), null);
  assert.equal(recordProblem({ ...card, meta: { note: undefined } }), null);
});

test('a shape another integration writes without meta, isLocked or opacity passes', () => {
  const shape = { id: 'shape:from-a', typeName: 'shape', type: 'geo', x: 10, y: 20, rotation: 0, parentId: 'page:page', index: 'a1', props: { w: 100, h: 80, geo: 'rectangle', color: 'black' } };
  assert.equal(recordProblem(shape, shape.id), null);
});
