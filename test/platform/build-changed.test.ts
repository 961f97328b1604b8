// `npm start` rebuilds only what changed (scripts/build-changed.mjs). Its decisions, on a scratch
// workspace of real files: what is stale after which change, and nothing after a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/build-changed.mjs', import.meta.url));

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'planboard-build-changed-'));
  const files: Record<string, string> = {
    'package.json': '{"name":"planboard"}',
    'pnpm-lock.yaml': 'lockfileVersion: 9.0\n',
    'tsconfig.base.json': '{}',
    'shared/src/index.ts': 'export const a = 1;\n',
    'server/src/main.ts': 'console.log(1);\n',
    'web/src/main.ts': 'console.log(2);\n',
    'web/index.html': '<!doctype html>\n',
    // Build products and installed packages are not inputs.
    'web/node_modules/x/index.js': '1',
  };
  for (const [path, text] of Object.entries(files)) write(root, path, text);
  return root;
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function check(root: string, ...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [script, ...(args.length ? args : ['--check'])], { env: { ...process.env, BUILD_CHANGED_ROOT: root }, encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

test('build-changed: nothing built yet → everything; after a build → nothing; a change → exactly what it feeds', (t) => {
  const root = workspace();
  t.after(() => rmSync(root, { recursive: true, force: true }));

  let result = check(root);
  assert.equal(result.status, 1);
  assert.match(result.out, /would build @planboard\/shared, @planboard\/server, @planboard\/web/);

  assert.equal(check(root, '--mark').status, 0);
  result = check(root);
  assert.equal(result.status, 0, result.out);
  assert.match(result.out, /everything is up to date/);

  // Build products, installed packages and rewriting a file with the same content change nothing.
  write(root, 'web/dist/index.html', 'built');
  write(root, 'web/node_modules/x/index.js', '2');
  write(root, 'server/src/main.ts', 'console.log(1);\n');
  assert.equal(check(root).status, 0);

  write(root, 'web/src/main.ts', 'console.log(3);\n');
  result = check(root);
  assert.equal(result.status, 1);
  assert.match(result.out, /would build @planboard\/web$/m);
  check(root, '--mark');

  // The shared package is built into both the server and the web app.
  write(root, 'shared/src/index.ts', 'export const a = 2;\n');
  assert.match(check(root).out, /would build @planboard\/shared, @planboard\/server, @planboard\/web$/m);
  check(root, '--mark');

  write(root, 'server/src/new-file.ts', 'export {};\n');
  assert.match(check(root).out, /would build @planboard\/server$/m);
  check(root, '--mark');

  // New dependencies (the lockfile) can change any build.
  write(root, 'pnpm-lock.yaml', 'lockfileVersion: 9.0\n# changed\n');
  assert.match(check(root).out, /would build @planboard\/shared, @planboard\/server, @planboard\/web$/m);
});

test('build-changed: a missing or deleted dist is rebuilt even when the sources are unchanged', (t) => {
  const root = workspace();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  check(root, '--mark');
  rmSync(join(root, 'web', 'dist'), { recursive: true });
  assert.match(check(root).out, /would build @planboard\/web$/m);
});
