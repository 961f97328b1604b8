import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config.js';

test('defaults: port 3000, embedded store in ./data, no license key', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.dataDir, `${process.cwd()}/data`);
  assert.equal(config.tldrawLicenseKey, null);
  assert.equal(config.flushIntervalMs, 50);
});

test('versions: automatic ones kept 30 days and taken at most every 10 minutes, unless set', () => {
  assert.equal(loadConfig({}).versionRetentionDays, 30);
  assert.equal(loadConfig({}).versionIntervalMs, 600_000);
  const set = loadConfig({ VERSION_RETENTION_DAYS: '90', VERSION_INTERVAL_SECONDS: '120' });
  assert.equal(set.versionRetentionDays, 90);
  assert.equal(set.versionIntervalMs, 120_000);
});

test('TRUST_PROXY takes addresses, CIDR ranges and keywords, or a hop count; unset trusts no proxy', () => {
  assert.equal(loadConfig({}).trustProxy, null);
  assert.equal(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,loopback' }).trustProxy, '10.0.0.1,192.168.0.0/16,loopback');
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(loadConfig({ MAX_BOARD_BYTES: '1048576' }).maxBoardBytes, 1048576);
});

test('every bad value is refused with a message that names the variable', () => {
  const cases: Record<string, string>[] = [
    { PORT: 'abc' },
    { PORT: '70000' },
    { LOG_LEVEL: 'loud' },
    { FLUSH_INTERVAL_MS: '500' },
    { MAX_MESSAGE_BYTES: '-1' },
    { HOST: 'a b' },
    { ALLOWED_ORIGINS: 'plan.example.com' },
    { MAX_BOARD_BYTES: '100' },
    { TRUST_PROXY: 'my proxy' },
    { TRUST_PROXY: 'true' },
    { VERSION_RETENTION_DAYS: '0' },
    { VERSION_RETENTION_DAYS: '2.5' },
    { VERSION_INTERVAL_SECONDS: 'ten' },
  ];
  for (const env of cases) {
    const [name] = Object.keys(env);
    assert.throws(() => loadConfig(env), (error: Error) => error instanceof ConfigError && error.message.startsWith(name!), name);
  }
});

test('the server stops at start with one line naming a bad variable', () => {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  const result = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: 'three thousand' }, encoding: 'utf8' });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^planboard: PORT="three thousand" is invalid/);
});

test('DATABASE_URL and REDIS_URL: unset means SQLite and one instance; a bad URL is refused without echoing its password', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.databaseUrl, null);
  assert.equal(defaults.redisUrl, null);
  const set = loadConfig({ DATABASE_URL: 'postgres://planboard:pw@db:5432/planboard', REDIS_URL: 'redis://cache:6379' });
  assert.equal(set.databaseUrl, 'postgres://planboard:pw@db:5432/planboard');
  assert.equal(set.redisUrl, 'redis://cache:6379');
  const bad: Record<string, string>[] = [
    { DATABASE_URL: 'mysql://root:hunter2@db/planboard' },
    { DATABASE_URL: 'db.example.com:5432' },
    { DATABASE_URL: 'postgres://' },
    { REDIS_URL: 'http://user:hunter2@cache:6379' },
    { REDIS_URL: 'cache:6379' },
  ];
  for (const env of bad) {
    const [name] = Object.keys(env);
    assert.throws(
      () => loadConfig(env),
      (error: Error) => error instanceof ConfigError && error.message.startsWith(`${name} is invalid`) && !error.message.includes('hunter2'),
      name,
    );
  }
});

test('board creation: open by default; token needs a long secret, and a secret needs the token policy', () => {
  const open = loadConfig({});
  assert.equal(open.boardCreation, 'open');
  assert.equal(open.boardCreationToken, null);
  assert.equal(open.boardCreationsPerMinute, 20);
  assert.equal(open.metricsToken, null);
  const closed = loadConfig({ BOARD_CREATION: 'token', BOARD_CREATION_TOKEN: 'a-long-enough-secret', METRICS_TOKEN: 'another-long-secret', BOARD_CREATIONS_PER_MINUTE: '5' });
  assert.deepEqual([closed.boardCreation, closed.boardCreationToken, closed.metricsToken, closed.boardCreationsPerMinute], ['token', 'a-long-enough-secret', 'another-long-secret', 5]);
  const refused: [Record<string, string>, RegExp][] = [
    [{ BOARD_CREATION: 'closed' }, /^BOARD_CREATION="closed" is invalid: expected open .* or token/],
    [{ BOARD_CREATION: 'token' }, /^BOARD_CREATION_TOKEN is missing/],
    [{ BOARD_CREATION: 'token', BOARD_CREATION_TOKEN: 'short' }, /^BOARD_CREATION_TOKEN is invalid: expected at least 16 characters/],
    [{ BOARD_CREATION_TOKEN: 'a-long-enough-secret' }, /^BOARD_CREATION_TOKEN is set but BOARD_CREATION is not token/],
    [{ METRICS_TOKEN: 'has a space in it!!' }, /^METRICS_TOKEN is invalid/],
    [{ BOARD_CREATIONS_PER_MINUTE: '0' }, /^BOARD_CREATIONS_PER_MINUTE="0" is invalid/],
  ];
  for (const [env, message] of refused) {
    assert.throws(() => loadConfig(env), (error: Error) => error instanceof ConfigError && message.test(error.message), JSON.stringify(env));
  }
  // A secret is never echoed back in an error.
  assert.throws(() => loadConfig({ BOARD_CREATION: 'token', BOARD_CREATION_TOKEN: 'short' }), (error: Error) => !error.message.includes('short'));
});
