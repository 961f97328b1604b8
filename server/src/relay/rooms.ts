import type { FastifyBaseLogger } from 'fastify';
import { CloseCode } from '@planboard/shared';
import type { BoardStore } from '../extensions/persistence/store.js';
import type { Metrics } from '../extensions/metrics/metrics.js';
import { REMOTE_ORIGIN, Room } from './room.js';
import { UpdateWriter } from '../extensions/persistence/update-writer.js';
import type { Connection } from './connection.js';

export class UnknownBoardError extends Error {}

export interface RoomsOptions {
  store: BoardStore;
  metrics: Metrics;
  log: FastifyBaseLogger;
  boardIdleMs: number;
  flushIntervalMs: number;
  compactAfterUpdates: number;
  maxPendingBytes: number;
  /** Told about what other instances need to know (the fan-out extension), if any. */
  events?: RoomsEvents;
}

/** Board lifecycle and changes as the fan-out between instances needs them. */
export interface RoomsEvents {
  afterLoad?(boardId: string): void;
  /** Before the board's last writes: may still queue updates for storing. */
  beforeUnload?(boardId: string): void;
  /** A change made here (a peer's or the server's), not one from another instance. */
  onLocalChange?(boardId: string, update: Uint8Array): void;
  onLocalAwareness?(boardId: string, update: Uint8Array): void;
  /** Everything queued for the board so far is stored. */
  onStored?(boardId: string): void;
}

/**
 * The boards held in memory. A board is loaded lazily from storage when its first peer joins and
 * unloaded `boardIdleMs` after its last peer leaves, once its data is safely stored.
 */
export class Rooms {
  readonly #rooms = new Map<string, Promise<Room>>();
  readonly #loaded = new Map<string, Room>();
  readonly #options: RoomsOptions;
  readonly writer: UpdateWriter;

  constructor(options: RoomsOptions) {
    this.#options = options;
    this.writer = new UpdateWriter({
      store: options.store,
      metrics: options.metrics,
      log: options.log,
      intervalMs: options.flushIntervalMs,
      compactAfterUpdates: options.compactAfterUpdates,
      onStored: (boardId) => options.events?.onStored?.(boardId),
      onStorageState: (boardIds, error) => {
        for (const boardId of boardIds) this.#loaded.get(boardId)?.setStorageFailing(error !== null);
      },
      snapshotOf: (boardId) => {
        const room = this.#loaded.get(boardId);
        return room ? room.encodeState() : null;
      },
    });
  }

  get size(): number {
    return this.#loaded.size;
  }

  /** The board's room if it is loaded on this instance. */
  loaded(boardId: string): Room | undefined {
    return this.#loaded.get(boardId);
  }

  loadedIds(): string[] {
    return [...this.#loaded.keys()];
  }

  /**
   * The board's room, loaded if needed. The caller must join it synchronously after the promise
   * resolves, or release it, so that an idle room is never unloaded under a new peer.
   */
  async acquire(boardId: string): Promise<Room> {
    for (;;) {
      const entry = this.#rooms.get(boardId);
      if (!entry) {
        const loading = this.#load(boardId);
        this.#rooms.set(boardId, loading);
        loading.catch(() => this.#rooms.delete(boardId));
        return loading;
      }
      const room = await entry;
      if (room.unloading) {
        await room.unloading;
        continue;
      }
      if (room.idleTimer) {
        clearTimeout(room.idleTimer);
        room.idleTimer = null;
      }
      return room;
    }
  }

  /** Called when a peer leaves: schedules the unload of a room nobody is in any more. */
  release(room: Room, connection?: Connection): void {
    if (connection) room.leave(connection);
    if (room.connections.size > 0 || room.unloading || room.idleTimer) return;
    room.idleTimer = setTimeout(() => {
      room.idleTimer = null;
      if (room.connections.size === 0) void this.#unload(room);
    }, this.#options.boardIdleMs);
    room.idleTimer.unref();
  }

  async #load(boardId: string): Promise<Room> {
    const { store, metrics } = this.#options;
    const board = await store.getBoard(boardId);
    if (!board) throw new UnknownBoardError(`no board ${boardId}`);
    const updates = await store.loadUpdates(boardId);
    const events = this.#options.events;
    const room = new Room(boardId, {
      onUpdate: (id, update, origin) => {
        // Another instance's update was stored by the instance that received it.
        if (origin === REMOTE_ORIGIN) return;
        this.writer.enqueue(id, update);
        events?.onLocalChange?.(id, update);
      },
      onAwareness: events?.onLocalAwareness ? (id, update) => events.onLocalAwareness!(id, update) : undefined,
      onRefusedWrite: () => metrics.viewerWritesDropped.inc(),
    }, { maxPendingBytes: this.#options.maxPendingBytes });
    room.load(updates);
    this.#loaded.set(boardId, room);
    metrics.boardsLoaded.set(this.#loaded.size);
    events?.afterLoad?.(boardId);
    return room;
  }

  #unload(room: Room): Promise<void> {
    room.unloading = (async () => {
      try {
        this.#options.events?.beforeUnload?.(room.boardId);
        await this.writer.flush();
        // One snapshot makes the next load a single read, whatever the history.
        if (!room.unchangedSinceLoad) await this.#options.store.compact(room.boardId, { throughSeq: Number.MAX_SAFE_INTEGER, snapshot: room.encodeState() });
      } catch (error) {
        this.#options.log.error({ err: error, board: room.boardId }, 'could not store board before unloading; kept in memory');
        room.unloading = null;
        this.release(room);
        return;
      }
      this.#rooms.delete(room.boardId);
      this.#loaded.delete(room.boardId);
      this.#options.metrics.boardsLoaded.set(this.#loaded.size);
      room.destroy();
    })();
    return room.unloading;
  }

  /** Closes every peer of a board (it was deleted) and drops it without storing. */
  async evict(boardId: string, code: number, reason: string): Promise<void> {
    const entry = this.#rooms.get(boardId);
    this.writer.discard(boardId);
    if (!entry) return;
    const room = await entry.catch(() => null);
    if (!room) return;
    for (const connection of room.connections) connection.close(code, reason);
    if (room.idleTimer) clearTimeout(room.idleTimer);
    this.#rooms.delete(boardId);
    this.#loaded.delete(boardId);
    this.#options.metrics.boardsLoaded.set(this.#loaded.size);
    room.destroy();
  }

  /** Graceful shutdown: tell every peer, write every board, drop them all. */
  async closeAll(): Promise<void> {
    const rooms = [...this.#loaded.values()];
    for (const room of rooms) {
      if (room.idleTimer) clearTimeout(room.idleTimer);
      for (const connection of room.connections) connection.close(CloseCode.goingAway, 'server shutting down');
      this.#options.events?.beforeUnload?.(room.boardId);
    }
    await this.writer.flush();
    for (const room of rooms) {
      try {
        if (!room.unchangedSinceLoad) await this.#options.store.compact(room.boardId, { throughSeq: Number.MAX_SAFE_INTEGER, snapshot: room.encodeState() });
      } catch (error) {
        this.#options.log.warn({ err: error, board: room.boardId }, 'compaction at shutdown failed; the update log is intact');
      }
      room.destroy();
    }
    this.#rooms.clear();
    this.#loaded.clear();
  }
}
