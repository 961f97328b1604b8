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
