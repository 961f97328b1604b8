import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { getRecordsMap } from '@planboard/shared';
import type BetterSqlite3 from 'better-sqlite3';
import { openSqlite } from '../../server/src/extensions/persistence/sqlite-driver.js';

/** Tests open the store's SQLite file with the same better-sqlite3 the server picks for this Node. */
export { openSqlite };

// What the server stored, read straight from its SQLite file (not through the server). The
// tables are `boards`, `board_updates`, `board_links` (and whatever else the store adds).

export const sqlitePath = (dataDir: string) => join(dataDir, 'planboard.sqlite');

function open(dataDir: string): BetterSqlite3.Database {
  return openSqlite(sqlitePath(dataDir), { readonly: true, fileMustExist: true });
}

/** The board as stored on disk. */
export function readStoredBoard(dataDir: string, boardId: string): Y.Doc {
  const db = open(dataDir);
  try {
    const rows = db.prepare('SELECT data FROM board_updates WHERE board_id = ? ORDER BY seq').all(boardId) as { data: Buffer }[];
    const doc = new Y.Doc();
    for (const row of rows) Y.applyUpdate(doc, new Uint8Array(row.data));
    return doc;
  } finally {
    db.close();
  }
}

/** The board's records (`tl_records`) as stored on disk. */
export function storedRecords(dataDir: string, boardId: string): Record<string, unknown> {
  return getRecordsMap(readStoredBoard(dataDir, boardId)).toJSON();
}

/** How many rows each table holds for a board (every table with a `board_id` column, and `boards`). */
export function rowsOfBoard(dataDir: string, boardId: string): Record<string, number> {
  const db = open(dataDir);
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      const column = table === 'boards' ? 'id' : columns.includes('board_id') ? 'board_id' : null;
      if (!column) continue;
      counts[table] = (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`).get(boardId) as { n: number }).n;
    }
    return counts;
  } finally {
    db.close();
  }
}

/** Every byte the database holds on disk: the file and its write-ahead log. */
export function databaseBytes(dataDir: string): Buffer {
  const parts = ['', '-wal', '-journal'].map((suffix) => sqlitePath(dataDir) + suffix).filter((path) => existsSync(path));
  return Buffer.concat(parts.map((path) => readFileSync(path)));
}
