import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { getIndicesAbove } from '@tldraw/utils';
import { getMetaMap, getRecordsMap, type StoredRecord } from '../document.js';
import { buildTemplate } from './templates.js';
import { storyCardRecord } from './records.js';
import { refusedRecordWrites } from './validate-update.js';

/** The board as the server holds it, and a peer in sync with it. */
function boardAndPeer(records: StoredRecord[] = buildTemplate('sprint')) {
  const board = new Y.Doc();
  const map = getRecordsMap(board);
  board.transact(() => {
    for (const record of records) map.set(record.id, record);
  });
  const peer = new Y.Doc();
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(board));
  return { board, peer };
}

/** The update a peer's change produces, as it would send it. */
function changeOf(peer: Y.Doc, change: (records: Y.Map<StoredRecord>) => void): Uint8Array {
  const before = Y.encodeStateVector(peer);
  peer.transact(() => change(getRecordsMap(peer)));
  return Y.encodeStateAsUpdate(peer, before);
}

const card = storyCardRecord({ x: 20, y: 20, index: 'a1' }, { title: 'Pay with card', estimate: '3' });

test('honest changes pass: a new card, an edit, a move, a delete, the metadata, a whole board', () => {
  const { board, peer } = boardAndPeer([card]);
  const edits = [
    changeOf(peer, (records) => records.set('shape:new', { ...card, id: 'shape:new', index: 'a2' })),
    changeOf(peer, (records) => records.set(card.id, { ...card, props: { ...(card['props'] as object), title: 'Pay later' } })),
    changeOf(peer, (records) => records.set(card.id, { ...card, x: 400 })),
    changeOf(peer, (records) => records.delete('shape:new')),
    changeOf(peer, () => getMetaMap(peer).set('schema', { schemaVersion: 2, sequences: {} })),
  ];
  for (const update of edits) {
    assert.deepEqual(refusedRecordWrites(update, board), []);
    Y.applyUpdate(board, update);
  }
  const whole = boardAndPeer(buildTemplate('story-map'));
  assert.deepEqual(refusedRecordWrites(Y.encodeStateAsUpdate(whole.peer), new Y.Doc()), []);
});

test('the probe\'s records are refused, new or overwriting an existing record, with the key and why', () => {
  const { board, peer } = boardAndPeer([card]);
  const cases: [string, unknown, RegExp][] = [
    [card.id, { ...card, props: null }, /invalid shape.*props/],
    [card.id, { ...card, props: { ...(card['props'] as object), labels: 'str' } }, /invalid story card.*labels/],
    [card.id, { ...card, props: { ...(card['props'] as object), title: 12 } }, /invalid story card.*title/],
    [card.id, { ...card, index: 'not an index' }, /index/],
    ['shape:fresh', null, /not a record \(null\)/],
    ['shape:fresh', { ...card, id: 'shape:other' }, /stored under/],
  ];
  for (const [key, value, reason] of cases) {
    const probe = new Y.Doc();
    Y.applyUpdate(probe, Y.encodeStateAsUpdate(peer));
    const hostile = changeOf(probe, (records) => records.set(key, value as StoredRecord));
    const refused = refusedRecordWrites(hostile, board);
    assert.equal(refused.length, 1, `${key}: ${JSON.stringify(value)?.slice(0, 60)}`);
    assert.equal(refused[0]!.key, key);
    assert.match(refused[0]!.reason, reason);
  }
});

test('a shared type or a list item in tl_records is refused', () => {
  const { board, peer } = boardAndPeer([card]);
  const nested = changeOf(peer, (records) => (records as unknown as Y.Map<unknown>).set('shape:nested', new Y.Map()));
  assert.match(refusedRecordWrites(nested, board)[0]!.reason, /one plain JSON value/);
});

test('within one update: a bad value overwritten by a good one passes, a good one overwritten by a bad one does not', () => {
  const { board, peer } = boardAndPeer([card]);
  const fixed = changeOf(peer, (records) => {
    records.set('shape:x', null as unknown as StoredRecord);
    records.set('shape:x', { ...card, id: 'shape:x' });
  });
  assert.deepEqual(refusedRecordWrites(fixed, board), []);
  const broken = changeOf(peer, (records) => {
    records.set('shape:y', { ...card, id: 'shape:y' });
    records.set('shape:y', { ...card, id: 'shape:y', props: null });
  });
  assert.deepEqual(refusedRecordWrites(broken, board).map((r) => r.key), ['shape:y']);
});

test('a client that keeps history (gc off) may send overwritten, invalid old versions: only visible values count', () => {
  const board = new Y.Doc();
  const historian = new Y.Doc({ gc: false });
  getRecordsMap(historian).set(card.id, { ...card, props: null });
  getRecordsMap(historian).set(card.id, card);
  assert.deepEqual(refusedRecordWrites(Y.encodeStateAsUpdate(historian), board), []);
});

test('a record-shaped write that waits for changes the board lacks is still checked', () => {
  const { board, peer } = boardAndPeer([card]);
  const missing = changeOf(peer, (records) => records.set(card.id, { ...card, x: 1 }));
  const dependent = changeOf(peer, (records) => records.set(card.id, { ...card, props: null }));
  // The board never saw `missing`: `dependent`'s origin is unknown to it.
  const refused = refusedRecordWrites(dependent, board);
  assert.deepEqual(refused.map((r) => r.key), [null]);
  assert.match(refused[0]!.reason, /props/);
  assert.deepEqual(refusedRecordWrites(missing, board), []);
});

test('bytes that are no update are refused, not thrown', () => {
  const refused = refusedRecordWrites(Uint8Array.of(1, 2, 3, 250, 250, 250), new Y.Doc());
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.reason, /does not decode/);
});

test('cost: a whole board of 2,000 cards (a sync step 2 of a big board) is checked in one pass', () => {
  const records = buildTemplate('backlog');
  getIndicesAbove(null, 2000).forEach((index, i) => {
    records.push(storyCardRecord({ x: 20 + (i % 40) * 260, y: 20 + Math.floor(i / 40) * 150, index }, { title: `Card ${i}`, labels: ['x', 'y'], estimate: '3' }));
  });
  const { peer } = boardAndPeer(records);
  const update = Y.encodeStateAsUpdate(peer);
  const started = performance.now();
  const refused = refusedRecordWrites(update, new Y.Doc());
  const ms = performance.now() - started;
  assert.deepEqual(refused, []);
  console.log(`# validated ${records.length} records (${(update.byteLength / 1024).toFixed(0)} KiB update) in ${ms.toFixed(1)} ms`);
});
