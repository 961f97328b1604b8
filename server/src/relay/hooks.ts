import type * as Y from 'yjs';
import type { Role } from '@planboard/shared';
import type { Board } from './board.js';
import type { Connection } from './connection.js';
import type { Origin } from './origins.js';
import type { Relay } from './relay.js';

/**
 * The extension interface: what plugs into the relay core (persistence, auth, metrics, fan-out)
 * implements some of these named lifecycle hooks. The relay runs them in the order the
 * extensions were given; it knows no store, no link and no other instance itself.
 *
 * Hooks on the hot path (`beforeApplyUpdate`, `onChange`, `onAwareness`) are synchronous and
 * must be cheap; the others may be async and are awaited.
 */
export interface Extension {
  readonly name: string;

  /** Once, when the relay is created: the handle to call back into it (control messages). */
  onConfigure?(relay: Relay): void;

  /**
   * Decides whether a websocket may join a board and with which role. The first extension that
   * answers (not `undefined`) decides; with none answering, the connection is refused.
   */
  onAuthenticate?(request: AuthenticateRequest): Promise<Admission | undefined>;
  /** A peer joined its board (after authentication and load). */
  onConnect?(connection: Connection): void;
  /** A peer left (closed by either side); `code` is the close code. */
  onDisconnect?(connection: Connection, code: number): void;

  /**
   * Provides a board's stored content when it is loaded: its updates, oldest first (a single
   * update is a snapshot the relay may serve as is), or `null` when there is no such board. The
   * first extension that answers (not `undefined`) decides; with none, the board starts empty.
   */
  onLoadDocument?(boardId: string): Promise<StoredDocument | null | undefined>;
  /** The board is in memory (e.g. subscribe to other instances and catch up). */
  afterLoadDocument?(board: Board): Promise<void> | void;

  /**
   * A peer's document update, decoded and well-formed, before it touches the document. Return
   * a refusal to drop it: the update is not applied and the peer is told why and closed.
   * `decoded` is the relay's own decoding of `update` (read it, never change it): every check
   * shares it instead of decoding the update again.
   */
  beforeApplyUpdate?(board: Board, update: Uint8Array, connection: Connection, decoded: DecodedUpdate): Refusal | void;
  /** Every change of a board's document, with who made it (never called for `storage`). */
  onChange?(board: Board, update: Uint8Array, origin: Origin): void;
  /**
   * Makes every change of the board seen so far durable; resolves once it is (rejects if it
   * could not be). Called by `relay.change` and before a board is unloaded.
   */
  onStoreDocument?(board: Board): Promise<void>;
  /** Presence changed: which clients, the awareness update that says so, and who sent it. */
  onAwareness?(board: Board, change: AwarenessChange, origin: Origin): void;
  /**
   * The board is about to leave memory (no peer for a while, or shutdown), after
   * `onStoreDocument`. Throwing keeps it loaded and retries later.
   */
  beforeUnloadDocument?(board: Board): Promise<void> | void;

  /** A board was deleted (here, or on another instance when `origin` is remote). */
  onBoardDeleted?(boardId: string, origin: Origin): Promise<void> | void;
  /** A link was revoked (or expired): its sessions must close, on every instance. */
  onLinkRevoked?(boardId: string, linkId: string, origin: Origin): void;
  /** The relay is shutting down, after every board was stored. */
  onDestroy?(): Promise<void> | void;
}

/** A Yjs update as `Y.decodeUpdate` returns it. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

export interface AuthenticateRequest {
  boardId: string;
  /** The link token the client presented, if any. */
  token: string | undefined;
  /** The client's address (after trusted proxies). */
  address: string;
}

export type Admission =
  | {
      ok: true;
      role: Role;
      /** What the connection joined with (e.g. the link): kept on `connection.session`. */
      session?: Session;
    }
  | { ok: false; closeCode: number; message: string };

/** The credential a connection joined with. */
export interface Session {
  /** The link id; revoking it closes the connection. */
  linkId: string;
  /** ISO 8601; the connection is closed when it passes. */
  expiresAt: string | null;
}

export interface StoredDocument {
  updates: Uint8Array[];
}

export interface Refusal {
  /** Close code for the peer (e.g. 4413 for a board at its size limit). */
  closeCode: number;
  message: string;
}

export interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
  /** The awareness update (y-protocols encoding) carrying those clients' states now. */
  readonly update: Uint8Array;
}
