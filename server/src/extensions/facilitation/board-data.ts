import type { BoardStore } from '../persistence/store.js';

/**
 * Per-board server-side key/value data, as facilitation uses it: where it keeps what must be
 * secret (poker votes before the reveal, who placed which dot) or authoritative (the chair, the
 * timer's end). It lives in the board store (`getBoardData / setBoardData / listBoardData`), so
 * it survives a restart and is the same for every instance; values are JSON.
 */
export interface BoardData {
  get(boardId: string, key: string): Promise<unknown>;
  /** `null` removes the key. */
  set(boardId: string, key: string, value: unknown): Promise<void>;
  /** Every key of the board that starts with `prefix`, with its value, in key order. */
  list(boardId: string, prefix: string): Promise<Map<string, unknown>>;
  /**
   * Writes `value` (null removes) only if the key still holds `expected` (as `get` answered it;
   * null: absent), atomically across instances; answers whether it did.
   */
  compareAndSet(boardId: string, key: string, expected: unknown, value: unknown): Promise<boolean>;
}

/** Board data in the app's store. */
export function storeBoardData(store: Pick<BoardStore, 'getBoardData' | 'setBoardData' | 'listBoardData' | 'compareAndSetBoardData'>): BoardData {
  // Values are written by JSON.stringify and read by JSON.parse, so stringifying what `get`
  // answered gives back the stored text exactly.
  const text = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  return {
    compareAndSet: (boardId, key, expected, value) => store.compareAndSetBoardData(boardId, key, text(expected), text(value)),
    async get(boardId, key) {
      const value = await store.getBoardData(boardId, key);
      return value === null ? null : JSON.parse(value);
    },
    set: (boardId, key, value) => store.setBoardData(boardId, key, value === null ? null : JSON.stringify(value)),
    async list(boardId, prefix) {
      const listed = await store.listBoardData(boardId, prefix);
      return new Map([...listed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => [key, JSON.parse(value)]));
    },
  };
}

/** Board data in memory, for unit tests of the facilitation logic. */
export function memoryBoardData(): BoardData {
  const values = new Map<string, Map<string, string>>();
  const board = (boardId: string) => values.get(boardId) ?? values.set(boardId, new Map()).get(boardId)!;
  return storeBoardData({
    getBoardData: async (boardId, key) => board(boardId).get(key) ?? null,
    setBoardData: async (boardId, key, value) => void (value === null ? board(boardId).delete(key) : board(boardId).set(key, value)),
    listBoardData: async (boardId, prefix) => new Map([...board(boardId)].filter(([key]) => key.startsWith(prefix))),
    compareAndSetBoardData: async (boardId, key, expected, value) => {
      if ((board(boardId).get(key) ?? null) !== expected) return false;
      if (value === null) board(boardId).delete(key);
      else board(boardId).set(key, value);
      return true;
    },
  });
}
