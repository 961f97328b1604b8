import type { Role } from '@planboard/shared';

/**
 * The boards this browser holds links for, with the role each link grants. Kept in
 * localStorage: the token is the only key to a board, so losing it loses access.
 */
export interface KnownBoard {
  id: string;
  title: string;
  role: Role;
  token: string;
  /** A view link this browser created or received, for "Copy view link". */
  viewUrl?: string;
  /** The edit link, for owners to copy. */
  editUrl?: string;
  lastOpened: number;
}

const KEY = 'planboard:boards';

function load(): KnownBoard[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as KnownBoard[]) : [];
  } catch {
    return [];
  }
}

class KnownBoards {
  list = $state<KnownBoard[]>(load());

  get(id: string): KnownBoard | undefined {
    return this.list.find((board) => board.id === id);
  }

  /** Adds or updates a board; a link of a higher role replaces a lower one, never the reverse. */
  remember(board: Omit<KnownBoard, 'lastOpened'> & { lastOpened?: number }): void {
    const rank = { viewer: 0, editor: 1, owner: 2 } as const;
    const existing = this.get(board.id);
    const keepExistingLink = existing && rank[existing.role] > rank[board.role];
    const merged: KnownBoard = {
      ...existing,
      ...board,
      ...(keepExistingLink ? { role: existing.role, token: existing.token } : {}),
      lastOpened: board.lastOpened ?? Date.now(),
    };
    this.list = [merged, ...this.list.filter((b) => b.id !== board.id)].sort((a, b) => b.lastOpened - a.lastOpened);
    this.#save();
  }

  update(id: string, changes: Partial<KnownBoard>): void {
    this.list = this.list.map((board) => (board.id === id ? { ...board, ...changes } : board));
    this.#save();
  }

  forget(id: string): void {
    this.list = this.list.filter((board) => board.id !== id);
    this.#save();
  }

  #save(): void {
    localStorage.setItem(KEY, JSON.stringify(this.list));
  }
}

export const knownBoards = new KnownBoards();
