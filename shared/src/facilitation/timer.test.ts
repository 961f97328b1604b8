import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerError, applyTimerAction, formatRemaining, remainingMs } from './timer.js';

test('a timer runs to a server-issued end, pauses, resumes and takes an extra minute', () => {
  let timer = applyTimerAction(null, 'start', 1_000_000, 300_000)!;
  assert.deepEqual(timer, { status: 'running', endsAt: 1_300_000, durationMs: 300_000 });
  assert.equal(remainingMs(timer, 1_100_000), 200_000);
  assert.equal(remainingMs(timer, 999_000), 300_000, 'a clock a second behind never reads more than the duration');
  timer = applyTimerAction(timer, 'pause', 1_100_000)!;
  assert.equal(remainingMs(timer, 9_999_999), 200_000, 'a paused timer does not run');
  timer = applyTimerAction(timer, 'add', 1_200_000)!;
  assert.equal(remainingMs(timer, 0), 260_000);
  timer = applyTimerAction(timer, 'resume', 2_000_000)!;
  assert.deepEqual(timer, { status: 'running', endsAt: 2_260_000, durationMs: 360_000 });
  assert.equal(remainingMs(timer, 3_000_000), 0, 'never below zero');
  assert.equal(applyTimerAction(timer, 'stop', 0), null);
});

test('a timer refuses durations out of range and actions without a timer', () => {
  assert.throws(() => applyTimerAction(null, 'start', 0, 10), TimerError);
  assert.throws(() => applyTimerAction(null, 'start', 0, 5 * 3_600_000), TimerError);
  assert.throws(() => applyTimerAction(null, 'pause', 0), /no timer/);
});

test('remaining time reads as minutes and seconds', () => {
  assert.equal(formatRemaining(245_000), '4:05');
  assert.equal(formatRemaining(8_001), '0:09');
  assert.equal(formatRemaining(-5), '0:00');
  assert.equal(formatRemaining(3_723_000), '1:02:03');
});
