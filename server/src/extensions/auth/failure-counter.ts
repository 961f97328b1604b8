/**
 * Failed token checks per address within a one-minute window. One instance counts alone
 * (LocalFailureCounter); with several instances the fan-out extension counts in Redis so that an
 * attacker spread over the instances gets no more tries than against one.
 */
export interface FailureCounter {
  /** True when the address has used up its failures for the current window. */
  isLimited(address: string): Promise<boolean>;
  recordFailure(address: string): Promise<void>;
}

const WINDOW_MS = 60_000;

/** One instance's own count: the fallback, and the counter when there is no Redis. */
export class LocalFailureCounter implements FailureCounter {
  readonly #limit: number;
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(failuresPerMinute: number) {
    this.#limit = failuresPerMinute;
  }

  async isLimited(address: string): Promise<boolean> {
    const entry = this.#failures.get(address);
    if (!entry) return false;
    if (Date.now() - entry.since > WINDOW_MS) {
      this.#failures.delete(address);
      return false;
    }
    return entry.count >= this.#limit;
  }

  async recordFailure(address: string): Promise<void> {
    const now = Date.now();
    const entry = this.#failures.get(address);
    if (entry && now - entry.since <= WINDOW_MS) entry.count++;
    else this.#failures.set(address, { count: 1, since: now });
    // Bounded memory under a distributed attack: forget windows that are over.
    if (this.#failures.size > 10_000) {
      for (const [key, value] of this.#failures) if (now - value.since > WINDOW_MS) this.#failures.delete(key);
    }
  }
}
