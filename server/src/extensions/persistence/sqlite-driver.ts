import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Which better-sqlite3 this Node can run. Two majors are installed side by side because no single
 * one runs on every Node.js that Planboard supports (20.19 through 26):
 *
 * - better-sqlite3 12 wraps its objects in `node::ObjectWrap` from Node's own headers. Since Node
 *   24 (and in 26) that header registers an environment cleanup hook in the constructor and
 *   removes it in the destructor, and the removal CHECKs that a Node environment is current. When
 *   V8 garbage-collects a Statement (or Database) in a GC that runs with no context entered, as
 *   allocation-triggered GCs do, the process aborts with `Assertion failed: (env) != nullptr` in
 *   `RemoveEnvironmentCleanupHook` under `Statement::~Statement`. Every `db.pragma()` makes such a
 *   throwaway Statement, so the server died a few allocations after opening its database. Node 20
 *   and 22 headers have no hook; nothing in our code can keep every Statement alive forever.
 * - better-sqlite3 13 is built on Node-API (finalizers instead of ObjectWrap) and ships a prebuilt
 *   binary, but needs Node 22 and segfaults on Node 20.
 *
 * So Node 22+ loads 13 (`better-sqlite3`) and Node 20 loads 12 (the `better-sqlite3-node20`
 * alias). Both have the same JavaScript API; the types are @types/better-sqlite3.
 */
const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split('.')[0]);

export const sqliteModule: 'better-sqlite3' | 'better-sqlite3-node20' = nodeMajor >= 22 ? 'better-sqlite3' : 'better-sqlite3-node20';

const Database = require(sqliteModule) as typeof BetterSqlite3;

export function openSqlite(file: string, options?: BetterSqlite3.Options): BetterSqlite3.Database {
  return new Database(file, options);
}
