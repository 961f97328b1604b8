import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Per-board server-side key/value storage: where facilitation keeps what must be secret (poker
 * votes before the reveal, who placed which dot) or authoritative (the chair, the timer's end),
 * so that it survives a restart and is the same for every instance. Values are JSON.
 *
 * This is the shape of the store's `getBoardData / setBoardData / listBoardData`; `boardDataOf`
 * uses the store's when it has them, and an SQLite file of its own otherwise.
 */
export interface BoardData {
  get(boardId: string, key: string): Promise<unknown>;
  /** `null` removes the key. */
  set(boardId: string, key: string, value: unknown): Promise<void>;
  /** Every key of the board that starts with `prefix`, with its value. */
  list(boardId: string, prefix: string): Promise<Map<string, unknown>>;
  close(): void;
}

/** The store interface's key/value methods, as engineer "store" adds them (values as stored). */
interface StoreWithBoardData {
  getBoardData(boardId: string, key: string): Promise<unknown>;
  setBoardData(boardId: string, key: string, value: unknown): Promise<void>;
  listBoardData(boardId: string, prefix: string): Promise<Map<string, unknown> | Record<string, unknown> | { key: string; value: unknown }[]>;
}

function hasBoardData(store: unknown): store is StoreWithBoardData {
  const candidate = store as Partial<StoreWithBoardData> | null;
  return typeof candidate?.getBoardData === 'function' && typeof candidate.setBoardData === 'function' && typeof candidate.listBoardData === 'function';
}

/** The board data of the app's store when it has one, else a SQLite file in `dataDir`. */
export function boardDataOf(store: unknown, dataDir: string): BoardData {
  if (hasBoardData(store)) return new StoreBoardData(store);
  return SqliteBoardData.open(dataDir);
}

const decode = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value ?? null);

class StoreBoardData implements BoardData {
  readonly #store: StoreWithBoardData;
  constructor(store: StoreWithBoardData) {
    this.#store = store;
  }
  async get(boardId: string, key: string): Promise<unknown> {
    return decode(await this.#store.getBoardData(boardId, key));
  }
  async set(boardId: string, key: string, value: unknown): Promise<void> {
    await this.#store.setBoardData(boardId, key, value === null ? null : JSON.stringify(value));
  }
  async list(boardId: string, prefix: string): Promise<Map<string, unknown>> {
    const listed = await this.#store.listBoardData(boardId, prefix);
    const entries = listed instanceof Map ? [...listed] : Array.isArray(listed) ? listed.map((e) => [e.key, e.value] as const) : Object.entries(listed);
    return new Map(entries.map(([key, value]) => [key, decode(value)]));
  }
  close(): void {
    // The store is closed by the app.
  }
}

/** Board data in its own SQLite file (WAL, synchronous=FULL), for stores without key/value methods. */
export class SqliteBoardData implements BoardData {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], { value: string }>;
  readonly #put: Database.Statement<[string, string, string]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #list: Database.Statement<[string, string, string], { key: string; value: string }>;

  static open(dataDir: string): SqliteBoardData {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteBoardData(new Database(join(dataDir, 'facilitation.sqlite')));
  }

  constructor(db: Database.Database) {
    this.#db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS board_data (
      board_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (board_id, key)) WITHOUT ROWID`);
    this.#get = db.prepare('SELECT value FROM board_data WHERE board_id = ? AND key = ?');
    this.#put = db.prepare('INSERT INTO board_data (board_id, key, value) VALUES (?, ?, ?) ON CONFLICT (board_id, key) DO UPDATE SET value = excluded.value');
    this.#delete = db.prepare('DELETE FROM board_data WHERE board_id = ? AND key = ?');
    // Keys are ASCII: a prefix range is [prefix, prefix + U+FFFF).
    this.#list = db.prepare('SELECT key, value FROM board_data WHERE board_id = ? AND key >= ? AND key < ? ORDER BY key');
  }

  async get(boardId: string, key: string): Promise<unknown> {
    const row = this.#get.get(boardId, key);
    return row ? JSON.parse(row.value) : null;
  }

  async set(boardId: string, key: string, value: unknown): Promise<void> {
    if (value === null) this.#delete.run(boardId, key);
    else this.#put.run(boardId, key, JSON.stringify(value));
  }

  async list(boardId: string, prefix: string): Promise<Map<string, unknown>> {
    return new Map(this.#list.all(boardId, prefix, `${prefix}\uffff`).map((row) => [row.key, JSON.parse(row.value)]));
  }

  close(): void {
    this.#db.close();
  }
}

/** Board data in memory, for unit tests of the facilitation logic. */
export class MemoryBoardData implements BoardData {
  readonly #values = new Map<string, string>();
  async get(boardId: string, key: string): Promise<unknown> {
    const value = this.#values.get(`${boardId}\u0000${key}`);
    return value === undefined ? null : JSON.parse(value);
  }
  async set(boardId: string, key: string, value: unknown): Promise<void> {
    if (value === null) this.#values.delete(`${boardId}\u0000${key}`);
    else this.#values.set(`${boardId}\u0000${key}`, JSON.stringify(value));
  }
  async list(boardId: string, prefix: string): Promise<Map<string, unknown>> {
    const start = `${boardId}\u0000${prefix}`;
    const found = new Map<string, unknown>();
    for (const [key, value] of [...this.#values].sort(([a], [b]) => a.localeCompare(b))) {
      if (key.startsWith(start)) found.set(key.slice(boardId.length + 1), JSON.parse(value));
    }
    return found;
  }
  close(): void {}
}
