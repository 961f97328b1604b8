import * as Y from 'yjs';
import type { Role, VersionKind } from '@planboard/shared';

/**
 * The storage port of the relay. The relay core never knows which adapter it talks to; an
 * adapter is chosen by configuration at start: the embedded SQLite file by default, PostgreSQL
 * (`DATABASE_URL`) when several instances share one store.
 *
 * A board's content is an append-only log of Yjs updates, each row numbered by a store-wide
 * sequence number (`seq`), periodically compacted into a single snapshot (itself just an update)
 * so that loading never grows with history.
 */
export interface BoardRecord {
  id: string;
  title: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface LinkRecord {
  id: string;
  boardId: string;
  role: Role;
  label: string | null;
  /** SHA-256 of the link's secret; the secret itself is never stored. */
  secretHash: Uint8Array;
  createdAt: string;
  expiresAt: string | null;
}

/**
 * A version of a board: its whole Yjs state at a moment (stored beside this record), kept for
 * the history panel and for restore. Unnamed versions are pruned after the retention period;
 * named ones are kept until the board is deleted.
 */
export interface VersionRecord {
  id: string;
  boardId: string;
  /** ISO 8601 (as `Date.toISOString` writes it, so that text order is time order). */
  createdAt: string;
  kind: VersionKind;
  name: string | null;
  /** Display names of who was on the board during the changes it holds. */
  people: string[];
  /** Size of the stored state in bytes. */
  bytes: number;
  /** For a `before-restore` version: the version that was restored right after it. */
  restoredVersionId: string | null;
}

export interface PendingUpdates {
  boardId: string;
  updates: Uint8Array[];
}

/** What an append left in a board's log. */
export interface AppendedLog {
  /** Rows the board's log holds now (compaction is due when this grows large). */
  length: number;
  /** The sequence number of the last row this append wrote: a bound for a later compaction. */
  lastSeq: number;
}

export interface Compaction {
  /**
   * Only rows with `seq <= throughSeq` are merged and deleted; rows appended later (by this or
   * another instance) survive untouched. `Number.MAX_SAFE_INTEGER` means "everything stored".
   */
  throughSeq: number;
  /**
   * The caller's whole document, when it provably contains every row up to `throughSeq` (one
   * process is the board's only writer: the embedded store). An adapter that may be shared by
   * several instances ignores it and merges exactly the rows it read instead, because another
   * instance may have appended rows this caller's document has not received yet.
   */
  snapshot?: Uint8Array;
}

/**
 * - `compacted`: the rows up to the bound were replaced by one snapshot row.
 * - `busy`: another instance is compacting this board right now; nothing was changed.
 * - `nothing`: there was at most one row up to the bound (or no such board); nothing to merge.
 */
export type CompactionResult = 'compacted' | 'busy' | 'nothing';

export type DeleteLinkResult = 'deleted' | 'not-found' | 'last-owner';

/** Thrown when a board-scoped write names a board that does not exist (any more). */
export class NoSuchBoardError extends Error {
  constructor(boardId: string) {
    super(`no board ${boardId}`);
    this.name = 'NoSuchBoardError';
  }
}

export interface BoardStore {
  /**
   * Creates the board, its first links and its first content in one transaction: either all of
   * it is stored or none of it is, so nobody can ever open a board without links or content.
   */
  createBoard(board: BoardRecord, links: LinkRecord[], initialUpdate: Uint8Array | null): Promise<void>;
  getBoard(id: string): Promise<BoardRecord | null>;
  updateBoardTitle(id: string, title: string): Promise<BoardRecord | null>;
  listBoards(): Promise<BoardRecord[]>;
  /** Removes the board and everything of it (links, content, board data). False when there was no such board. */
  deleteBoard(id: string): Promise<boolean>;
  /** Throws NoSuchBoardError when the board does not exist. */
  createLink(link: LinkRecord): Promise<void>;
  getLink(id: string): Promise<LinkRecord | null>;
  listLinks(boardId: string): Promise<LinkRecord[]>;
  /**
   * Deletes a link unless it is the board's last owner link; the check and the delete are one
   * transaction, so two owners revoking each other's links at once cannot leave zero owners.
   */
  deleteLink(boardId: string, linkId: string): Promise<DeleteLinkResult>;
  /** Every stored update of the board in `seq` order (a snapshot, if any, comes first). */
  loadUpdates(boardId: string): Promise<Uint8Array[]>;
  /**
   * Appends updates of several boards in one durable transaction: when the promise resolves,
   * all of them are on disk; when it rejects, none are. An update is stored once, by the
   * instance that received it. Boards that no longer exist are skipped (absent from the result).
   */
  appendUpdates(batch: PendingUpdates[]): Promise<Map<string, AppendedLog>>;
  /**
   * Merges the board's rows up to `compaction.throughSeq` into one snapshot row, atomically,
   * deleting only the rows it merged. At most one instance compacts a board at a time.
   */
  compact(boardId: string, compaction: Compaction): Promise<CompactionResult>;
  /**
   * Server-side state of a board that must not live in the board document (secret votes, a
   * timer): string values by key. Deleted with the board.
   */
  getBoardData(boardId: string, key: string): Promise<string | null>;
  /** Sets (or with null, deletes) one key. Throws NoSuchBoardError when the board does not exist. */
  setBoardData(boardId: string, key: string, value: string | null): Promise<void>;
  /** Every key of the board that starts with `prefix` ('' for all), with its value. */
  listBoardData(boardId: string, prefix: string): Promise<Map<string, string>>;
  /** Stores a version and its state. Throws NoSuchBoardError when the board does not exist. */
  createVersion(version: VersionRecord, state: Uint8Array): Promise<void>;
  /** The board's versions, newest first, without their state. */
  listVersions(boardId: string): Promise<VersionRecord[]>;
  /** One version of the board with its state; null when the board has no such version. */
  getVersion(boardId: string, versionId: string): Promise<{ version: VersionRecord; state: Uint8Array } | null>;
  /** Names (or renames) a version, which keeps it for good; null when the board has no such version. */
  nameVersion(boardId: string, versionId: string, name: string): Promise<VersionRecord | null>;
  /** Deletes every unnamed version, of every board, created before `before` (ISO 8601); answers how many. */
  pruneVersions(before: string): Promise<number>;
  /**
   * Sets (or with null, deletes) one key only if its value is still `expected` (null: absent), in
   * one atomic step; answers whether it did. Two instances deciding the same thing at once (a dot
   * vote's reveal at its end time) both try; exactly one wins.
   */
  compareAndSetBoardData(boardId: string, key: string, expected: string | null, value: string | null): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Merges stored rows into one update by applying them to a fresh document: deleted content is
 * garbage-collected, and rows whose dependencies are missing stay in the result as pending
 * structs (Yjs encodes those too), so a merge never drops anything it was given.
 */
export function mergeRows(updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    for (const update of updates) Y.applyUpdate(doc, update);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

export interface StoreConfig {
  dataDir: string;
  /** `postgres://…`: use PostgreSQL instead of the embedded SQLite file. */
  databaseUrl: string | null;
}

/**
 * Opens the store the configuration names. The PostgreSQL driver is only loaded when asked for,
 * so the default SQLite start never touches it.
 */
export async function openStore(config: StoreConfig, options: { onError?: (error: Error) => void } = {}): Promise<BoardStore> {
  if (config.databaseUrl) {
    const { PostgresBoardStore } = await import('./postgres-store.js');
    return PostgresBoardStore.open(config.databaseUrl, { onError: options.onError });
  }
  const { SqliteBoardStore } = await import('./sqlite-store.js');
  return SqliteBoardStore.open(config.dataDir);
}
