import type { WebSocket } from 'ws';
import type { Metrics } from '../extensions/metrics/metrics.js';
import { CloseCode, type Role } from '@planboard/shared';

export interface ConnectionLimits {
  maxBufferedBytes: number;
}

/**
 * One websocket peer of a board. Sending is bounded: a peer that does not read and lets its
 * unsent data pass `maxBufferedBytes` is cut off instead of growing server memory.
 */
export class Connection {
  readonly socket: WebSocket;
  /** Awareness client ids this peer has published, removed from the board when it leaves. */
  readonly awarenessIds = new Set<number>();
  /** Whether this peer may change the document (false for viewers). */
  canWrite: boolean;
  /** The role of the link this peer joined with; stamped on its awareness states. */
  role: Role | null = null;
  alive = true;
  readonly #metrics: Metrics;
  readonly #limits: ConnectionLimits;

  constructor(socket: WebSocket, metrics: Metrics, limits: ConnectionLimits, canWrite = true) {
    this.socket = socket;
    this.#metrics = metrics;
    this.#limits = limits;
    this.canWrite = canWrite;
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Queues a message; `sent`, if given, is called once it has been written to the socket. */
  send(message: Uint8Array, sent?: () => void): void {
    if (!this.isOpen) return;
    // Judged on what is already waiting, so that one large message to a reading peer is fine.
    if (this.socket.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.close(CloseCode.slowConsumer, 'slow consumer: too much unread data');
      // The peer is not reading, so the close frame may never leave: free the memory now.
      this.socket.terminate();
      return;
    }
    if (sent) this.socket.send(message, sent);
    else this.socket.send(message);
    this.#metrics.messagesSent.inc();
    this.#metrics.bytesSent.inc(message.byteLength);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CLOSED || this.socket.readyState === this.socket.CLOSING) return;
    this.#metrics.connectionsRejected.inc({ reason: String(code) });
    this.socket.close(code, reason);
  }
}
