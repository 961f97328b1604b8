import type { WebSocket, RawData } from 'ws';
import { CloseCode, hasRole, type Role } from '@planboard/shared';
import type { Origin } from './origins.js';
import type { Session } from './hooks.js';
import { countClose, type RelayStats } from './stats.js';

export interface ConnectionLimits {
  /** Unsent bytes a peer may hold before it is cut off as a slow consumer. */
  maxBufferedBytes: number;
  /** Frames a peer may send before its board has loaded. */
  maxEarlyFrames: number;
}

/**
 * One websocket peer of a board: its socket, role, liveness and limits. It is also the
 * transaction origin of the changes it sends (`kind: 'peer'`). Frames that arrive before the
 * peer is admitted and its board loaded are held (a bounded number), then handed on in order.
 */
export class Connection implements Origin {
  readonly kind = 'peer' as const;
  readonly socket: WebSocket;
  readonly boardId: string;
  /** The client's address (after trusted proxies). */
  readonly address: string;
  /** The role this peer joined with; null until admitted. */
  role: Role | null = null;
  /** What it joined with (its link), from the authenticating extension. */
  session: Session | null = null;
  /** Awareness client ids this peer introduced and still holds (removed ones included). */
  readonly awarenessIds = new Set<number>();
  /** False until the peer answers the last ping. */
  alive = true;
  readonly #limits: ConnectionLimits;
  readonly #stats: RelayStats;
  /** The TCP socket under the websocket (ws keeps it as `_socket`), to write two messages at once. */
  readonly #net: { cork(): void; uncork(): void } | null;
  #receiver: ((frame: Uint8Array) => void) | null = null;
  #early: Uint8Array[] | null = [];
  #closeCode: number | null = null;

  constructor(socket: WebSocket, boardId: string, address: string, limits: ConnectionLimits, stats: RelayStats) {
    this.socket = socket;
    this.boardId = boardId;
    this.address = address;
    this.#limits = limits;
    this.#stats = stats;
    this.#net = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket ?? null;
    // Attached before anything is awaited, so that no early frame is missed.
    socket.on('message', this.#onMessage);
    socket.on('pong', () => (this.alive = true));
  }

  /** Whether this peer may change the document (false for viewers and before admission). */
  get canWrite(): boolean {
    return this.role !== null && hasRole(this.role, 'editor');
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** The close code the server chose, if it closed this connection. */
  get closeCode(): number | null {
    return this.#closeCode;
  }

  /** Starts handing frames to `receive`, the held ones first. */
  startReceiving(receive: (frame: Uint8Array) => void): void {
    this.#receiver = receive;
    const early = this.#early ?? [];
    this.#early = null;
    for (const frame of early) {
      if (!this.isOpen) break;
      receive(frame);
    }
  }

  #onMessage = (data: RawData, isBinary: boolean): void => {
    const frame = toBytes(data);
    this.#stats.messagesReceived++;
    this.#stats.bytesReceived += frame.byteLength;
    // Once the server has closed a connection, what it still sends is not read (a flood must not
    // keep costing after it was cut off).
    if (this.#closeCode !== null) return;
    if (!isBinary) {
      this.close(CloseCode.malformed, 'text frames are not part of the protocol');
      return;
    }
    if (this.#receiver) this.#receiver(frame);
    else if (this.#early && this.#early.length < this.#limits.maxEarlyFrames) this.#early.push(frame);
    else this.close(CloseCode.slowConsumer, 'too many frames before the board loaded');
  };

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
    this.#stats.messagesSent++;
    this.#stats.bytesSent += message.byteLength;
  }

  /** Sends two messages in one write to the socket: one system call (and TCP segment) instead of two. */
  sendBoth(first: Uint8Array, second: Uint8Array): void {
    const net = this.#net;
    net?.cork();
    try {
      this.send(first);
      this.send(second);
    } finally {
      net?.uncork();
    }
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CLOSED || this.socket.readyState === this.socket.CLOSING) return;
    this.#closeCode = code;
    this.#early = null;
    countClose(this.#stats, code);
    this.socket.close(code, truncateReason(reason));
  }

  /**
   * Closes a peer that broke the protocol or a limit. What it still sends until it sees the
   * close is not handled (see #onMessage): a flood stops costing once it is cut off.
   */
  reject(code: number, reason: string): void {
    this.close(code, reason);
  }

  /** Liveness: drops a peer that did not answer the previous ping, pings the others. */
  checkAlive(): boolean {
    if (!this.alive) {
      this.#closeCode = CloseCode.timeout;
      countClose(this.#stats, CloseCode.timeout);
      this.socket.terminate();
      return false;
    }
    this.alive = false;
    this.socket.ping();
    return true;
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Close reasons are limited to 123 bytes by RFC 6455. */
function truncateReason(reason: string): string {
  return Buffer.byteLength(reason) <= 120 ? reason : `${reason.slice(0, 110)}…`;
}
