import type { BoardRecord, BoardStore, LinkRecord, PendingUpdates } from './store.js';

/**
 * A store that keeps everything in memory: for the relay's unit tests (no disk, no build) and
 * for trying things out. Nothing survives the process. `failWrites` makes writes fail, like a
 * full disk, until it is cleared.
 */
export class MemoryBoardStore implements BoardStore {
  readonly #boards = new Map<string, BoardRecord>();
  readonly #links = new Map<string, LinkRecord>();
  readonly #updates = new Map<string, Uint8Array[]>();
  failWrites: Error | null = null;

  async createBoard(board: BoardRecord): Promise<void> {
    if (this.#boards.has(board.id)) throw new Error(`board ${board.id} exists`);
    this.#boards.set(board.id, { ...board });
    this.#updates.set(board.id, []);
  }

  async getBoard(id: string): Promise<BoardRecord | null> {
    const board = this.#boards.get(id);
    return board ? { ...board } : null;
  }

  async updateBoardTitle(id: string, title: string): Promise<BoardRecord | null> {
    const board = this.#boards.get(id);
    if (!board) return null;
    board.title = title;
    return { ...board };
  }

  async listBoards(): Promise<BoardRecord[]> {
    return [...this.#boards.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((board) => ({ ...board }));
  }

  async deleteBoard(id: string): Promise<boolean> {
    for (const [linkId, link] of this.#links) if (link.boardId === id) this.#links.delete(linkId);
    this.#updates.delete(id);
    return this.#boards.delete(id);
  }

  async createLink(link: LinkRecord): Promise<void> {
    if (!this.#boards.has(link.boardId)) throw new Error(`no board ${link.boardId}`);
    this.#links.set(link.id, { ...link });
  }

  async getLink(id: string): Promise<LinkRecord | null> {
    const link = this.#links.get(id);
    return link ? { ...link } : null;
  }

  async listLinks(boardId: string): Promise<LinkRecord[]> {
    return [...this.#links.values()].filter((link) => link.boardId === boardId).map((link) => ({ ...link }));
  }

  async deleteLink(boardId: string, linkId: string): Promise<boolean> {
    const link = this.#links.get(linkId);
    if (!link || link.boardId !== boardId) return false;
    return this.#links.delete(linkId);
  }

  async loadUpdates(boardId: string): Promise<Uint8Array[]> {
    return [...(this.#updates.get(boardId) ?? [])];
  }

  async appendUpdates(batch: PendingUpdates[]): Promise<Map<string, number>> {
    if (this.failWrites) throw this.failWrites;
    for (const { boardId } of batch) if (!this.#updates.has(boardId)) throw new Error(`no board ${boardId}`);
    const lengths = new Map<string, number>();
    for (const { boardId, updates } of batch) {
      const log = this.#updates.get(boardId)!;
      log.push(...updates.map((update) => update.slice()));
      lengths.set(boardId, log.length);
    }
    return lengths;
  }

  async compact(boardId: string, snapshot: Uint8Array): Promise<void> {
    if (this.failWrites) throw this.failWrites;
    if (this.#updates.has(boardId)) this.#updates.set(boardId, [snapshot.slice()]);
  }

  async close(): Promise<void> {}
}
