import { CloseCode, hasRole, type Role } from '@planboard/shared';
import type { BoardStore, LinkRecord } from '../persistence/store.js';
import { parseToken, secretMatches } from './tokens.js';

export type AccessDecision =
  | { ok: true; link: LinkRecord }
  | { ok: false; status: 401 | 403 | 404 | 429; closeCode: number; message: string };

export interface AccessOptions {
  /** Failed token checks one address may make per minute before it is refused outright. */
  failuresPerMinute: number;
}

const WINDOW_MS = 60_000;

/**
 * Decides who may do what on a board, from the link token they present. Failed checks are
 * counted per address; an address past the limit is refused unless it presents a valid token.
 */
export class Access {
  readonly #store: BoardStore;
  readonly #options: AccessOptions;
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(store: BoardStore, options: AccessOptions) {
    this.#store = store;
    this.#options = options;
  }

  async authorize(boardId: string, token: string | undefined, required: Role, address: string): Promise<AccessDecision> {
    const parsed = token ? parseToken(token) : null;
    if (this.#isLimited(address)) {
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
      this.#recordFailure(address);
      return { ok: false, status: 404, closeCode: CloseCode.unknownBoard, message: 'board not found' };
    }
    const link = parsed ? await this.#store.getLink(parsed.linkId) : null;
    const valid =
      parsed !== null && link !== null && link.boardId === boardId && secretMatches(parsed.secret, link.secretHash);
    if (!valid) {
      this.#recordFailure(address);
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

  #isLimited(address: string): boolean {
    const entry = this.#failures.get(address);
    if (!entry) return false;
    if (Date.now() - entry.since > WINDOW_MS) {
      this.#failures.delete(address);
      return false;
    }
    return entry.count >= this.#options.failuresPerMinute;
  }

  #recordFailure(address: string): void {
    const now = Date.now();
    const entry = this.#failures.get(address);
    if (entry && now - entry.since <= WINDOW_MS) entry.count++;
    else this.#failures.set(address, { count: 1, since: now });
    // Bounded memory under a distributed attack: forget windows that are over.
    if (this.#failures.size > 10_000) {
      for (const [key, value] of this.#failures) if (now - value.since > WINDOW_MS) this.#failures.delete(key);
    }
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
