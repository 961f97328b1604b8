import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Role } from '@planboard/shared';
import {
  NoSuchBoardError,
  mergeRows,
  type AppendedLog,
  type BoardRecord,
  type BoardStore,
  type Compaction,
  type CompactionResult,
  type DeleteLinkResult,
  type LinkRecord,
  type PendingUpdates,
  type VersionRecord,
} from './store.js';
import { VERSION_COLUMNS, toLink, toRecord, toVersion, type BoardRow, type LinkRow, type VersionRow } from './rows.js';
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
  // Server-side state of a board kept out of its document (facilitation: secret votes, timer).
  `CREATE TABLE board_data (
     board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (board_id, key)
   ) WITHOUT ROWID;`,
  // Versions of a board (history): the whole Yjs state at a moment, with who was there.
  `CREATE TABLE board_versions (
     id TEXT PRIMARY KEY,
     board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
     created_at TEXT NOT NULL,
     kind TEXT NOT NULL,
     name TEXT,
     people TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     restored_version_id TEXT,
     state BLOB NOT NULL
   );
   CREATE INDEX board_versions_by_board ON board_versions(board_id, created_at);
   CREATE INDEX board_versions_unnamed_by_time ON board_versions(created_at) WHERE name IS NULL;`,
];

const isForeignKeyFailure = (error: unknown): boolean =>
  (error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';


export class SqliteBoardStore implements BoardStore {
  readonly #db: Database.Database;
  readonly #statements;
  readonly #createBoard: (board: BoardRecord, links: LinkRecord[], initialUpdate: Uint8Array | null) => void;
  readonly #appendBatch: (batch: PendingUpdates[]) => Map<string, AppendedLog>;
  readonly #deleteLink: (boardId: string, linkId: string) => DeleteLinkResult;
  readonly #compact: (boardId: string, compaction: Compaction) => CompactionResult;

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
      boardExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM boards WHERE id = ?'),
      loadUpdates: db.prepare<[string], { data: Buffer }>('SELECT data FROM board_updates WHERE board_id = ? ORDER BY seq'),
      insertUpdate: db.prepare<[string, Uint8Array]>('INSERT INTO board_updates (board_id, data) VALUES (?, ?)'),
      rowsThrough: db.prepare<[string, number], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM board_updates WHERE board_id = ? AND seq <= ? ORDER BY seq',
      ),
      boundsThrough: db.prepare<[string, number], { n: number; last: number | null }>(
        'SELECT COUNT(*) AS n, MAX(seq) AS last FROM board_updates WHERE board_id = ? AND seq <= ?',
      ),
      deleteThrough: db.prepare<[string, number]>('DELETE FROM board_updates WHERE board_id = ? AND seq <= ?'),
      insertUpdateAt: db.prepare<[number, string, Uint8Array]>('INSERT INTO board_updates (seq, board_id, data) VALUES (?, ?, ?)'),
      getData: db.prepare<[string, string], { value: string }>('SELECT value FROM board_data WHERE board_id = ? AND key = ?'),
      setData: db.prepare<[string, string, string]>(
        'INSERT INTO board_data (board_id, key, value) VALUES (?, ?, ?) ON CONFLICT (board_id, key) DO UPDATE SET value = excluded.value',
      ),
      deleteData: db.prepare<[string, string]>('DELETE FROM board_data WHERE board_id = ? AND key = ?'),
      insertDataIfAbsent: db.prepare<[string, string, string]>('INSERT INTO board_data (board_id, key, value) VALUES (?, ?, ?) ON CONFLICT (board_id, key) DO NOTHING'),
      replaceDataIf: db.prepare<[string, string, string, string]>('UPDATE board_data SET value = ? WHERE board_id = ? AND key = ? AND value = ?'),
      deleteDataIf: db.prepare<[string, string, string]>('DELETE FROM board_data WHERE board_id = ? AND key = ? AND value = ?'),
      listData: db.prepare<[string, string, string], { key: string; value: string }>(
        'SELECT key, value FROM board_data WHERE board_id = ? AND substr(key, 1, length(?)) = ? ORDER BY key',
      ),
      insertLink: db.prepare<[string, string, string, string | null, Uint8Array, string, string | null]>(
        'INSERT INTO board_links (id, board_id, role, label, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      getLink: db.prepare<[string], LinkRow>('SELECT * FROM board_links WHERE id = ?'),
      listLinks: db.prepare<[string], LinkRow>('SELECT * FROM board_links WHERE board_id = ? ORDER BY created_at, rowid'),
      deleteLink: db.prepare<[string, string]>('DELETE FROM board_links WHERE board_id = ? AND id = ?'),
      linkRole: db.prepare<[string, string], { role: Role }>('SELECT role FROM board_links WHERE board_id = ? AND id = ?'),
      countOwners: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM board_links WHERE board_id = ? AND role = 'owner'"),
      countUpdates: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM board_updates WHERE board_id = ?'),
      insertVersion: db.prepare<[string, string, string, string, string | null, string, number, string | null, Uint8Array]>(
        `INSERT INTO board_versions (${VERSION_COLUMNS}, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      listVersions: db.prepare<[string], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM board_versions WHERE board_id = ? ORDER BY created_at DESC, rowid DESC`),
      getVersion: db.prepare<[string, string], VersionRow & { state: Buffer }>(`SELECT ${VERSION_COLUMNS}, state FROM board_versions WHERE board_id = ? AND id = ?`),
      nameVersion: db.prepare<[string, string, string]>('UPDATE board_versions SET name = ? WHERE board_id = ? AND id = ?'),
      pruneVersions: db.prepare<[string]>('DELETE FROM board_versions WHERE name IS NULL AND created_at < ?'),
    };
    const s = this.#statements;
    this.#createBoard = db.transaction((board: BoardRecord, links: LinkRecord[], initialUpdate: Uint8Array | null) => {
      s.insertBoard.run(board.id, board.title, board.createdAt);
      for (const link of links) {
        s.insertLink.run(link.id, board.id, link.role, link.label, link.secretHash, link.createdAt, link.expiresAt);
      }
      if (initialUpdate) s.insertUpdate.run(board.id, initialUpdate);
    });
    this.#appendBatch = db.transaction((batch: PendingUpdates[]) => {
      const appended = new Map<string, AppendedLog>();
      for (const { boardId, updates } of batch) {
        // A board deleted while its updates waited in the queue: nothing left to store them in.
        if (!s.boardExists.get(boardId)) continue;
        let lastSeq = 0;
        for (const update of updates) lastSeq = Number(s.insertUpdate.run(boardId, update).lastInsertRowid);
        appended.set(boardId, { length: s.countUpdates.get(boardId)?.n ?? 0, lastSeq });
      }
      return appended;
    });
    this.#deleteLink = db.transaction((boardId: string, linkId: string): DeleteLinkResult => {
      const target = s.linkRole.get(boardId, linkId);
      if (!target) return 'not-found';
      if (target.role === 'owner' && (s.countOwners.get(boardId)?.n ?? 0) <= 1) return 'last-owner';
      s.deleteLink.run(boardId, linkId);
      return 'deleted';
    });
    this.#compact = db.transaction((boardId: string, { throughSeq, snapshot }: Compaction): CompactionResult => {
      // One process owns this file, and its document holds every row it (or a board creation
      // before the load) wrote: the snapshot it hands in replaces the rows without reading them.
      if (snapshot) {
        const bounds = s.boundsThrough.get(boardId, throughSeq);
        if (!bounds || bounds.last === null || bounds.n < 2) return 'nothing';
        s.deleteThrough.run(boardId, bounds.last);
        s.insertUpdateAt.run(bounds.last, boardId, snapshot);
        return 'compacted';
      }
      const rows = s.rowsThrough.all(boardId, throughSeq);
      if (rows.length < 2) return 'nothing';
      const last = rows[rows.length - 1]!.seq;
      const merged = mergeRows(rows.map((row) => new Uint8Array(row.data)));
      s.deleteThrough.run(boardId, last);
      // The merged row takes the place of the newest row it replaces, so the log stays in order.
      s.insertUpdateAt.run(last, boardId, merged);
      return 'compacted';
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

  async createBoard(board: BoardRecord, links: LinkRecord[], initialUpdate: Uint8Array | null): Promise<void> {
    this.#createBoard(board, links, initialUpdate);
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
    try {
      this.#statements.insertLink.run(link.id, link.boardId, link.role, link.label, link.secretHash, link.createdAt, link.expiresAt);
    } catch (error) {
      throw isForeignKeyFailure(error) ? new NoSuchBoardError(link.boardId) : error;
    }
  }

  async getLink(id: string): Promise<LinkRecord | null> {
    const row = this.#statements.getLink.get(id);
    return row ? toLink(row) : null;
  }

  async listLinks(boardId: string): Promise<LinkRecord[]> {
    return this.#statements.listLinks.all(boardId).map(toLink);
  }

  async deleteLink(boardId: string, linkId: string): Promise<DeleteLinkResult> {
    return this.#deleteLink(boardId, linkId);
  }

  async loadUpdates(boardId: string): Promise<Uint8Array[]> {
    return this.#statements.loadUpdates.all(boardId).map((row) => new Uint8Array(row.data));
  }

  async appendUpdates(batch: PendingUpdates[]): Promise<Map<string, AppendedLog>> {
    return this.#appendBatch(batch);
  }

  async compact(boardId: string, compaction: Compaction): Promise<CompactionResult> {
    return this.#compact(boardId, compaction);
  }

  async getBoardData(boardId: string, key: string): Promise<string | null> {
    return this.#statements.getData.get(boardId, key)?.value ?? null;
  }

  async setBoardData(boardId: string, key: string, value: string | null): Promise<void> {
    if (value === null) {
      this.#statements.deleteData.run(boardId, key);
      if (!this.#statements.boardExists.get(boardId)) throw new NoSuchBoardError(boardId);
      return;
    }
    try {
      this.#statements.setData.run(boardId, key, value);
    } catch (error) {
      throw isForeignKeyFailure(error) ? new NoSuchBoardError(boardId) : error;
    }
  }

  async compareAndSetBoardData(boardId: string, key: string, expected: string | null, value: string | null): Promise<boolean> {
    if (!this.#statements.boardExists.get(boardId)) throw new NoSuchBoardError(boardId);
    // One statement each: SQLite runs it alone, so the comparison and the write are one step.
    if (expected === null) {
      if (value === null) return this.#statements.getData.get(boardId, key) === undefined;
      return this.#statements.insertDataIfAbsent.run(boardId, key, value).changes === 1;
    }
    if (value === null) return this.#statements.deleteDataIf.run(boardId, key, expected).changes === 1;
    return this.#statements.replaceDataIf.run(value, boardId, key, expected).changes === 1;
  }

  async listBoardData(boardId: string, prefix: string): Promise<Map<string, string>> {
    return new Map(this.#statements.listData.all(boardId, prefix, prefix).map((row) => [row.key, row.value]));
  }

  async createVersion(version: VersionRecord, state: Uint8Array): Promise<void> {
    const v = version;
    try {
      this.#statements.insertVersion.run(v.id, v.boardId, v.createdAt, v.kind, v.name, JSON.stringify(v.people), v.bytes, v.restoredVersionId, state);
    } catch (error) {
      throw isForeignKeyFailure(error) ? new NoSuchBoardError(v.boardId) : error;
    }
  }

  async listVersions(boardId: string): Promise<VersionRecord[]> {
    return this.#statements.listVersions.all(boardId).map(toVersion);
  }

  async getVersion(boardId: string, versionId: string): Promise<{ version: VersionRecord; state: Uint8Array } | null> {
    const row = this.#statements.getVersion.get(boardId, versionId);
    return row ? { version: toVersion(row), state: new Uint8Array(row.state) } : null;
  }

  async nameVersion(boardId: string, versionId: string, name: string): Promise<VersionRecord | null> {
    if (this.#statements.nameVersion.run(name, boardId, versionId).changes === 0) return null;
    return (await this.getVersion(boardId, versionId))?.version ?? null;
  }

  async pruneVersions(before: string): Promise<number> {
    return this.#statements.pruneVersions.run(before).changes;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
