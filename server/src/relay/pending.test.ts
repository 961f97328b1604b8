import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { PendingUpdates, missingDependency } from './pending.js';

function edits(doc: Y.Doc, count: number, prefix: string): Uint8Array[] {
  const updates: Uint8Array[] = [];
  const listener = (update: Uint8Array) => updates.push(update);
  doc.on('update', listener);
  for (let i = 0; i < count; i++) doc.getMap('m').set(`${prefix}${i}`, i);
  doc.off('update', listener);
  return updates;
}

const stateOf = (doc: Y.Doc) => (client: number) => Y.getState(doc.store, client);

test('an update the board can integrate has no missing dependency', () => {
  const author = new Y.Doc();
  const board = new Y.Doc();
  for (const update of edits(author, 5, 'k')) {
    assert.equal(missingDependency(Y.decodeUpdate(update), stateOf(board)), null);
    Y.applyUpdate(board, update);
  }
  // Overlap with what the board has is fine too.
  assert.equal(missingDependency(Y.decodeUpdate(Y.encodeStateAsUpdate(author)), stateOf(board)), null);
});

test('a gap in the author\'s own changes, a reference to an unknown item, and deletes of unknown items are missing dependencies', () => {
  const author = new Y.Doc();
  const board = new Y.Doc();
  const [first, second] = edits(author, 2, 'k');
  assert.deepEqual(missingDependency(Y.decodeUpdate(second!), stateOf(board)), { client: author.clientID, clock: 0 });
  Y.applyUpdate(board, first!);
  assert.equal(missingDependency(Y.decodeUpdate(second!), stateOf(board)), null);

  // Another author builds on the first author's item (its origin), which the board lacks.
  const other = new Y.Doc();
  const base = new Y.Doc();
  const [text1] = (() => {
    const updates: Uint8Array[] = [];
    base.on('update', (u: Uint8Array) => updates.push(u));
    base.getText('t').insert(0, 'hello');
    return updates;
  })();
  Y.applyUpdate(other, text1!);
  const updates: Uint8Array[] = [];
  other.on('update', (u: Uint8Array) => updates.push(u));
  other.getText('t').insert(5, ' world');
  other.getText('t').delete(0, 1);
  const empty = new Y.Doc();
  const missing = missingDependency(Y.decodeUpdate(updates[0]!), stateOf(empty));
  assert.deepEqual(missing, { client: base.clientID, clock: 4 }, 'its origin is the last letter of "hello"');
  const deletion = missingDependency(Y.decodeUpdate(updates[1]!), stateOf(empty));
  assert.equal(deletion?.client, base.clientID, 'deleting an item the board lacks');
});

test('held updates are released when what they wait for arrives, and counted per sender', () => {
  const pending = new PendingUpdates<string>();
  pending.add({ update: new Uint8Array(10), sender: 'a', waitingFor: { client: 1, clock: 4 } });
  pending.add({ update: new Uint8Array(5), sender: 'b', waitingFor: { client: 2, clock: 0 } });
  assert.deepEqual(pending.usageOf('a'), { bytes: 10, count: 1 });
  assert.equal(pending.bytes, 15);
  assert.deepEqual(pending.takeReady([1], () => 4), [], 'clock 4 not there yet (state 4 means clocks 0..3)');
  assert.equal(pending.takeReady([1], () => 5).length, 1);
  assert.equal(pending.bytes, 5);
  pending.dropSender('b');
  assert.equal(pending.bytes, 0);
  assert.ok(pending.isEmpty);
});
