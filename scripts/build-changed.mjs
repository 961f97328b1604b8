#!/usr/bin/env node
// Builds only the workspace packages whose inputs changed since their last build, so `npm start`
// serves at once when nothing changed. A package's inputs are its own files (everything but
// node_modules and dist) plus those of the workspace packages it builds from, the lockfile and the
// shared TypeScript settings; their SHA-256 is written to `<package>/dist/.build-stamp` after a
// build succeeded, and a package is rebuilt when the stamp is missing or differs. Content, not
// modification times: a checkout or a copied tree must not look newer (or older) than it is.
//
//   node scripts/build-changed.mjs           build what changed
//   node scripts/build-changed.mjs --check   only say what would be built (exit 1 if anything)
//   node scripts/build-changed.mjs --mark    record the current sources as built (after a full
//                                            `pnpm run build`, which calls this)
// BUILD_CHANGED_ROOT points it at another workspace (its tests use a scratch copy).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.BUILD_CHANGED_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = '.build-stamp';

// name → its folder and the workspace packages whose sources end up in its build.
const packages = {
  '@planboard/shared': { dir: 'shared', from: [] },
  '@planboard/server': { dir: 'server', from: ['shared'] },
  '@planboard/web': { dir: 'web', from: ['shared'] },
};
const common = ['pnpm-lock.yaml', 'tsconfig.base.json', 'package.json'];
const skip = new Set(['node_modules', 'dist', '.vite', '.svelte-kit']);

function filesUnder(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

function stampOf({ dir, from }) {
  const hash = createHash('sha256');
  const files = [
    ...common.map((file) => join(root, file)).filter((file) => existsSync(file)),
    ...[dir, ...from].flatMap((folder) => filesUnder(join(root, folder), [])),
  ].sort();
  for (const file of files) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const readStamp = (dir) => {
  try {
    return readFileSync(join(root, dir, 'dist', STAMP), 'utf8').trim();
  } catch {
    return null;
  }
};

const stamps = Object.fromEntries(Object.entries(packages).map(([name, pkg]) => [name, stampOf(pkg)]));
const stale = Object.keys(packages).filter((name) => readStamp(packages[name].dir) !== stamps[name]);

const writeStamps = (names) => {
  for (const name of names) {
    mkdirSync(join(root, packages[name].dir, 'dist'), { recursive: true });
    writeFileSync(join(root, packages[name].dir, 'dist', STAMP), `${stamps[name]}\n`);
  }
};

if (process.argv.includes('--mark')) {
  writeStamps(Object.keys(packages));
  process.exit(0);
}
if (process.argv.includes('--check')) {
  console.log(stale.length ? `build-changed: would build ${stale.join(', ')}` : 'build-changed: everything is up to date');
  process.exit(stale.length ? 1 : 0);
}
if (stale.length === 0) {
  console.log('build-changed: sources unchanged since the last build, not rebuilding');
  process.exit(0);
}

console.log(`build-changed: building ${stale.join(', ')}`);
const filters = stale.flatMap((name) => ['--filter', name]);
// Under `pnpm run`, npm_execpath is the running pnpm: use it (on this Node) rather than any on PATH.
const pnpm = process.env.npm_execpath && /pnpm\.[cm]?js$/.test(process.env.npm_execpath)
  ? [process.execPath, process.env.npm_execpath]
  : ['pnpm'];
const result = spawnSync(pnpm[0], [...pnpm.slice(1), ...filters, 'run', 'build'], { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
if (result.status !== 0) process.exit(result.status ?? 1);
writeStamps(stale);
