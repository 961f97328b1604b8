#!/usr/bin/env node
// The README's two commands (`npm start`, `npm test`) land here: install what a fresh machine
// with only Node.js and npm lacks (pnpm, pinned; the workspace's dependencies), then run the
// given root script through pnpm.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const task = process.argv[2];
if (!task) {
  console.error('usage: node scripts/bootstrap.mjs <root script>');
  process.exit(2);
}

const pnpmSpec = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const env = { ...process.env };

// Everything below (npx, pnpm, node-gyp, the server) runs on the Node that runs this script, not
// on another `node` that happens to come first on PATH.
env.PATH = [dirname(process.execPath), env.PATH].filter(Boolean).join(delimiter);

/** The version that a folder's include/node/node_version.h declares, or null. */
function headersVersion(prefix) {
  try {
    const text = readFileSync(join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(text)?.[1];
    return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  } catch {
    return null;
  }
}

/**
 * The running Node's own headers: PREFIX/include/node for a Node at PREFIX/bin/node (Debian's
 * /usr/bin/node, the official tarballs, nvm), or, for the npm registry's `node` package, the
 * `node-<platform>-<arch>` package beside its binary. Only headers of exactly this version count.
 */
function ownNodedir() {
  const prefixes = new Set();
  for (const exe of new Set([process.execPath, realpathSync(process.execPath)])) {
    const prefix = dirname(dirname(exe));
    prefixes.add(prefix);
    prefixes.add(join(prefix, 'node_modules', `node-${process.platform}-${process.arch}`));
  }
  return [...prefixes].find((prefix) => headersVersion(prefix) === process.versions.node) ?? null;
}

// better-sqlite3 12 (used on Node 20) builds from source where its prebuilt binary cannot be
// downloaded; node-gyp then needs the headers of the Node it builds for, or it tries to download
// them. A native module built against another Node's headers does not load (NODE_MODULE_VERSION
// mismatch), so point node-gyp at the running Node's own headers, and at nothing when there are
// none here (a laptop that downloads the prebuilt binary, or node-gyp's own download).
const presetNodedir = env.npm_config_nodedir;
if (presetNodedir && headersVersion(presetNodedir) !== process.versions.node) {
  console.error(`planboard: ignoring npm_config_nodedir=${presetNodedir}: those are not Node ${process.versions.node}'s headers`);
  delete env.npm_config_nodedir;
}
if (!env.npm_config_nodedir) {
  const nodedir = ownNodedir();
  if (nodedir) env.npm_config_nodedir = nodedir;
}

/**
 * Node 20 runs better-sqlite3 12 (server/src/extensions/persistence/sqlite-driver.ts), compiled
 * for one Node ABI. pnpm does not rebuild it when the checkout was installed under another Node
 * (then it refuses to load: NODE_MODULE_VERSION): detect that, and rebuild it. Node 22 and later
 * load better-sqlite3 13's Node-API binary, which fits every version.
 */
function nativeModuleIsForAnotherNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return false;
  const probe = spawnSync(process.execPath, ['-e', "const D = require('better-sqlite3-node20'); new D(':memory:').close()"], {
    cwd: join(root, 'server'),
    encoding: 'utf8',
  });
  return probe.status !== 0 && /ERR_DLOPEN_FAILED|NODE_MODULE_VERSION/.test(probe.stderr);
}

const steps = [`pnpm install${env.CI ? ' --frozen-lockfile' : ''}`];
if (nativeModuleIsForAnotherNode()) {
  console.error(`planboard: better-sqlite3 was built for another Node.js; rebuilding it for Node ${process.versions.node} (about a minute)`);
  steps.push('pnpm rebuild better-sqlite3');
}
steps.push(`pnpm run ${task}`);
// One npx start (about 2 s) for all steps: install (< 1 s when nothing changed), then the task.
const result = spawnSync('npx', ['--yes', '--package', pnpmSpec, '--call', steps.join(' && ')], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
