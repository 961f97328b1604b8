import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { RedisBus, type BoardEntry, type BusLogger, type ControlMessage } from './redis-bus.js';
import { RemoteAwarenessClients } from './awareness-clients.js';
import { RedisFailureCounter } from './auth-failures.js';
import { RedisSessionCounts } from './session-counts.js';
import type { FailureCounter } from '../auth/failure-counter.js';

/**
 * What the fan-out needs from the relay on this instance. Everything it applies arrives with
 * the *remote* origin: broadcast to this instance's peers, not stored again, not republished.
 */
export interface FanoutHost {
  /** Boards loaded on this instance. */
  loadedBoards(): string[];
  stateVector(boardId: string): Uint8Array | null;
  /** What the board holds beyond `stateVector` (null when the board is not loaded). */
  diff(boardId: string, stateVector: Uint8Array): Uint8Array | null;
  applyRemoteUpdate(boardId: string, update: Uint8Array): void;
  applyRemoteAwareness(boardId: string, update: Uint8Array): void;
  /** The presence of this instance's own peers on the board, as one awareness update (null: none). */
  localAwareness(boardId: string): Uint8Array | null;
  /**
   * Stores updates that another instance received and may not have stored (it died first).
   * Queued like this instance's own updates; never republished.
   */
  storeRescued(boardId: string, updates: Uint8Array[]): void;
  /** Closes this instance's connections of a link revoked on another instance. */
  closeLink(linkId: string): void;
  /** Closes this instance's connections of a link whose expiry another instance saw pass. */
  expireLink(linkId: string): void;
  /** Closes and drops a board deleted on another instance. */
  closeBoard(boardId: string): void;
}

export interface FanoutOptions {
  redisUrl: string;
  /** Prefix of every Redis key (several deployments may share one Redis). */
  prefix?: string;
  failuresPerMinute: number;
  log: BusLogger;
  heartbeatMs?: number;
}

interface BoardState {
  /** Remote updates not yet confirmed stored by the instance that received them, per instance. */
  unconfirmed: Map<string, { n: number; update: Uint8Array }[]>;
  /**
   * Presence of each other instance's peers, and of that instance's server state: a storage
   * warning is the server's presence, so it reaches every instance's clients and goes when
   * that instance does.
   */
  remoteClients: RemoteAwarenessClients;
  /** Counter of the last update this instance published for the board. */
  lastPublished: number;
  /** Counter through which this instance's writer has stored the board (confirmed or not yet). */
  storedThrough: number;
  /** When this instance last confirmed the board stored, and the confirmation waiting for its turn. */
  storedAt: number;
  storedTimer: NodeJS.Timeout | null;
}

const EMPTY_UPDATE_LENGTH = 2;
/** A state-vector sync request answered by a diff may itself show we lack something: ask back, but not in a loop. */
const SYNC_BACKOFF_MS = 250;
/**
 * At most one "stored" confirmation per board and instance in this time. Every entry on a board's
 * stream wakes every instance's reader; confirmations only let the others drop what they hold
 * for rescue, so sending one after each 50 ms write made a sixth of a busy board's stream for nothing.
 */
const STORED_EVERY_MS = 500;
/** How often this instance's session counts are written again (a Redis that restarted empty). */
const SESSION_RENEW_MS = 3_000;

/**
 * Cross-instance fan-out over Redis (see redis-bus.ts for the transport). Each board this
 * instance has loaded is followed on the bus; local changes are published, remote ones applied.
 * Nothing is lost when a message is: a board (re)followed sends its state vector and the other
 * instances answer with what it lacks, and when Redis returns every board is resynchronised.
 */
export class Fanout {
  readonly instanceId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly bus: RedisBus;
  readonly failures: FailureCounter;
  /** Live sessions per link on every instance (the owner's link list). */
  readonly sessions: RedisSessionCounts;
  readonly #host: FanoutHost;
  readonly #boards = new Map<string, BoardState>();
  readonly #lastSyncRequest = new Map<string, number>();
  readonly #log: BusLogger;
  readonly #prefix: string;
  readonly #renewSessions: NodeJS.Timeout;

