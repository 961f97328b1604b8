/**
 * For the fan-out's unit tests, which talk to a real Redis: the machine's, at REDIS_URL or the
 * default local port. Not part of the server (the build leaves it out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';

export const testRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why Redis at `url` cannot be used, or null when it answers. */
async function redisProblem(url = testRedisUrl): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return `${(error as Error).message} (at ${new URL(url).host})`;
  } finally {
    redis.disconnect();
  }
}

/**
 * Runs `define` (which declares the tests) when Redis answers. Otherwise one test named `name`
 * fails when CI is set, and elsewhere is skipped with a loud line on stderr.
 */
export async function withRedis(name: string, define: () => void): Promise<void> {
  const problem = await redisProblem();
  if (problem === null) return define();
  const message = `${name} DID NOT RUN: ${problem}. Start Redis or set REDIS_URL.`;
  if (process.env.CI) test(name, () => assert.fail(`${message} (CI is set)`));
  else {
    process.stderr.write(`\n!!! ${message}\n\n`);
    test(name, { skip: message }, () => undefined);
  }
}
