import type { Role } from '@planboard/shared';

/**
 * The storage port of the relay. The relay core never knows which adapter it talks to; an
 * adapter is chosen by configuration at start (SQLite today; PostgreSQL when one machine is not
 * enough).
 *
 * A board's content is an append-only log of Yjs updates, periodically compacted into a single
 * snapshot (itself just an update) so that loading never grows with history.
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

export interface PendingUpdates {
  boardId: string;
  updates: Uint8Array[];
}

export interface BoardStore {
  createBoard(board: BoardRecord): Promise<void>;
  getBoard(id: string): Promise<BoardRecord | null>;
  updateBoardTitle(id: string, title: string): Promise<BoardRecord | null>;
  listBoards(): Promise<BoardRecord[]>;
  /** Removes the board and all its content. False when there was no such board. */
  deleteBoard(id: string): Promise<boolean>;
  createLink(link: LinkRecord): Promise<void>;
  getLink(id: string): Promise<LinkRecord | null>;
  listLinks(boardId: string): Promise<LinkRecord[]>;
  /** False when the board has no such link. */
  deleteLink(boardId: string, linkId: string): Promise<boolean>;
  /** Every stored update of the board, oldest first (the snapshot, if any, comes first). */
  loadUpdates(boardId: string): Promise<Uint8Array[]>;
  /**
   * Appends updates of several boards in one durable transaction: when the promise resolves,
   * all of them are on disk; when it rejects, none are. Resolves to each board's log length.
   */
  appendUpdates(batch: PendingUpdates[]): Promise<Map<string, number>>;
  /** Replaces a board's whole log with one snapshot update, atomically. */
  compact(boardId: string, snapshot: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
