import { CloseCode, hasRole, type CreatedLink, type Role } from '@planboard/shared';
import type { BoardStore, DeleteLinkResult, LinkRecord } from '../persistence/store.js';
import { issueLink, type LinkOptions } from './issue-link.js';
import { parseToken, secretMatches } from './tokens.js';
import { LocalFailureCounter, type FailureCounter } from './failure-counter.js';

export type AccessDecision =
  | { ok: true; link: LinkRecord }
  | { ok: false; status: 401 | 403 | 404 | 429; closeCode: number; message: string };

export interface AccessOptions {
  /** Failed token checks one address may make per minute before it is refused outright. */
  failuresPerMinute: number;
  /** Where failures are counted; this instance alone by default (the fan-out shares it between instances). */
  failures?: FailureCounter;
}

interface Session {
  close(code: number, reason: string): void;
}

/**
 * Where the live sessions of each link are counted for the owner's link list. This instance
 * alone by default; with several instances the fan-out counts every instance's in Redis.
 */
export interface SessionCounts {
  /** This instance now holds `count` live sessions of the link (0: none). */
  set(linkId: string, count: number): void;
  /** Live sessions of the link on every instance, given this instance's own `local` count. */
  total(linkId: string, local: number): Promise<number>;
}

const REVOKED = 'this link was revoked';
const EXPIRED = 'this link has expired';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Decides who may do what on a board, from the link token they present, and keeps track of the
 * live sessions of every link so that revoking or expiring a link closes them at once. Failed
 * checks are counted per address; an address past the limit is refused unless its token is valid.
 */
export class Access {
  readonly #store: BoardStore;
  #failures: FailureCounter;
  readonly #sessions = new Map<string, Set<Session>>();
  #sessionCounts: SessionCounts | null = null;
  readonly #expiryListeners: ((boardId: string, linkId: string) => void)[] = [];
  /** Links whose expiry this instance already acted on (their sessions' timers all fire at once). */
  readonly #expiredHere = new Set<string>();

  constructor(store: BoardStore, options: AccessOptions) {
    this.#store = store;
    this.#failures = options.failures ?? new LocalFailureCounter(options.failuresPerMinute);
  }

  /** Counts failures somewhere else from now on (Redis, shared by every instance). */
  countFailuresIn(failures: FailureCounter): void {
    this.#failures = failures;
  }

