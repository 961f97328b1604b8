#!/usr/bin/env node
// Runs every test file of the workspace in Node's test runner (TypeScript through tsx), one
// process per file. Unit tests sit beside their code (`*.test.ts`); cross-package tests live in
// test/. The runner's own summary is the last thing printed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const roots = ['shared/src', 'server/src', 'web/src', 'test'];
const skip = new Set(['node_modules', 'dist', 'bench', 'results']);

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const filter = process.argv.slice(2);
const files = roots
  .flatMap((dir) => collect(join(root, dir), []))
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1',
    // A test file whose test failed before closing a socket or a server must not hold the run open
    // until CI's limit: each file's process exits when its tests are done, and no test runs for
    // more than five minutes.
    '--test-force-exit', '--test-timeout=300000',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