  constructor(host: FanoutHost, options: FanoutOptions) {
    this.#host = host;
    this.#log = options.log;
    this.#prefix = options.prefix ?? 'planboard:';
    this.bus = new RedisBus({
      url: options.redisUrl,
      instanceId: this.instanceId,
      prefix: this.#prefix,
      log: options.log,
      heartbeatMs: options.heartbeatMs,
      onBoardEntry: (entry) => this.#onEntry(entry),
      onControl: (message) => this.#onControl(message),
      onReconnected: () => this.#resyncAll(),
      onInstanceGone: (instanceId) => void this.#onInstanceGone(instanceId),
      // Read too late (a stalled instance): what was trimmed arrives as answers to a sync request.
      onBoardMissed: (boardId) => {
        const stateVector = this.#host.stateVector(boardId);
        if (stateVector) this.bus.publishSync(boardId, stateVector);
      },
    });
    this.failures = new RedisFailureCounter(this.bus.commands, this.#prefix, options.failuresPerMinute);
    this.sessions = new RedisSessionCounts(this.bus.commands, this.#prefix, this.instanceId);
    this.#renewSessions = setInterval(() => void this.sessions.renew(), options.heartbeatMs ?? SESSION_RENEW_MS);
    this.#renewSessions.unref();
  }

  #state(boardId: string): BoardState {
    let state = this.#boards.get(boardId);
    if (!state) {
      state = { unconfirmed: new Map(), remoteClients: new RemoteAwarenessClients(), lastPublished: 0, storedThrough: 0, storedAt: 0, storedTimer: null };
      this.#boards.set(boardId, state);
    }
    return state;
  }

  // --- relay hooks -------------------------------------------------------------------------

  /** The board is loaded here: follow it, and ask the others for what the store did not have yet. */
  afterLoad(boardId: string): void {
    this.#state(boardId);
    const stateVector = this.#host.stateVector(boardId);
    if (stateVector) void this.bus.follow(boardId, stateVector);
  }

  /** A change made on this instance (a peer's or the server's): publish it. */
  onLocalChange(boardId: string, update: Uint8Array): void {
    this.#state(boardId).lastPublished = this.bus.publishUpdate(boardId, update);
  }

  /** Presence changed on this instance's own peers. */
  onLocalAwareness(boardId: string, update: Uint8Array): void {
    this.#boards.get(boardId)?.remoteClients.note(null, update);
    this.bus.publishAwareness(boardId, update);
  }

  /**
   * This instance's writer stored the board and has nothing more of it queued: every update
   * published so far is durable, so the other instances may stop holding them for rescue.
   */
  onStored(boardId: string): void {
    const state = this.#boards.get(boardId);
    if (!state || state.lastPublished === 0) return;
    // Captured now: updates published after this write are not stored yet.
    state.storedThrough = state.lastPublished;
    if (state.storedTimer) return;
    const wait = state.storedAt + STORED_EVERY_MS - performance.now();
    if (wait <= 0) return this.#confirmStored(boardId, state);
    state.storedTimer = setTimeout(() => {
      state.storedTimer = null;
      if (this.#boards.get(boardId) === state) this.#confirmStored(boardId, state);
    }, wait);
    state.storedTimer.unref();
  }

  /** Sends a confirmation that is waiting for its turn now (the board leaves, or this instance does). */
  #confirmPending(boardId: string, state: BoardState): void {
    if (!state.storedTimer) return;
    clearTimeout(state.storedTimer);
    state.storedTimer = null;
    this.#confirmStored(boardId, state);
  }

  /** Everything published before the last write is stored; what was published since is not confirmed by this. */
  #confirmStored(boardId: string, state: BoardState): void {
    state.storedAt = performance.now();
    this.bus.publishStored(boardId, state.storedThrough);
  }

  /** The board is about to be unloaded here: keep what only this instance may still hold, then stop following. */
  beforeUnload(boardId: string): void {
    const state = this.#boards.get(boardId);
    if (state) {
      this.#confirmPending(boardId, state);
      const held = [...state.unconfirmed.values()].flat().map((entry) => entry.update);
      if (held.length > 0) this.#host.storeRescued(boardId, [Y.mergeUpdates(held)]);
    }
    this.#boards.delete(boardId);
    this.bus.unfollow(boardId);
  }

  onBoardDeleted(boardId: string): Promise<void> {
    this.#boards.delete(boardId);
    this.bus.unfollow(boardId);
    return this.bus.publishControl({ kind: 'board-deleted', boardId });
  }

  onLinkRevoked(boardId: string, linkId: string): Promise<void> {
    return this.bus.publishControl({ kind: 'link-revoked', boardId, linkId });
  }

  /** A link's expiry passed here (its sessions here are closed): the others close theirs at once. */
  onLinkExpired(boardId: string, linkId: string): Promise<void> {
    return this.bus.publishControl({ kind: 'link-expired', boardId, linkId });
  }

