import type { FastifyBaseLogger } from 'fastify';
import type { AppendedLog, BoardStore } from './store.js';

export interface UpdateWriterOptions {
  store: BoardStore;
  log: FastifyBaseLogger;
  /** Longest time an update waits in memory before its batch is written. */
  intervalMs: number;
  /** A board whose log grows past this many entries is compacted into one snapshot. */
  compactAfterUpdates: number;
  /** The board's whole current state as one update, for compaction (null if not loaded). */
  snapshotOf: (boardId: string) => Uint8Array | null;
  /** Told after a write for each board of it that has nothing more queued: all of it is stored. */
  onStored?: (boardId: string) => void;
  /** Told when a board's storage starts failing (error) and when it recovers (null). */
  onStorageState?: (boardIds: string[], error: Error | null) => void;
  /** Told how long each batch write took (seconds) and whether it failed. */
  onWrite?: (seconds: number, failed: boolean) => void;
}

const RETRY_DELAY_MS = 1000;

/**
 * Makes every update durable within `intervalMs`: updates of all boards are queued and written
 * in one transaction per tick. Writes are serialised, so a compaction never races an append.
 * When a write fails the batch stays queued (nothing acknowledged is dropped) and is retried.
 */
export class UpdateWriter {
  readonly #options: UpdateWriterOptions;
  #pending = new Map<string, Uint8Array[]>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> = Promise.resolve();
  #failing = new Set<string>();

  constructor(options: UpdateWriterOptions) {
    this.#options = options;
  }

  enqueue(boardId: string, update: Uint8Array): void {
    const queue = this.#pending.get(boardId);
    if (queue) queue.push(update);
    else this.#pending.set(boardId, [update]);
    this.#schedule(this.#options.intervalMs);
  }

  hasPending(boardId: string): boolean {
    return this.#pending.has(boardId);
  }

  /** Writes everything queued so far; resolves when it is on disk (rejects if the write failed). */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const run = this.#running.then(() => this.#write());
    this.#running = run.catch(() => undefined);
    return run;
  }

  /** Drops a board's queued updates (the board was deleted). */
  discard(boardId: string): void {
    this.#pending.delete(boardId);
    this.#failing.delete(boardId);
  }

  #schedule(delayMs: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush().catch(() => undefined);
    }, delayMs);
    this.#timer.unref();
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const { store, log, compactAfterUpdates, snapshotOf, onStorageState, onWrite } = this.#options;
    const batch = [...this.#pending].map(([boardId, updates]) => ({ boardId, updates }));
    this.#pending = new Map();
    const started = performance.now();
    let appended: Map<string, AppendedLog>;
    try {
      appended = await store.appendUpdates(batch);
      onWrite?.((performance.now() - started) / 1000, false);
    } catch (error) {
      onWrite?.((performance.now() - started) / 1000, true);
      // Put the batch back in front of anything queued meanwhile, and try again later.
      const requeued = new Map(batch.map(({ boardId, updates }) => [boardId, updates]));
      for (const [boardId, updates] of this.#pending) {
        const earlier = requeued.get(boardId);
        if (earlier) earlier.push(...updates);
        else requeued.set(boardId, updates);
      }
      this.#pending = requeued;
      const newlyFailing = batch.map((b) => b.boardId).filter((id) => !this.#failing.has(id));
      for (const id of newlyFailing) this.#failing.add(id);
      if (newlyFailing.length > 0) {
        log.error({ err: error, boards: newlyFailing }, 'storage write failed; updates kept in memory and retried');
        onStorageState?.(newlyFailing, error as Error);
      }
      this.#schedule(RETRY_DELAY_MS);
      throw error;
    }
    if (this.#options.onStored) {
      for (const { boardId } of batch) if (!this.#pending.has(boardId)) this.#options.onStored(boardId);
    }
    const recovered = batch.map((b) => b.boardId).filter((id) => this.#failing.delete(id));
    if (recovered.length > 0) {
      log.info({ boards: recovered }, 'storage writes resumed');
      onStorageState?.(recovered, null);
    }
    for (const [boardId, { length, lastSeq }] of appended) {
      if (length <= compactAfterUpdates) continue;
      const snapshot = snapshotOf(boardId);
      if (!snapshot) continue;
      try {
        // Bounded by what this batch wrote: rows appended later (here or by another instance) stay.
        await store.compact(boardId, { throughSeq: lastSeq, snapshot });
      } catch (error) {
        // The log is intact; compaction is retried after the next append.
        log.warn({ err: error, board: boardId }, 'compaction failed');
      }
    }
  }
}
