import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { MetaKey, getMetaMap, getRecordsMap } from '../document.js';
import { derivePlanning } from '../planning/structure.js';
import { importCards } from './import-cards.js';
import { seedTemplate } from './seed-template.js';

test('imported cards land in the backlog lane, which grows to hold them', () => {
  const doc = new Y.Doc();
  doc.transact(() => seedTemplate(doc, 'backlog'));
  const records = getRecordsMap(doc);
  const before = derivePlanning([...records.values()]);
  const inbox = before.lanes.find((lane) => lane.kind === 'backlog')!;
  const placed = doc.transact(() => importCards(doc, Array.from({ length: 40 }, (_, i) => ({ title: `Card ${i}`, estimate: '3' as const }))));
  assert.equal(placed.cardIds.length, 40);
  assert.equal(placed.lane, inbox.name);
  const after = derivePlanning([...records.values()]);
  const lane = after.lanes.find((l) => l.id === inbox.id)!;
  assert.equal(after.laneTotals.get(inbox.id)?.count, 40, 'every card is in the lane');
  assert.ok(lane.box.h > inbox.box.h, 'the lane grew');
  for (const id of placed.cardIds) assert.equal(records.get(id)?.['parentId'], inbox.id);
});

test('into a board that was never opened, cards go on a new first page, with the schema recorded', () => {
  const doc = new Y.Doc();
  const placed = importCards(doc, [{ title: 'Only card' }]);
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
  importCards(doc, [{ title: 'A' }]);
  assert.deepEqual(getMetaMap(doc).get(MetaKey.schema), clientSchema);
});
