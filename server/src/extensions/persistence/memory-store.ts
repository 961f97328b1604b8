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

/**
 * A store that keeps everything in memory: for the relay's unit tests (no disk, no build) and
 * for trying things out. Nothing survives the process. `failWrites` makes writes fail, like a
 * full disk, until it is cleared.
 */
export class MemoryBoardStore implements BoardStore {
  readonly #boards = new Map<string, BoardRecord>();
  readonly #links = new Map<string, LinkRecord>();
  readonly #rows = new Map<string, { seq: number; data: Uint8Array }[]>();
  readonly #data = new Map<string, Map<string, string>>();
  readonly #versions = new Map<string, { version: VersionRecord; state: Uint8Array }[]>();
  #seq = 0;
  failWrites: Error | null = null;

  async createBoard(board: BoardRecord, links: LinkRecord[], initialUpdate: Uint8Array | null): Promise<void> {
    if (this.failWrites) throw this.failWrites;
    if (this.#boards.has(board.id)) throw new Error(`board ${board.id} exists`);
    this.#boards.set(board.id, { ...board });
    this.#rows.set(board.id, initialUpdate ? [{ seq: ++this.#seq, data: initialUpdate.slice() }] : []);
    this.#data.set(board.id, new Map());
    this.#versions.set(board.id, []);
    for (const link of links) this.#links.set(link.id, { ...link });
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
    this.#rows.delete(id);
    this.#data.delete(id);
    this.#versions.delete(id);
    return this.#boards.delete(id);
  }

  async createLink(link: LinkRecord): Promise<void> {
    if (!this.#boards.has(link.boardId)) throw new NoSuchBoardError(link.boardId);
    this.#links.set(link.id, { ...link });
  }

  async getLink(id: string): Promise<LinkRecord | null> {
    const link = this.#links.get(id);
    return link ? { ...link } : null;
  }

  async listLinks(boardId: string): Promise<LinkRecord[]> {
    return [...this.#links.values()].filter((link) => link.boardId === boardId).map((link) => ({ ...link }));
  }

  async deleteLink(boardId: string, linkId: string): Promise<DeleteLinkResult> {
    const link = this.#links.get(linkId);
    if (!link || link.boardId !== boardId) return 'not-found';
    if (link.role === 'owner' && (await this.listLinks(boardId)).filter((l) => l.role === 'owner').length === 1) return 'last-owner';
    this.#links.delete(linkId);
    return 'deleted';
  }

  async loadUpdates(boardId: string): Promise<Uint8Array[]> {
    return (this.#rows.get(boardId) ?? []).map((row) => row.data);
  }

  async appendUpdates(batch: PendingUpdates[]): Promise<Map<string, AppendedLog>> {
    if (this.failWrites) throw this.failWrites;
    const appended = new Map<string, AppendedLog>();
    for (const { boardId, updates } of batch) {
      const rows = this.#rows.get(boardId);
      if (!rows) continue;
      for (const update of updates) rows.push({ seq: ++this.#seq, data: update.slice() });
      appended.set(boardId, { length: rows.length, lastSeq: this.#seq });
    }
    return appended;
  }

  async compact(boardId: string, { throughSeq, snapshot }: Compaction): Promise<CompactionResult> {
    if (this.failWrites) throw this.failWrites;
    const rows = this.#rows.get(boardId);
    if (!rows) return 'nothing';
    const merged = rows.filter((row) => row.seq <= throughSeq);
    if (merged.length <= 1) return 'nothing';
    const rest = rows.filter((row) => row.seq > throughSeq);
    const data = snapshot ?? mergeRows(merged.map((row) => row.data));
    this.#rows.set(boardId, [{ seq: merged[merged.length - 1]!.seq, data: data.slice() }, ...rest]);
    return 'compacted';
  }

  async getBoardData(boardId: string, key: string): Promise<string | null> {
    return this.#data.get(boardId)?.get(key) ?? null;
  }

  async setBoardData(boardId: string, key: string, value: string | null): Promise<void> {
    const data = this.#data.get(boardId);
    if (!data) throw new NoSuchBoardError(boardId);
    if (value === null) data.delete(key);
    else data.set(key, value);
  }

  async compareAndSetBoardData(boardId: string, key: string, expected: string | null, value: string | null): Promise<boolean> {
    const data = this.#data.get(boardId);
    if (!data) throw new NoSuchBoardError(boardId);
    if ((data.get(key) ?? null) !== expected) return false;
    if (value === null) data.delete(key);
    else data.set(key, value);
    return true;
  }

  async listBoardData(boardId: string, prefix: string): Promise<Map<string, string>> {
    return new Map([...(this.#data.get(boardId) ?? [])].filter(([key]) => key.startsWith(prefix)));
  }

  async createVersion(version: VersionRecord, state: Uint8Array): Promise<void> {
    if (this.failWrites) throw this.failWrites;
    const versions = this.#versions.get(version.boardId);
    if (!versions) throw new NoSuchBoardError(version.boardId);
    versions.push({ version: structuredClone(version), state: state.slice() });
  }

  async listVersions(boardId: string): Promise<VersionRecord[]> {
    const versions = this.#versions.get(boardId) ?? [];
    // Newest first; of two taken in the same millisecond, the later one first.
    return [...versions].reverse().map((entry) => structuredClone(entry.version)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async getVersion(boardId: string, versionId: string): Promise<{ version: VersionRecord; state: Uint8Array } | null> {
    const entry = this.#versions.get(boardId)?.find((candidate) => candidate.version.id === versionId);
    return entry ? { version: structuredClone(entry.version), state: entry.state.slice() } : null;
  }

  async nameVersion(boardId: string, versionId: string, name: string): Promise<VersionRecord | null> {
    const entry = this.#versions.get(boardId)?.find((candidate) => candidate.version.id === versionId);
    if (!entry) return null;
    entry.version.name = name;
    return structuredClone(entry.version);
  }

  async pruneVersions(before: string): Promise<number> {
    let pruned = 0;
    for (const [boardId, versions] of this.#versions) {
      const kept = versions.filter((entry) => entry.version.name !== null || entry.version.createdAt >= before);
      pruned += versions.length - kept.length;
      this.#versions.set(boardId, kept);
    }
    return pruned;
  }

  async close(): Promise<void> {}
}