  /** Counts live sessions somewhere shared from now on (Redis, for every instance's link list). */
  countSessionsIn(counts: SessionCounts): void {
    this.#sessionCounts = counts;
    for (const [linkId, sessions] of this.#sessions) counts.set(linkId, sessions.size);
  }

  /** The board's links (records: no token is ever kept), oldest first as the store lists them. */
  listLinks(boardId: string): Promise<LinkRecord[]> {
    return this.#store.listLinks(boardId);
  }

  /** Creates a link and returns it with its token: the only time the token is ever shown. */
  issueLink(boardId: string, role: Role, options: LinkOptions = {}): Promise<CreatedLink> {
    return issueLink(this.#store, boardId, role, options);
  }

  /**
   * Deletes a link unless it is the board's last owner link (one transaction). Its open sessions
   * are closed by revoking it through the relay (`relay.revokeLink`), on every instance.
   */
  deleteLink(boardId: string, linkId: string): Promise<DeleteLinkResult> {
    return this.#store.deleteLink(boardId, linkId);
  }

  /**
   * Calls `listener` when a link with live sessions here expires (once per link), after those
   * sessions were closed: the fan-out tells the other instances, so that one whose clock lags
   * still closes its sessions at once.
   */
  onLinkExpired(listener: (boardId: string, linkId: string) => void): void {
    this.#expiryListeners.push(listener);
  }

  async authorize(boardId: string, token: string | undefined, required: Role, address: string): Promise<AccessDecision> {
    const parsed = token ? parseToken(token) : null;
    if (await this.#failures.isLimited(address)) {
      // Behind a shared address (an office NAT) one guesser must not lock everyone out: a valid
      // token is still accepted; anything else is refused without a lookup that could leak.
      const link = parsed ? await this.#store.getLink(parsed.linkId) : null;
      if (!link || link.boardId !== boardId || !secretMatches(parsed!.secret, link.secretHash)) {
        return { ok: false, status: 429, closeCode: CloseCode.rateLimited, message: 'too many failed attempts; try again in a minute' };
      }
      return this.#judge(link, required);
    }
    // Board ids carry 70 random bits, so saying that one does not exist reveals nothing useful;
    // the lookups still count against the address like a wrong token.
    if (!(await this.#store.getBoard(boardId))) {
      await this.#failures.recordFailure(address);
      return { ok: false, status: 404, closeCode: CloseCode.unknownBoard, message: 'board not found' };
    }
    const link = parsed ? await this.#store.getLink(parsed.linkId) : null;
    const valid =
      parsed !== null && link !== null && link.boardId === boardId && secretMatches(parsed.secret, link.secretHash);
    if (!valid) {
      await this.#failures.recordFailure(address);
      return {
        ok: false,
        status: 401,
        closeCode: CloseCode.unauthorized,
        message: token ? 'this link is not valid for this board (revoked, or mistyped)' : 'a link token is required',
      };
    }
    return this.#judge(link, required);
  }

  /** The decision for a link whose secret matched. */
  #judge(link: LinkRecord, required: Role): AccessDecision {
    if (isExpired(link)) {
      return { ok: false, status: 401, closeCode: CloseCode.unauthorized, message: EXPIRED };
    }
    if (!hasRole(link.role, required)) {
      return { ok: false, status: 403, closeCode: CloseCode.forbidden, message: `this needs the ${required} role; your link grants ${link.role}` };
    }
    return { ok: true, link };
  }

  /** Registers a live session (a websocket) of a link; returns the function that forgets it. */
  track(link: { id: string; boardId: string; expiresAt: string | null }, session: Session): () => void {
    let sessions = this.#sessions.get(link.id);
    if (!sessions) this.#sessions.set(link.id, (sessions = new Set()));
    sessions.add(session);
    this.#sessionCounts?.set(link.id, sessions.size);
    let timer: NodeJS.Timeout | null = null;
    const scheduleExpiry = () => {
      if (!link.expiresAt) return;
      const remaining = Date.parse(link.expiresAt) - Date.now();
      timer = setTimeout(
        () => (Date.parse(link.expiresAt!) <= Date.now() ? this.#expired(link.boardId, link.id) : scheduleExpiry()),
        Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
      );
      timer.unref();
    };
    scheduleExpiry();
    return () => {
      if (timer) clearTimeout(timer);
      sessions.delete(session);
      if (sessions.size === 0 && this.#sessions.get(link.id) === sessions) this.#sessions.delete(link.id);
      this.#sessionCounts?.set(link.id, this.#sessions.get(link.id)?.size ?? 0);
    };
  }

  /** A link's expiry passed here: its sessions close, and the other instances are told (once). */
  #expired(boardId: string, linkId: string): void {
    // Every session of the link has its own timer; the first to fire closes them all.
    if (this.#expiredHere.has(linkId)) return;
    this.#expiredHere.add(linkId);
    this.expire(linkId);
    for (const listener of this.#expiryListeners) listener(boardId, linkId);
  }

  /** How many live sessions (open boards) use a link right now, on every instance. */
  async activeSessions(linkId: string): Promise<number> {
    const local = this.#sessions.get(linkId)?.size ?? 0;
    return this.#sessionCounts ? this.#sessionCounts.total(linkId, local) : local;
  }

  /** Closes every live session of a revoked link. */
  revoke(linkId: string): void {
    this.#close(linkId, REVOKED);
  }

  /** Closes every live session of an expired link (here, or told by another instance). */
  expire(linkId: string): void {
    this.#close(linkId, EXPIRED);
  }

  #close(linkId: string, reason: string): void {
    for (const session of [...(this.#sessions.get(linkId) ?? [])]) session.close(CloseCode.unauthorized, reason);
  }
}

export function isExpired(link: LinkRecord, now = Date.now()): boolean {
  return link.expiresAt !== null && Date.parse(link.expiresAt) <= now;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
