import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type * as Y from 'yjs';
import { CloseCode, type ServerStatus } from '@planboard/shared';
import { ProtocolError, encodePermissionDenied } from '../protocol/frame.js';
import { Board, RefusedUpdateError, type BoardEvents, type BoardLimits } from './board.js';
import { Connection, type ConnectionLimits } from './connection.js';
import type { Admission, AuthenticateRequest, AwarenessChange, Extension, Refusal } from './hooks.js';
import { serverOrigin, type Origin } from './origins.js';
import { createStats, type RelayStats } from './stats.js';
import { LoadMonitor } from './load.js';

export class UnknownBoardError extends Error {}

/** A change was applied (and sent to every peer) but could not be stored yet; storage retries. */
export class NotStoredError extends Error {}

export interface RelayOptions {
  extensions: Extension[];
  log: FastifyBaseLogger;
  limits: BoardLimits & ConnectionLimits;
  /** How long a board stays in memory after its last peer leaves. */
  boardIdleMs: number;
  /** How often peers are pinged; a peer that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
}

export interface ConnectRequest extends AuthenticateRequest {
  log: FastifyBaseLogger;
}

/** How often presence is checked for states not renewed in time. */
const PRESENCE_CHECK_MS = 3000;

interface Slot {
  board: Board;
  /** Peers and API calls using the board; it is unloaded a while after this drops to zero. */
  holds: number;
  idleTimer: NodeJS.Timeout | null;
  /** Set while the board is being stored and dropped; a newcomer waits for it. */
  unloading: Promise<void> | null;
}

/**
 * The relay core: the boards in memory and their peers. A board is loaded when first needed
 * and unloaded `boardIdleMs` after its last use, once stored. Everything else (storage, who may
 * join, metrics, other instances) is an extension, called through the hooks of `hooks.ts`.
 */
export class Relay {
  readonly stats: RelayStats = createStats();
  readonly #extensions: Extension[];
  readonly #options: RelayOptions;
  readonly #slots = new Map<string, Promise<Slot>>();
  readonly #loaded = new Map<string, Slot>();
  readonly #connections = new Set<Connection>();
  readonly #events: BoardEvents;
  readonly #timers: NodeJS.Timeout[];
  readonly #loadMonitor = new LoadMonitor();
  #closing = false;

