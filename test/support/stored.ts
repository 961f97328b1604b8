import { join } from 'node:path';
import * as Y from 'yjs';
import { openSqlite } from '../../server/src/extensions/persistence/sqlite-driver.js';

/** Tests open the store's SQLite file with the same better-sqlite3 the server picks for this Node. */
export { openSqlite };

/** The board as stored on disk, read straight from the SQLite file (not through the server). */
export function readStoredBoard(dataDir: string, boardId: string): Y.Doc {
  const db = openSqlite(join(dataDir, 'planboard.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT data FROM board_updates WHERE board_id = ? ORDER BY seq').all(boardId) as { data: Buffer }[];
    const doc = new Y.Doc();
    for (const row of rows) Y.applyUpdate(doc, new Uint8Array(row.data));
    return doc;
  } finally {
    db.close();
  }
}
