import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { MetaKey, getMetaMap, getRecordsMap } from '../document.js';
import { derivePlanning } from '../planning/structure.js';
import { analyseCardsCsv } from '../planning/csv-preview.js';
import { importCards } from './import-cards.js';
import { seedTemplate } from './seed-template.js';

const csv = (rows: number) => ['Summary,Story Points', ...Array.from({ length: rows }, (_, i) => `Card ${i},3`)].join('\n');

test('imported cards land in the backlog lane, which grows to hold them', () => {
  const doc = new Y.Doc();
  doc.transact(() => seedTemplate(doc, 'backlog'));
  const records = getRecordsMap(doc);
  const inbox = derivePlanning([...records.values()]).lanes.find((lane) => lane.kind === 'backlog')!;
  const placed = doc.transact(() => importCards(doc, analyseCardsCsv(csv(40))));
  assert.equal(placed.cardIds.length, 40);
  assert.equal(placed.lane, inbox.name);
  assert.deepEqual(placed.placed, [{ lane: inbox.name, count: 40 }]);
  const after = derivePlanning([...records.values()]);
  assert.equal(after.laneTotals.get(inbox.id)?.count, 40, 'every card is in the lane');
  assert.ok(after.lanes.find((l) => l.id === inbox.id)!.box.h > inbox.box.h, 'the lane grew');
});

test('into a board that was never opened, cards go on a new first page, with the schema recorded', () => {
  const doc = new Y.Doc();
  const placed = importCards(doc, analyseCardsCsv(csv(1)));
  const records = getRecordsMap(doc);
  assert.equal(placed.lane, null);
  assert.ok(records.has('document:document') && records.has('page:page'));
  assert.equal(records.get(placed.cardIds[0]!)?.['parentId'], 'page:page');
  assert.ok(getMetaMap(doc).get(MetaKey.schema), 'schema recorded');
});

test('a schema a client already recorded is left as it is', () => {
  const doc = new Y.Doc();
  const clientSchema = { schemaVersion: 2, sequences: { 'com.tldraw.store': 4 } };
  getMetaMap(doc).set(MetaKey.schema, clientSchema);
  importCards(doc, analyseCardsCsv(csv(1)));
  assert.deepEqual(getMetaMap(doc).get(MetaKey.schema), clientSchema);
});