  async close(): Promise<void> {
    clearInterval(this.#renewSessions);
    // Before the goodbye: the others would otherwise store again what they hold for rescue.
    for (const [boardId, state] of this.#boards) this.#confirmPending(boardId, state);
    await this.sessions.close();
    await this.bus.close();
  }

  // --- from the other instances ---------------------------------------------------------------

  #onEntry(entry: BoardEntry): void {
    const state = this.#boards.get(entry.boardId);
    if (!state) return;
    switch (entry.kind) {
      case 'update': {
        this.#host.applyRemoteUpdate(entry.boardId, entry.data);
        // n = 0: an answer to a sync request, made of what its sender already holds (and rescues).
        if (entry.n > 0) {
          let held = state.unconfirmed.get(entry.from);
          if (!held) state.unconfirmed.set(entry.from, (held = []));
          held.push({ n: entry.n, update: entry.data });
        }
        break;
      }
      case 'stored': {
        const held = state.unconfirmed.get(entry.from);
        if (!held) break;
        // Held in the order published, so the confirmed ones are a prefix: dropping it costs what
        // it drops, not the whole list per confirmation. (One published out of order, after a
        // Redis outage, stays until a later confirmation reaches it: held longer, never lost.)
        let confirmed = 0;
        while (confirmed < held.length && held[confirmed]!.n <= entry.n) confirmed++;
        if (confirmed === held.length) state.unconfirmed.delete(entry.from);
        else if (confirmed > 0) held.splice(0, confirmed);
        break;
      }
      case 'sync':
        this.#answerSync(entry.boardId, entry.data);
        break;
      case 'awareness':
        state.remoteClients.note(entry.from, entry.data);
        this.#host.applyRemoteAwareness(entry.boardId, entry.data);
        break;
    }
  }

  /** Another instance (re)followed the board: send it what it lacks, our presence, and ask back if it has more. */
  #answerSync(boardId: string, stateVector: Uint8Array): void {
    let remote: Map<number, number>;
    try {
      remote = Y.decodeStateVector(stateVector);
    } catch {
      return;
    }
    const diff = this.#host.diff(boardId, stateVector);
    if (diff && diff.length > EMPTY_UPDATE_LENGTH) this.bus.publishSyncAnswer(boardId, diff);
    const presence = this.#host.localAwareness(boardId);
    if (presence) this.bus.publishAwareness(boardId, presence);
    const ours = this.#host.stateVector(boardId);
    if (!ours) return;
    const local = Y.decodeStateVector(ours);
    const theyHaveMore = [...remote].some(([client, clock]) => clock > (local.get(client) ?? 0));
    const last = this.#lastSyncRequest.get(boardId) ?? 0;
    if (theyHaveMore && Date.now() - last > SYNC_BACKOFF_MS) {
      this.#lastSyncRequest.set(boardId, Date.now());
      this.bus.publishSync(boardId, ours);
    }
  }

  #onControl(message: ControlMessage): void {
    switch (message.kind) {
      case 'link-revoked':
        this.#host.closeLink(message.linkId);
        break;
      case 'link-expired':
        this.#host.expireLink(message.linkId);
        break;
      case 'board-deleted':
        this.#boards.delete(message.boardId);
        this.bus.unfollow(message.boardId);
        this.#host.closeBoard(message.boardId);
        break;
      case 'instance-gone':
        break;
    }
  }

  /** Redis is back (or answered for the first time with boards loaded): follow every board again. */
  #resyncAll(): void {
    for (const boardId of this.#host.loadedBoards()) {
      this.#state(boardId);
      const stateVector = this.#host.stateVector(boardId);
      if (stateVector) void this.bus.follow(boardId, stateVector);
      const presence = this.#host.localAwareness(boardId);
      if (presence) this.bus.publishAwareness(boardId, presence);
    }
  }

  /**
   * Another instance died: its clients' cursors go, its storage warning goes, and what it had
   * received but not confirmed stored is stored here (by one survivor, chosen through Redis).
   */
  async #onInstanceGone(instanceId: string): Promise<void> {
    for (const [boardId, state] of this.#boards) {
      const removal = state.remoteClients.removeInstance(instanceId);
      if (removal) this.#host.applyRemoteAwareness(boardId, removal);
      const held = state.unconfirmed.get(instanceId);
      state.unconfirmed.delete(instanceId);
      if (!held || held.length === 0) continue;
      const mine = await this.bus.claim(`rescue:${instanceId}:${boardId}`).catch(() => true);
      if (!mine) continue;
      this.#log.info({ board: boardId, instance: instanceId, updates: held.length }, 'storing updates another instance received but did not confirm before it died');
      this.#host.storeRescued(boardId, [Y.mergeUpdates(held.map((item) => item.update))]);
    }
  }
}
