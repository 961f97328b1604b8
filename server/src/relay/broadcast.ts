import * as Y from 'yjs';
import { encodeAwarenessMessage, encodeUpdate } from '../protocol/frame.js';
import type { Connection } from './connection.js';
import type { Load } from './load.js';

/** Presence messages a board may send at once before the spacing applies. */
const AWARENESS_BURST = 8;
/** The spacing while the server is not busy: at most 250 presence messages a second per board, after a burst. */
const QUIET_AWARENESS_WINDOW_MS = 4;

/**
 * Sends a board's changes to its peers, each message encoded once and the same buffer sent to
 * every peer.
 *
 * What arrived in one turn of the event loop goes out together at the end of that turn, with no
 * added delay: the document updates merged into one message, the presence of every client that
 * changed in another, both written to each peer's socket at once (one write, one system call).
 *
 * Presence is limited in rate, not delayed: every presence message a stock client receives it
 * echoes back, so a board sending one per cursor move without bound would multiply the frames
 * by the peer count. A board may send AWARENESS_BURST presence messages at once, then one per
 * window (a token bucket); changes that arrive meanwhile wait and go out together. The window
 * is QUIET_AWARENESS_WINDOW_MS while the server is not busy, so that a workshop's cursors
 * (about one move per participant and second) never wait, and `awarenessWindowMs` while it is
 * (see LoadMonitor): then fewer, larger presence messages save CPU where it is short.
 */
export class Broadcaster {
  readonly #peers: ReadonlySet<Connection>;
  readonly #awarenessWindowMs: number;
  readonly #load: Load;
  readonly #encodeAwareness: (clientIds: Iterable<number>) => Uint8Array;
  #updates: Uint8Array[] = [];
  /** The one origin of every pending update, null when they came from several. */
  #updateOrigin: unknown = undefined;
  readonly #awarenessIds = new Set<number>();
  #scheduled = false;
  /** Whether the pending presence is to go out as soon as the token bucket lets it. */
  #awarenessDue = false;
  #awarenessTimer: NodeJS.Timeout | null = null;
  #deferTimer: NodeJS.Timeout | null = null;
  /** Presence messages that may go out now (a fraction: one more per window), and when that was. */
  #awarenessTokens = AWARENESS_BURST;
  #tokensAt = performance.now();

  constructor(peers: ReadonlySet<Connection>, awarenessWindowMs: number, load: Load, encodeAwareness: (clientIds: Iterable<number>) => Uint8Array) {
    this.#peers = peers;
    this.#awarenessWindowMs = awarenessWindowMs;
    this.#load = load;
    this.#encodeAwareness = encodeAwareness;
  }

  update(update: Uint8Array, origin: unknown): void {
    if (this.#updates.length === 0) this.#updateOrigin = origin;
    else if (this.#updateOrigin !== origin) this.#updateOrigin = null;
    this.#updates.push(update);
    this.#schedule();
  }

  /**
   * Presence to send for these clients. `urgent` (a cursor moved, a selection changed) goes out
   * at the end of this turn, token bucket allowing; otherwise (someone joined or left) it does
   * too while the server is quiet, but waits one `awarenessWindowMs` while it is busy, to go out
   * with others: a room filling up all at once then sends a few presence messages instead of one
   * per arrival to every peer.
   */
  awareness(clientIds: Iterable<number>, urgent = true): void {
    for (const id of clientIds) this.#awarenessIds.add(id);
    if (this.#awarenessIds.size === 0) return;
    if (urgent || !this.#load.busy || this.#awarenessWindowMs <= 0) {
      this.#awarenessDue = true;
      this.#schedule();
    } else if (!this.#awarenessDue && !this.#deferTimer) {
      this.#deferTimer = setTimeout(this.#flushDeferred, this.#awarenessWindowMs);
    }
  }

  #flushDeferred = (): void => {
    this.#deferTimer = null;
    this.#awarenessDue = true;
    this.#schedule();
  };

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  /** Whether a presence message may go out now; if not, a flush is set for when one may. */
  #takeAwarenessToken(): boolean {
    if (this.#awarenessTimer) return false;
    const window = this.#load.busy ? this.#awarenessWindowMs : Math.min(QUIET_AWARENESS_WINDOW_MS, this.#awarenessWindowMs);
    if (window <= 0) return true;
    const now = performance.now();
    this.#awarenessTokens = Math.min(AWARENESS_BURST, this.#awarenessTokens + (now - this.#tokensAt) / window);
    this.#tokensAt = now;
    if (this.#awarenessTokens >= 1) {
      this.#awarenessTokens -= 1;
      return true;
    }
    this.#awarenessTimer = setTimeout(this.#flushAwareness, Math.ceil((1 - this.#awarenessTokens) * window));
    return false;
  }

  #flushAwareness = (): void => {
    this.#awarenessTimer = null;
    this.#schedule();
  };

  #flush = (): void => {
    this.#scheduled = false;
    let update: Uint8Array | null = null;
    let updateOrigin: unknown = null;
    if (this.#updates.length > 0) {
      const updates = this.#updates;
      updateOrigin = this.#updateOrigin;
      this.#updates = [];
      this.#updateOrigin = undefined;
      // A single author does not need its own changes back; with several, each gets the merge
      // (Yjs ignores what it already has) so that the message is still encoded once.
      if (this.#peers.size > 0) update = encodeUpdate(updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates));
    }
    let awareness: Uint8Array | null = null;
    if (this.#awarenessIds.size > 0 && this.#awarenessDue && this.#takeAwarenessToken()) {
      const ids = [...this.#awarenessIds];
      this.#awarenessIds.clear();
      this.#awarenessDue = false;
      if (this.#deferTimer) clearTimeout(this.#deferTimer);
      this.#deferTimer = null;
      if (this.#peers.size > 0) awareness = encodeAwarenessMessage(this.#encodeAwareness(ids));
    }
    if (update === null && awareness === null) return;
    for (const peer of this.#peers) {
      const sendUpdate = update !== null && peer !== updateOrigin;
      // Presence goes to its originator too: a lone client's only inbound traffic keeps its
      // connection watchdog (y-websocket reconnects after 30 s of silence) satisfied.
      if (sendUpdate && awareness !== null) peer.sendBoth(update!, awareness);
      else if (sendUpdate) peer.send(update!);
      else if (awareness !== null) peer.send(awareness);
    }
  };

  destroy(): void {
    if (this.#awarenessTimer) clearTimeout(this.#awarenessTimer);
    this.#awarenessTimer = null;
    if (this.#deferTimer) clearTimeout(this.#deferTimer);
    this.#deferTimer = null;
    this.#updates = [];
    this.#awarenessIds.clear();
  }
}
