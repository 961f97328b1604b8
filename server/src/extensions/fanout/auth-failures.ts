import type { Redis } from 'ioredis';

/**
 * Failed token checks per address, counted in Redis so that every instance sees the same count:
 * an attacker spread over the instances by the balancer gets no more tries than against one.
 * A fixed one-minute window per address (INCR + PEXPIRE in one round trip). While Redis is away
 * the instance counts alone, as a single instance would.
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

export class RedisFailureCounter implements FailureCounter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limit: number;
  readonly #local: LocalFailureCounter;

  constructor(redis: Redis, prefix: string, failuresPerMinute: number) {
    this.#redis = redis;
    this.#prefix = `${prefix}auth-failures:`;
    this.#limit = failuresPerMinute;
    this.#local = new LocalFailureCounter(failuresPerMinute);
  }

  async isLimited(address: string): Promise<boolean> {
    try {
      const count = await this.#redis.get(this.#prefix + address);
      return Number(count ?? 0) >= this.#limit;
    } catch {
      return this.#local.isLimited(address);
    }
  }

  async recordFailure(address: string): Promise<void> {
    try {
      // NX: the window starts at the first failure and is not extended by the next ones.
      await this.#redis.multi().incr(this.#prefix + address).pexpire(this.#prefix + address, WINDOW_MS, 'NX').exec();
    } catch {
      await this.#local.recordFailure(address);
    }
  }
}
