import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Role } from '@planboard/shared';
import type { BoardRecord, BoardStore, LinkRecord, PendingUpdates } from './store.js';
import { openSqlite } from './sqlite-driver.js';

/**
 * The embedded store: one SQLite file in WAL mode, synchronous=FULL so that a committed batch
 * survives a killed process and a power cut alike. better-sqlite3 is synchronous; a batch of a
 * few dozen small inserts takes well under a millisecond, so it runs on the event loop.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE boards (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE board_updates (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
     data BLOB NOT NULL
   );
   CREATE INDEX board_updates_by_board ON board_updates(board_id, seq);`,
  `CREATE TABLE board_links (
     id TEXT PRIMARY KEY,
     board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
     role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
     label TEXT,
     secret_hash BLOB NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT
   );
   CREATE INDEX board_links_by_board ON board_links(board_id);`,
];

interface BoardRow {
  id: string;
  title: string;
  created_at: string;
}

interface LinkRow {
  id: string;
  board_id: string;
  role: Role;
  label: string | null;
  secret_hash: Buffer;
  created_at: string;
  expires_at: string | null;
}

const toLink = (row: LinkRow): LinkRecord => ({
  id: row.id,
  boardId: row.board_id,
  role: row.role,
  label: row.label,
  secretHash: new Uint8Array(row.secret_hash),
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

const toRecord = (row: BoardRow): BoardRecord => ({ id: row.id, title: row.title, createdAt: row.created_at });

export class SqliteBoardStore implements BoardStore {
  readonly #db: Database.Database;
  readonly #statements;
  readonly #appendBatch: (batch: PendingUpdates[]) => Map<string, number>;
  readonly #compact: (boardId: string, snapshot: Uint8Array) => void;

  constructor(file: string) {
    this.#db = openSqlite(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#migrate();
    const db = this.#db;
    this.#statements = {
      insertBoard: db.prepare<[string, string, string]>('INSERT INTO boards (id, title, created_at) VALUES (?, ?, ?)'),
      getBoard: db.prepare<[string], BoardRow>('SELECT id, title, created_at FROM boards WHERE id = ?'),
      setTitle: db.prepare<[string, string]>('UPDATE boards SET title = ? WHERE id = ?'),
      listBoards: db.prepare<[], BoardRow>('SELECT id, title, created_at FROM boards ORDER BY created_at DESC'),
      deleteBoard: db.prepare<[string]>('DELETE FROM boards WHERE id = ?'),
      deleteUpdates: db.prepare<[string]>('DELETE FROM board_updates WHERE board_id = ?'),
      loadUpdates: db.prepare<[string], { data: Buffer }>('SELECT data FROM board_updates WHERE board_id = ? ORDER BY seq'),
      insertUpdate: db.prepare<[string, Uint8Array]>('INSERT INTO board_updates (board_id, data) VALUES (?, ?)'),
      insertLink: db.prepare<[string, string, string, string | null, Uint8Array, string, string | null]>(
        'INSERT INTO board_links (id, board_id, role, label, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      getLink: db.prepare<[string], LinkRow>('SELECT * FROM board_links WHERE id = ?'),
      listLinks: db.prepare<[string], LinkRow>('SELECT * FROM board_links WHERE board_id = ? ORDER BY created_at, rowid'),
      deleteLink: db.prepare<[string, string]>('DELETE FROM board_links WHERE board_id = ? AND id = ?'),
      countUpdates: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM board_updates WHERE board_id = ?'),
    };
    const s = this.#statements;
    this.#appendBatch = db.transaction((batch: PendingUpdates[]) => {
      const lengths = new Map<string, number>();
      for (const { boardId, updates } of batch) {
        for (const update of updates) s.insertUpdate.run(boardId, update);
        lengths.set(boardId, s.countUpdates.get(boardId)?.n ?? 0);
      }
      return lengths;
    });
    this.#compact = db.transaction((boardId: string, snapshot: Uint8Array) => {
      s.deleteUpdates.run(boardId);
      s.insertUpdate.run(boardId, snapshot);
    });
  }

  static open(dataDir: string): SqliteBoardStore {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteBoardStore(join(dataDir, 'planboard.sqlite'));
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    for (let next = version; next < MIGRATIONS.length; next++) {
      this.#db.transaction(() => {
        this.#db.exec(MIGRATIONS[next]!);
        this.#db.pragma(`user_version = ${next + 1}`);
      })();
    }
  }

  async createBoard(board: BoardRecord): Promise<void> {
    this.#statements.insertBoard.run(board.id, board.title, board.createdAt);
  }

  async getBoard(id: string): Promise<BoardRecord | null> {
    const row = this.#statements.getBoard.get(id);
    return row ? toRecord(row) : null;
  }

  async updateBoardTitle(id: string, title: string): Promise<BoardRecord | null> {
    this.#statements.setTitle.run(title, id);
    return this.getBoard(id);
  }

  async listBoards(): Promise<BoardRecord[]> {
    return this.#statements.listBoards.all().map(toRecord);
  }

  async deleteBoard(id: string): Promise<boolean> {
    return this.#statements.deleteBoard.run(id).changes > 0;
  }

  async createLink(link: LinkRecord): Promise<void> {
    this.#statements.insertLink.run(link.id, link.boardId, link.role, link.label, link.secretHash, link.createdAt, link.expiresAt);
  }

  async getLink(id: string): Promise<LinkRecord | null> {
    const row = this.#statements.getLink.get(id);
    return row ? toLink(row) : null;
  }

  async listLinks(boardId: string): Promise<LinkRecord[]> {
    return this.#statements.listLinks.all(boardId).map(toLink);
  }

  async deleteLink(boardId: string, linkId: string): Promise<boolean> {
    return this.#statements.deleteLink.run(boardId, linkId).changes > 0;
  }

  async loadUpdates(boardId: string): Promise<Uint8Array[]> {
    return this.#statements.loadUpdates.all(boardId).map((row) => new Uint8Array(row.data));
  }

  async appendUpdates(batch: PendingUpdates[]): Promise<Map<string, number>> {
    return this.#appendBatch(batch);
  }

  async compact(boardId: string, snapshot: Uint8Array): Promise<void> {
    this.#compact(boardId, snapshot);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
