import type { Redis } from 'ioredis';
import { LocalFailureCounter, type FailureCounter } from '../auth/failure-counter.js';

/**
 * Failed token checks per address, counted in Redis so that every instance sees the same count.
 * A fixed one-minute window per address (INCR + PEXPIRE in one round trip). While Redis is away
 * the instance counts alone, as a single instance would.
 */
const WINDOW_MS = 60_000;

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