  constructor(options: RelayOptions) {
    this.#options = options;
    this.#extensions = options.extensions;
    const onChange = this.#hooks('onChange');
    const onAwareness = this.#hooks('onAwareness');
    const beforeApply = this.#hooks('beforeApplyUpdate');
    this.#events = {
      beforeApplyUpdate:
        beforeApply.length === 0
          ? null
          : (board, update, connection, decoded): Refusal | void => {
              for (const extension of beforeApply) {
                const refusal = extension.beforeApplyUpdate!(board, update, connection, decoded);
                if (refusal) return refusal;
              }
            },
      onChange:
        onChange.length === 0
          ? null
          : (board, update, origin) => {
              for (const extension of onChange) extension.onChange!(board, update, origin);
            },
      onAwareness:
        onAwareness.length === 0
          ? null
          : (board, change: AwarenessChange, origin) => {
              for (const extension of onAwareness) extension.onAwareness!(board, change, origin);
            },
    };
    const heartbeat = setInterval(() => {
      for (const connection of this.#connections) connection.checkAlive();
    }, options.pingIntervalMs);
    const presence = setInterval(() => {
      const now = Date.now();
      for (const { board } of this.#loaded.values()) board.expirePresence(now);
    }, PRESENCE_CHECK_MS);
    this.#timers = [heartbeat, presence];
    for (const timer of this.#timers) timer.unref();
    for (const extension of this.#extensions) extension.onConfigure?.(this);
  }

  /** Boards in memory. */
  get size(): number {
    return this.#loaded.size;
  }

  /** Open websocket connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** A board if it is in memory on this instance. */
  get(boardId: string): Board | undefined {
    return this.#loaded.get(boardId)?.board;
  }

  boards(): Board[] {
    return [...this.#loaded.values()].map((slot) => slot.board);
  }

  /**
   * Reads a board's document (loaded from storage if needed). Resolves to null when there is no
   * such board. `read` must not change the document.
   */
  async read<T>(boardId: string, read: (doc: Y.Doc) => T): Promise<T | null> {
    const slot = await this.#acquireExisting(boardId);
    if (!slot) return null;
    try {
      return read(slot.board.doc);
    } finally {
      this.#release(slot);
    }
  }

  /**
   * Changes a board's document in one transaction with the server's origin: every local peer
   * gets it, it is stored and published to other instances. Resolves once it is durably stored
   * (NotStoredError when storage failed; the change stays and is retried); null when there is no
   * such board.
   */
  async change<T>(boardId: string, change: (doc: Y.Doc) => T): Promise<T | null> {
    const slot = await this.#acquireExisting(boardId);
    if (!slot) return null;
    try {
      const result = slot.board.transact(change, serverOrigin);
      try {
        await this.#store(slot.board);
      } catch (error) {
        throw new NotStoredError((error as Error).message, { cause: error });
      }
      return result;
    } finally {
      this.#release(slot);
    }
  }

  /**
   * A board was deleted: its peers are closed, it leaves memory unstored, and the extensions are
   * told (storage deletes it; fan-out tells the other instances, which call this with `remote`).
   */
  async deleteBoard(boardId: string, origin: Origin = serverOrigin): Promise<void> {
    const entry = this.#slots.get(boardId);
    if (entry) {
      const slot = await entry.catch(() => null);
      if (slot && this.#slots.get(boardId) === entry) {
        for (const connection of slot.board.peers) connection.close(CloseCode.boardDeleted, 'this board was deleted');
        if (slot.idleTimer) clearTimeout(slot.idleTimer);
        this.#slots.delete(boardId);
        this.#loaded.delete(boardId);
        slot.board.destroy();
      }
    }
    for (const extension of this.#hooks('onBoardDeleted')) await extension.onBoardDeleted!(boardId, origin);
  }

  /** A link was revoked or expired: the extensions close its sessions (on every instance). */
  revokeLink(boardId: string, linkId: string, origin: Origin = serverOrigin): void {
    for (const extension of this.#hooks('onLinkRevoked')) extension.onLinkRevoked!(boardId, linkId, origin);
  }

  /** Tells the peers of loaded boards, through the server's presence, whether their board is being saved. */
  setServerStatus(boardIds: Iterable<string>, status: ServerStatus | null): void {
    for (const boardId of boardIds) this.get(boardId)?.setServerStatus(status);
  }

  /**
   * Takes a new websocket: authenticates it through the extensions, loads its board, joins it.
   * Frames it sends meanwhile are held and handled in order once it has joined.
   */
  connect(socket: WebSocket, request: ConnectRequest): Connection {
    const { boardId, log } = request;
    const connection = new Connection(socket, boardId, request.address, this.#options.limits, this.stats);
    this.#connections.add(connection);
    let slot: Slot | null = null;
    let closed = false;
    socket.on('close', (code: number) => {
      closed = true;
      this.#connections.delete(connection);
      if (!slot) return;
      slot.board.leave(connection);
      for (const extension of this.#hooks('onDisconnect')) extension.onDisconnect!(connection, connection.closeCode ?? code);
      this.#release(slot);
    });
    socket.on('error', (error) => log.debug({ err: error }, 'websocket error'));
    if (this.#closing) {
      connection.close(CloseCode.goingAway, 'server shutting down');
      return connection;
    }

    void (async () => {
      let admission: Admission;
      try {
        admission = await this.#authenticate(request);
      } catch (error) {
        log.error({ err: error }, 'could not authenticate');
        connection.close(CloseCode.storageError, 'the server could not check this link');
        return;
      }
      if (!admission.ok) {
        connection.close(admission.closeCode, admission.message);
        return;
      }
      if (closed) return;
      connection.role = admission.role;
      connection.session = admission.session ?? null;
      let loaded: Slot;
      try {
        loaded = await this.#acquire(boardId);
      } catch (error) {
        if (error instanceof UnknownBoardError) connection.close(CloseCode.unknownBoard, 'board not found');
        else {
          log.error({ err: error }, 'could not load board');
          connection.close(CloseCode.storageError, 'the server could not load this board');
        }
        return;
      }
      if (closed) {
        this.#release(loaded);
        return;
      }
      slot = loaded;
      const board = loaded.board;
      board.join(connection);
      for (const extension of this.#hooks('onConnect')) extension.onConnect!(connection);
      connection.startReceiving((frame) => this.#receive(board, connection, frame, log));
    })();
    return connection;
  }

  #receive(board: Board, connection: Connection, frame: Uint8Array, log: FastifyBaseLogger): void {
    try {
      board.receive(connection, frame);
    } catch (error) {
      if (error instanceof RefusedUpdateError) {
        log.warn({ board: board.id, reason: error.message }, 'refused an update');
        connection.send(encodePermissionDenied(error.message));
        connection.reject(error.closeCode, error.message);
        return;
      }
      if (!(error instanceof ProtocolError)) log.error({ err: error, board: board.id }, 'unexpected error handling a frame');
      log.warn({ board: board.id, reason: (error as Error).message }, 'closing connection after a malformed frame');
      connection.reject(CloseCode.malformed, (error as Error).message);
    }
  }

  async #authenticate(request: AuthenticateRequest): Promise<Admission> {
    for (const extension of this.#hooks('onAuthenticate')) {
      const admission = await extension.onAuthenticate!(request);
      if (admission !== undefined) return admission;
    }
    return { ok: false, closeCode: CloseCode.unauthorized, message: 'no one may join this board' };
  }

  /** The board's slot, loaded if needed, with one more hold; null when there is no such board. */
  async #acquireExisting(boardId: string): Promise<Slot | null> {
    try {
      return await this.#acquire(boardId);
    } catch (error) {
      if (error instanceof UnknownBoardError) return null;
      throw error;
    }
  }

  async #acquire(boardId: string): Promise<Slot> {
    for (;;) {
      let entry = this.#slots.get(boardId);
      if (!entry) {
        entry = this.#load(boardId);
        this.#slots.set(boardId, entry);
        const loading = entry;
        loading.catch(() => {
          if (this.#slots.get(boardId) === loading) this.#slots.delete(boardId);
        });
      }
      const slot = await entry;
      if (slot.unloading) {
        await slot.unloading;
        continue;
      }
      if (slot.idleTimer) {
        clearTimeout(slot.idleTimer);
        slot.idleTimer = null;
      }
      slot.holds++;
      return slot;
    }
  }

  /** One use of the board is over: a board nobody uses is unloaded after a while. */
  #release(slot: Slot): void {
    slot.holds--;
    this.#scheduleUnload(slot);
  }

  #scheduleUnload(slot: Slot): void {
    if (slot.holds > 0 || slot.unloading || slot.idleTimer || this.#closing) return;
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = null;
      if (slot.holds === 0) void this.#unload(slot);
    }, this.#options.boardIdleMs);
    slot.idleTimer.unref();
  }

  async #load(boardId: string): Promise<Slot> {
    let stored: { updates: Uint8Array[] } | null = { updates: [] };
    for (const extension of this.#hooks('onLoadDocument')) {
      const answer = await extension.onLoadDocument!(boardId);
      if (answer !== undefined) {
        stored = answer;
        break;
      }
    }
    if (stored === null) throw new UnknownBoardError(`no board ${boardId}`);
    const board = new Board(boardId, this.#events, this.#options.limits, this.stats, this.#loadMonitor);
    board.load(stored.updates);
    const slot: Slot = { board, holds: 0, idleTimer: null, unloading: null };
    this.#loaded.set(boardId, slot);
    try {
      for (const extension of this.#hooks('afterLoadDocument')) await extension.afterLoadDocument!(board);
    } catch (error) {
      this.#loaded.delete(boardId);
      board.destroy();
      throw error;
    }
    return slot;
  }

  async #store(board: Board): Promise<void> {
    for (const extension of this.#hooks('onStoreDocument')) await extension.onStoreDocument!(board);
  }

  #unload(slot: Slot): Promise<void> {
    const { board } = slot;
    slot.unloading = (async () => {
      try {
        await this.#store(board);
        for (const extension of this.#hooks('beforeUnloadDocument')) await extension.beforeUnloadDocument!(board);
      } catch (error) {
        this.#options.log.error({ err: error, board: board.id }, 'could not store board before unloading; kept in memory');
        slot.unloading = null;
        this.#scheduleUnload(slot);
        return;
      }
      this.#slots.delete(board.id);
      this.#loaded.delete(board.id);
      board.destroy();
    })();
    return slot.unloading;
  }

  /** Graceful shutdown: tell every peer, store every board, drop them all, then the extensions. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#loadMonitor.stop();
    for (const connection of this.#connections) connection.close(CloseCode.goingAway, 'server shutting down');
    const slots = [...this.#loaded.values()];
    for (const slot of slots) if (slot.idleTimer) clearTimeout(slot.idleTimer);
    for (const slot of slots) {
      try {
        await this.#store(slot.board);
        for (const extension of this.#hooks('beforeUnloadDocument')) await extension.beforeUnloadDocument!(slot.board);
      } catch (error) {
        this.#options.log.warn({ err: error, board: slot.board.id }, 'could not store a board at shutdown');
      }
      slot.board.destroy();
    }
    this.#slots.clear();
    this.#loaded.clear();
    for (const extension of this.#hooks('onDestroy')) await extension.onDestroy!();
  }

  #hooks<K extends keyof Extension>(name: K): Extension[] {
    return this.#extensions.filter((extension) => typeof extension[name] === 'function');
  }
}
