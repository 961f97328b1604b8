import { CloseCode, hasRole, type Role } from '@planboard/shared';
import type { BoardStore, LinkRecord } from '../persistence/store.js';
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

  constructor(store: BoardStore, options: AccessOptions) {
    this.#store = store;
    this.#failures = options.failures ?? new LocalFailureCounter(options.failuresPerMinute);
  }

  /** Counts failures somewhere else from now on (Redis, shared by every instance). */
  countFailuresIn(failures: FailureCounter): void {
    this.#failures = failures;
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
      return { ok: false, status: 401, closeCode: CloseCode.unauthorized, message: 'this link has expired' };
    }
    if (!hasRole(link.role, required)) {
      return { ok: false, status: 403, closeCode: CloseCode.forbidden, message: `this needs the ${required} role; your link grants ${link.role}` };
    }
    return { ok: true, link };
  }

  /** Registers a live session (a websocket) of a link; returns the function that forgets it. */
  track(link: { id: string; expiresAt: string | null }, session: Session): () => void {
    let sessions = this.#sessions.get(link.id);
    if (!sessions) this.#sessions.set(link.id, (sessions = new Set()));
    sessions.add(session);
    let timer: NodeJS.Timeout | null = null;
    const scheduleExpiry = () => {
      if (!link.expiresAt) return;
      const remaining = Date.parse(link.expiresAt) - Date.now();
      timer = setTimeout(
        () => (Date.parse(link.expiresAt!) <= Date.now() ? session.close(CloseCode.unauthorized, 'this link has expired') : scheduleExpiry()),
        Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
      );
      timer.unref();
    };
    scheduleExpiry();
    return () => {
      if (timer) clearTimeout(timer);
      sessions.delete(session);
      if (sessions.size === 0) this.#sessions.delete(link.id);
    };
  }

  /** How many live sessions (open boards) use a link on this instance right now. */
  activeSessions(linkId: string): number {
    return this.#sessions.get(linkId)?.size ?? 0;
  }

  /** Closes every live session of a revoked link. */
  revoke(linkId: string): void {
    for (const session of this.#sessions.get(linkId) ?? []) session.close(CloseCode.unauthorized, 'this link was revoked');
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
