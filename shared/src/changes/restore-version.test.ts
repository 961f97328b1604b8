import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { getRecordsMap, type StoredRecord } from '../document.js';
import { readVersion, restoreRecords, sameRecord, undoRestore, type Records } from './restore-version.js';

const card = (id: string, x: number, title = id): StoredRecord => ({ id, typeName: 'shape', type: 'geo', x, y: 0, parentId: 'page:page', index: 'a1', props: { title } });
const base = (): Records => ({
  'document:document': { id: 'document:document', typeName: 'document', name: '' },
  'page:page': { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1' },
});

function boardWith(records: Records): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const record of Object.values(records)) getRecordsMap(doc).set(record.id, record);
  });
  return doc;
}
const live = (doc: Y.Doc) => getRecordsMap(doc).toJSON() as Records;

test('records compare by value, whatever the order of their keys', () => {
  assert.ok(sameRecord({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }));
  assert.ok(!sameRecord({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!sameRecord({ a: [1, 2] }, { a: [2, 1] }));
  assert.ok(!sameRecord(undefined, { a: 1 }));
});

test('restoring makes the live records equal the version: deleted, added and moved cards come back as they were', () => {
  const version = { ...base(), 'shape:a': card('shape:a', 0), 'shape:b': card('shape:b', 100) };
  const doc = boardWith(version);
  const state = Y.encodeStateAsUpdate(doc);
  doc.transact(() => {
    const records = getRecordsMap(doc);
    records.set('shape:a', card('shape:a', 500));
    records.delete('shape:b');
    records.set('shape:c', card('shape:c', 9));
  });
  const change = doc.transact(() => restoreRecords(doc, readVersion(state).records));
  assert.deepEqual(live(doc), version);
  assert.deepEqual(change.removed, ['shape:c']);
  assert.deepEqual(change.put.sort(), ['shape:a', 'shape:b']);
});

test('restoring writes nothing for records that are already equal (a concurrent edit of them is not overwritten)', () => {
  const version = { ...base(), 'shape:a': card('shape:a', 0) };
  const doc = boardWith(version);
  let updates = 0;
  doc.on('update', () => updates++);
  const change = doc.transact(() => restoreRecords(doc, version));
  assert.deepEqual(change, { removed: [], put: [] });
  assert.equal(updates, 0, 'an equal board makes no update at all');
});

test('a version without pages or document record never leaves the board without them', () => {
  const doc = boardWith({ ...base(), 'shape:a': card('shape:a', 0) });
  doc.transact(() => restoreRecords(doc, {}));
  assert.deepEqual(Object.keys(live(doc)).sort(), ['document:document', 'page:page']);
});

test('undoing a restore brings back every edit the restore took away, and keeps what others changed since', () => {
  const version = { ...base(), 'shape:a': card('shape:a', 0), 'shape:b': card('shape:b', 100), 'shape:d': card('shape:d', 7) };
  const before = { ...base(), 'shape:a': card('shape:a', 500), 'shape:c': card('shape:c', 9), 'shape:d': card('shape:d', 7) };
  const doc = boardWith(before);
  doc.transact(() => restoreRecords(doc, version));
  assert.deepEqual(live(doc), version);
  // After the restore, someone moves b (which the restore brought back) and adds e.
  doc.transact(() => {
    getRecordsMap(doc).set('shape:b', card('shape:b', 300));
    getRecordsMap(doc).set('shape:e', card('shape:e', 1));
  });
  doc.transact(() => undoRestore(doc, before, version));
  assert.deepEqual(live(doc), { ...before, 'shape:b': card('shape:b', 300), 'shape:e': card('shape:e', 1) });
});

test('undo right after a restore gives back exactly the board before it', () => {
  const version = { ...base(), 'shape:a': card('shape:a', 0) };
  const before = { ...base(), 'shape:a': card('shape:a', 50, 'Renamed'), 'shape:x': card('shape:x', 1) };
  const doc = boardWith(before);
  doc.transact(() => restoreRecords(doc, version));
  doc.transact(() => undoRestore(doc, before, version));
  assert.deepEqual(live(doc), before);
});
