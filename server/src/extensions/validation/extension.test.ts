import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import * as Y from 'yjs';
import { CloseCode, getRecordsMap, storyCardRecord, type StoredRecord } from '@planboard/shared';
import { recordValidation } from './extension.js';

function updateOf(doc: Y.Doc, change: (records: Y.Map<StoredRecord>) => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change(getRecordsMap(doc));
  return Y.encodeStateAsUpdate(doc, before);
}

test('an update writing a malformed card is refused with 4400 and a reason that fits a close frame; a good one passes', () => {
  const lines: string[] = [];
  const { log } = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => lines.push(line) } } });
  const extension = recordValidation(log);
  const board = { id: 'b0000000000001', doc: new Y.Doc() };
  const peer = new Y.Doc();
  const card = storyCardRecord({ x: 0, y: 0, index: 'a1' }, { title: 'Fine' });
  assert.equal(extension.beforeApplyUpdate(board, updateOf(peer, (records) => records.set(card.id, card))), undefined);
  const longKey = `shape:${'é'.repeat(200)}`;
  const refusal = extension.beforeApplyUpdate(board, updateOf(peer, (records) => records.set(longKey, { ...card, id: longKey, props: null })));
  assert.ok(refusal);
  assert.equal(refusal.closeCode, CloseCode.malformed);
  assert.match(refusal.message, /^invalid record shape:é+/);
  assert.ok(Buffer.byteLength(refusal.message) <= 123, `${Buffer.byteLength(refusal.message)} bytes`);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /update writing malformed records refused/);
});
