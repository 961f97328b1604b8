#!/usr/bin/env node
// The README's two commands (`npm start`, `npm test`) land here: install what a fresh machine
// with only Node.js and npm lacks (pnpm, pinned; the workspace's dependencies), then run the
// given root script through pnpm.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const task = process.argv[2];
if (!task) {
  console.error('usage: node scripts/bootstrap.mjs <root script>');
  process.exit(2);
}

const pnpmSpec = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const env = { ...process.env };
// better-sqlite3 builds from source where its prebuilt binary cannot be downloaded; node-gyp then
// needs Node's headers, which Debian ships in /usr/include/node. Point it there only where they
// exist, so a laptop that downloads the prebuilt binary is unaffected.
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) {
  env.npm_config_nodedir = '/usr';
}

function run(args) {
  const result = spawnSync('npx', ['--yes', pnpmSpec, ...args], { cwd: root, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const installStatus = run(['install', ...(env.CI ? ['--frozen-lockfile'] : [])]);
if (installStatus !== 0) {
  console.error(`\nplanboard: installing dependencies failed (exit ${installStatus}).`);
  process.exit(installStatus);
}
process.exit(run(['run', task]));
