import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DotError, placeDot, tallyDots, type Dots } from './dots.js';

const rules = { cardIds: ['a', 'b', 'c'], dotsPerPerson: 3, maxPerCard: 2 };

test('dots are placed and taken back within the rules', () => {
  let dots: Dots = {};
  dots = placeDot(dots, rules, 'a', 1);
  dots = placeDot(dots, rules, 'a', 1);
  assert.throws(() => placeDot(dots, rules, 'a', 1), /at most 2/);
  dots = placeDot(dots, rules, 'b', 1);
  assert.throws(() => placeDot(dots, rules, 'c', 1), /all your 3 dots/);
  dots = placeDot(dots, rules, 'a', -1);
  assert.deepEqual(dots, { a: 1, b: 1 });
  dots = placeDot(dots, rules, 'b', -1);
  assert.deepEqual(dots, { a: 1 });
  assert.throws(() => placeDot(dots, rules, 'c', -1), DotError);
  assert.throws(() => placeDot(dots, rules, 'z', 1), /not part of the vote/);
});

test('one dot per card when the vote says so', () => {
  assert.throws(() => placeDot({ a: 1 }, { ...rules, maxPerCard: 1 }, 'a', 1), /one dot per card/);
});

test('the tally counts every card of the vote, and only those', () => {
  assert.deepEqual(tallyDots(['a', 'b', 'c'], [{ a: 2, b: 1 }, { a: 1 }, { z: 4 }]), { a: 3, b: 1, c: 0 });
});
