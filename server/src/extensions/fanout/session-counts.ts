import type { Redis } from 'ioredis';
import type { SessionCounts } from '../auth/access.js';

/** How long a link's counts live without being renewed; every instance renews its own often. */
const TTL_MS = 30_000;

/**
 * Live sessions per link, counted by every instance in Redis: one hash per link
 * (`sessions:<linkId>`), one field per instance holding that instance's own count. A field is
 * written when the count changes here, and every field of this instance again on each
 * heartbeat (a Redis that restarted empty is refilled within one period). A reader adds up the
 * fields of instances whose heartbeat key still exists, so the sessions of an instance that died
 * stop counting as soon as its heartbeat expires.
 */
export class RedisSessionCounts implements SessionCounts {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #instanceId: string;
  readonly #local = new Map<string, number>();
  readonly #dirty = new Set<string>();
  #flushScheduled = false;

  constructor(redis: Redis, prefix: string, instanceId: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#instanceId = instanceId;
  }

  #key(linkId: string): string {
    return `${this.#prefix}sessions:${linkId}`;
  }

  set(linkId: string, count: number): void {
    if (count > 0) this.#local.set(linkId, count);
    else this.#local.delete(linkId);
    this.#dirty.add(linkId);
    // A connection storm changes the counts hundreds of times in one turn: write once per link.
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      const links = [...this.#dirty];
      this.#dirty.clear();
      void this.#write(links);
    });
  }

  /** Rewrites every count of this instance (called on each heartbeat). */
  renew(): Promise<void> {
    return this.#write([...this.#local.keys()]);
  }

  async #write(links: string[]): Promise<void> {
    if (links.length === 0) return;
    const batch = this.#redis.multi();
    for (const linkId of links) {
      const count = this.#local.get(linkId) ?? 0;
      if (count > 0) batch.hset(this.#key(linkId), this.#instanceId, String(count)).pexpire(this.#key(linkId), TTL_MS);
      else batch.hdel(this.#key(linkId), this.#instanceId);
    }
    // Redis away: the next heartbeat after it returns writes everything again.
    await batch.exec().catch(() => undefined);
  }

  async total(linkId: string, local: number): Promise<number> {
    try {
      const fields = Object.entries(await this.#redis.hgetall(this.#key(linkId))).filter(([instance]) => instance !== this.#instanceId);
      if (fields.length === 0) return local;
      const alive = await Promise.all(fields.map(([instance]) => this.#redis.exists(`${this.#prefix}instance:${instance}`)));
      return fields.reduce((sum, [, count], i) => sum + (alive[i] ? Number(count) || 0 : 0), local);
    } catch {
      // Redis away: this instance's own sessions are all it can vouch for.
      return local;
    }
  }

  /** This instance leaves: its counts go at once rather than when its heartbeat expires. */
  async close(): Promise<void> {
    const links = [...this.#local.keys()];
    this.#local.clear();
    await this.#write(links);
  }
}
