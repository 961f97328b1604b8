import type { FastifyBaseLogger } from 'fastify';
import type { Extension } from '../../relay/hooks.js';
import type { Relay } from '../../relay/relay.js';
import { originKind, storedHere } from '../../relay/origins.js';
import type { BoardStore } from './store.js';
import { UpdateWriter } from './update-writer.js';

export interface PersistenceOptions {
  store: BoardStore;
  log: FastifyBaseLogger;
  /** Longest time an update waits in memory before it is written. */
  flushIntervalMs: number;
  /** A board whose log grows past this many entries is compacted into one snapshot. */
  compactAfterUpdates: number;
  /** Told about every batch write (seconds) and every failed one, for metrics. */
  onWrite?: (seconds: number, failed: boolean) => void;
}

const STORAGE_FAILING = {
  storage: 'failing',
  message: 'The server cannot save this board right now. Your changes are kept and will be saved when storage recovers.',
} as const;

/**
 * Boards stored in the store chosen by configuration: loaded from it, every change made on this
 * instance (by a peer or the server; not one loaded, nor one another instance stored) written
 * within `flushIntervalMs`, compacted into a snapshot when the log grows or the board unloads.
 * While writes fail, the peers of the boards concerned are told through the server's presence.
 */
export interface Persistence extends Extension {
  readonly writer: UpdateWriter;
  /** Calls `listener` whenever everything queued for a board so far is stored. */
  onStored(listener: (boardId: string) => void): void;
}

export function persistence(options: PersistenceOptions): Persistence {
  const { store, log } = options;
  let relay: Relay | null = null;
  const storedListeners: ((boardId: string) => void)[] = [];
  const writer = new UpdateWriter({
    store,
    log,
    intervalMs: options.flushIntervalMs,
    compactAfterUpdates: options.compactAfterUpdates,
    onWrite: options.onWrite,
    onStored: (boardId) => {
      for (const listener of storedListeners) listener(boardId);
    },
    onStorageState: (boardIds, error) => relay?.setServerStatus(boardIds, error ? STORAGE_FAILING : null),
    snapshotOf: (boardId) => relay?.get(boardId)?.encodeState() ?? null,
  });
  return {
    name: 'persistence',
    writer,
    onStored(listener) {
      storedListeners.push(listener);
    },
    onConfigure(configured) {
      relay = configured;
    },
    async onLoadDocument(boardId) {
      if (!(await store.getBoard(boardId))) return null;
      return { updates: await store.loadUpdates(boardId) };
    },
    onChange(board, update, origin) {
      if (storedHere(origin)) writer.enqueue(board.id, update);
    },
    onStoreDocument() {
      return writer.flush();
    },
    async beforeUnloadDocument(board) {
      // What other extensions queued on their way out (e.g. updates rescued from a dead instance).
      await writer.flush();
      // One snapshot makes the next load a single read, whatever the history.
      if (board.unchangedSinceLoad) return;
      try {
        // Every row this instance wrote is in the document; a shared store merges what it reads instead.
        await store.compact(board.id, { throughSeq: Number.MAX_SAFE_INTEGER, snapshot: board.encodeState() });
      } catch (error) {
        // The log is intact; the board can leave memory all the same.
        log.warn({ err: error, board: board.id }, 'compaction before unloading failed; the update log is intact');
      }
    },
    async onBoardDeleted(boardId, origin) {
      writer.discard(boardId);
      if (originKind(origin) !== 'remote') await store.deleteBoard(boardId);
    },
    async onDestroy() {
      await writer.flush().catch((error: unknown) => log.error({ err: error }, 'could not store every board at shutdown'));
      await store.close();
    },
  };
}
