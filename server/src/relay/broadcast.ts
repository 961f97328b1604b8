import * as Y from 'yjs';
import { encodeAwarenessMessage, encodeUpdate } from '../protocol/frame.js';
import type { Connection } from './connection.js';

/**
 * Sends a board's changes to its peers, each message encoded once and the same buffer sent to
 * every peer.
 *
 * Document updates read in one turn of the event loop go out merged, as one message, with no
 * added delay. Presence goes out at once when the board is quiet; under load, changes within
 * `awarenessWindowMs` of the last presence message go out together at the end of that window.
 * Every presence message a stock client receives it echoes back, so one message per cursor move
 * would multiply the frames by the peer count exactly when a board is busiest.
 */
export class Broadcaster {
  readonly #peers: ReadonlySet<Connection>;
  readonly #awarenessWindowMs: number;
  readonly #encodeAwareness: (clientIds: Iterable<number>) => Uint8Array;
  #updates: { update: Uint8Array; origin: unknown }[] = [];
  #updateScheduled = false;
  readonly #awarenessIds = new Set<number>();
  #awarenessScheduled = false;
  #awarenessTimer: NodeJS.Timeout | null = null;
  #lastAwarenessAt = -Infinity;

  constructor(peers: ReadonlySet<Connection>, awarenessWindowMs: number, encodeAwareness: (clientIds: Iterable<number>) => Uint8Array) {
    this.#peers = peers;
    this.#awarenessWindowMs = awarenessWindowMs;
    this.#encodeAwareness = encodeAwareness;
  }

  update(update: Uint8Array, origin: unknown): void {
    this.#updates.push({ update, origin });
    if (this.#updateScheduled) return;
    this.#updateScheduled = true;
    setImmediate(this.#flushUpdates);
  }

  awareness(clientIds: Iterable<number>): void {
    for (const id of clientIds) this.#awarenessIds.add(id);
    if (this.#awarenessScheduled || this.#awarenessIds.size === 0) return;
    this.#awarenessScheduled = true;
    const wait = this.#lastAwarenessAt + this.#awarenessWindowMs - performance.now();
    if (wait <= 0) setImmediate(this.#flushAwareness);
    else {
      this.#awarenessTimer = setTimeout(this.#flushAwareness, wait);
    }
  }

  #flushUpdates = (): void => {
    this.#updateScheduled = false;
    const updates = this.#updates;
    this.#updates = [];
    if (this.#peers.size === 0 || updates.length === 0) return;
    const merged = updates.length === 1 ? updates[0]!.update : Y.mergeUpdates(updates.map((u) => u.update));
    // A single author does not need its own changes back; with several, each gets the merge
    // (Yjs ignores what it already has) so that the message is still encoded once.
    const origin = updates.every((u) => u.origin === updates[0]!.origin) ? updates[0]!.origin : null;
    this.#send(encodeUpdate(merged), origin);
  };

  #flushAwareness = (): void => {
    this.#awarenessScheduled = false;
    this.#awarenessTimer = null;
    this.#lastAwarenessAt = performance.now();
    const ids = [...this.#awarenessIds];
    this.#awarenessIds.clear();
    if (this.#peers.size === 0 || ids.length === 0) return;
    // Sent to the originator too: a lone client's only inbound traffic keeps its connection
    // watchdog (y-websocket reconnects after 30 s of silence) satisfied.
    this.#send(encodeAwarenessMessage(this.#encodeAwareness(ids)), null);
  };

  #send(message: Uint8Array, except: unknown): void {
    for (const peer of this.#peers) if (peer !== except) peer.send(message);
  }

  destroy(): void {
    if (this.#awarenessTimer) clearTimeout(this.#awarenessTimer);
    this.#awarenessTimer = null;
    this.#updates = [];
    this.#awarenessIds.clear();
  }
}
