/**
 * The shared timer. The server issues the end time (its own clock); each client shows
 * `endsAt - (Date.now() + offset)`, where `offset` is the server clock minus the client's, so
 * participants whose clocks differ by seconds still see the same remaining time.
 */
export type TimerState =
  | { status: 'running'; endsAt: number; durationMs: number }
  | { status: 'paused'; remainingMs: number; durationMs: number };

export const TIMER_LIMITS = { minMs: 1_000, maxMs: 4 * 60 * 60_000, addMs: 60_000 } as const;

export type TimerAction = 'start' | 'pause' | 'resume' | 'add' | 'stop';

export class TimerError extends Error {}

export function remainingMs(timer: TimerState, now: number): number {
  // A clock estimate a little behind the server's must not show more than the timer was set to.
  return timer.status === 'paused' ? timer.remainingMs : Math.min(timer.durationMs, Math.max(0, timer.endsAt - now));
}

/** The timer after an action at server time `now`; null once stopped. */
export function applyTimerAction(timer: TimerState | null, action: TimerAction, now: number, durationMs?: number): TimerState | null {
  switch (action) {
    case 'start': {
      if (durationMs === undefined || !Number.isInteger(durationMs) || durationMs < TIMER_LIMITS.minMs || durationMs > TIMER_LIMITS.maxMs) {
        throw new TimerError(`a timer runs from ${TIMER_LIMITS.minMs / 1000} seconds to ${TIMER_LIMITS.maxMs / 3_600_000} hours`);
      }
      return { status: 'running', endsAt: now + durationMs, durationMs };
    }
    case 'stop':
      return null;
  }
  if (!timer) throw new TimerError('no timer is running');
  switch (action) {
    case 'pause':
      if (timer.status === 'paused') return timer;
      return { status: 'paused', remainingMs: remainingMs(timer, now), durationMs: timer.durationMs };
    case 'resume':
      if (timer.status === 'running') return timer;
      return { status: 'running', endsAt: now + timer.remainingMs, durationMs: timer.durationMs };
    case 'add': {
      const left = Math.min(remainingMs(timer, now) + TIMER_LIMITS.addMs, TIMER_LIMITS.maxMs);
      const durationMs = timer.durationMs + TIMER_LIMITS.addMs;
      return timer.status === 'paused' ? { status: 'paused', remainingMs: left, durationMs } : { status: 'running', endsAt: now + left, durationMs };
    }
  }
}

/** "4:05", "0:09", "1:02:03". */
export function formatRemaining(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
