import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckError, ESTIMATE_DECK, PASS, TSHIRT_DECK, estimateFor, isDeckAnswer, makeDeck } from './decks.js';
import { summarizeVotes } from './poker.js';

test('the default deck is the card estimate scale without "not estimated"', () => {
  assert.deepEqual(ESTIMATE_DECK.values, ['0', '1', '2', '3', '5', '8', '13', '21', '?']);
  assert.equal(estimateFor(ESTIMATE_DECK, '8'), '8');
  assert.equal(estimateFor(ESTIMATE_DECK, 'none'), null);
});

test('t-shirt sizes stand for estimates; custom words stand for none', () => {
  assert.equal(estimateFor(TSHIRT_DECK, 'M'), '3');
  assert.equal(estimateFor(TSHIRT_DECK, 'XXL'), '13');
  const custom = makeDeck('custom', ['tiny', ' huge ', '5']);
  assert.deepEqual(custom.values, ['tiny', 'huge', '5']);
  assert.equal(estimateFor(custom, 'tiny'), null);
  assert.equal(estimateFor(custom, '5'), '5');
});

test('custom decks are checked', () => {
  assert.throws(() => makeDeck('custom', ['one']), DeckError);
  assert.throws(() => makeDeck('custom', ['a', 'a']), /different/);
  assert.throws(() => makeDeck('custom', ['a', 'x'.repeat(13)]), /longer/);
  assert.throws(() => makeDeck('custom', ['a', PASS]), /always offered/);
});

test('a deck accepts its values and a pass, nothing else', () => {
  assert.ok(isDeckAnswer(ESTIMATE_DECK, '13') && isDeckAnswer(ESTIMATE_DECK, PASS));
  assert.ok(!isDeckAnswer(ESTIMATE_DECK, '4') && !isDeckAnswer(ESTIMATE_DECK, 'M'));
});

test('the reveal shows consensus when everyone who voted agrees', () => {
  const result = summarizeVotes(ESTIMATE_DECK, ['5', '5', PASS, '5']);
  assert.deepEqual(result.distribution, [{ value: '5', count: 3 }]);
  assert.equal(result.passes, 1);
  assert.equal(result.consensus, '5');
  assert.deepEqual(result.outliers, []);
});

test('without consensus the lowest and highest values are the outliers, in deck order', () => {
  const result = summarizeVotes(ESTIMATE_DECK, ['13', '3', '5', '5', '?', '2']);
  assert.deepEqual(result.distribution.map((d) => d.value), ['2', '3', '5', '13', '?']);
  assert.equal(result.consensus, null);
  assert.deepEqual(result.outliers, ['2', '13']);
  assert.equal(result.suggestion, '5');
});

test('a round where everyone passed has no result value', () => {
  const result = summarizeVotes(ESTIMATE_DECK, [PASS, PASS]);
  assert.deepEqual(result.distribution, []);
  assert.equal(result.consensus, null);
  assert.equal(result.suggestion, null);
});
