import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD_ID_ALPHABET, BOARD_ID_LENGTH, isBoardId, newBoardId } from './board-id.js';

test('new board ids are valid, of fixed length, and distinct', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = newBoardId();
    assert.equal(id.length, BOARD_ID_LENGTH);
    assert.ok(isBoardId(id), id);
    ids.add(id);
  }
  assert.equal(ids.size, 2000);
});

test('the alphabet has 32 symbols, so random bytes map without bias', () => {
  assert.equal(new Set(BOARD_ID_ALPHABET).size, 32);
});

test('ids outside the alphabet or of another length are refused', () => {
  assert.equal(isBoardId(''), false);
  assert.equal(isBoardId('0123456789abc'), false);
  assert.equal(isBoardId('0123456789abcde'), false);
  assert.equal(isBoardId('0123456789abcL'), false);
  assert.equal(isBoardId('0123456789abci'), false);
  assert.equal(isBoardId('../../etc/pass'), false);
  assert.equal(isBoardId('0123456789abcd'), true);
});
