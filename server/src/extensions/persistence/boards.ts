import type { BoardRecord, BoardStore, LinkRecord } from './store.js';

/**
 * Board records (id, title, creation time) as the routes see them: what the persistence
 * extension offers besides the documents, so that no route reaches into the store. A board's
 * document goes through the relay (`read`, `change`, `deleteBoard`); its links through auth
 * (`Access`).
 */
export interface BoardRecords {
  /**
   * Stores a new board with its first links and its first content (one update, or null for an
   * empty board) in one transaction: nobody can open it half-created.
   */
  create(board: BoardRecord, links: LinkRecord[], initialContent: Uint8Array | null): Promise<void>;
  /** The board's record, or null when there is no such board. */
  get(boardId: string): Promise<BoardRecord | null>;
  /** Renames the board; null when there is no such board. */
  rename(boardId: string, title: string): Promise<BoardRecord | null>;
}

export function boardRecords(store: Pick<BoardStore, 'createBoard' | 'getBoard' | 'updateBoardTitle'>): BoardRecords {
  return {
    create: (board, links, initialContent) => store.createBoard(board, links, initialContent),
    get: (boardId) => store.getBoard(boardId),
    rename: (boardId, title) => store.updateBoardTitle(boardId, title),
  };
}
