import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import {
  DotError,
  FACILITATION_MAP,
  NO_FACILITATION,
  placeDot,
  hasRole,
  readFacilitation,
  remainingMs,
  type Dots,
  type FacilitationState,
  type PresenceUser,
  type Role,
} from '@planboard/shared';
import { ApiRequestError, NetworkError } from '../lib/api';

/** Someone on the board, from their presence. */
export interface Person {
  clientId: number;
  userId: string;
  name: string;
  color: string;
  role: Role | null;
  /** The presence user id (tldraw's `user:<id>`) of the person they follow, if any. */
  following: string | null;
  you: boolean;
}

/**
 * This browser's facilitation secret: sent with every call beside the (public) presence id, so
 * that nobody else can act under that id. Kept beside the presence identity, for every board.
 */
export function participantSecret(): string {
  const key = 'planboard:facilitation-secret';
  let secret = localStorage.getItem(key);
  if (!secret || secret.length < 16) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    secret = btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
    localStorage.setItem(key, secret);
  }
  return secret;
}

/** tldraw names a participant `user:<presence id>` in its presence records. */
export const tldrawUserId = (userId: string) => `user:${userId}`;

/**
 * Facilitation on one open board, in this tab: the public state (derived from the board
 * document's server-written `facilitation` map, never copied), the server clock, the people
 * present, and the calls that ask the server to act. The server decides; this only asks.
 */
export class FacilitationSession {
  state = $state.raw<FacilitationState>(NO_FACILITATION);
  /** Server clock minus this browser's clock, in ms. */
  clockOffset = $state(0);
  /** This browser's clock, ticking four times a second while something counts down. */
  now = $state(Date.now());
  people = $state.raw<Person[]>([]);
  /** My own vote in the open round: kept in this tab only; the server never sends it back. */
  myVote = $state<{ roundId: string; value: string } | null>(null);
  myDots = $state.raw<Dots>({});
  message = $state<string | null>(null);
  busy = $state(false);

  readonly boardId: string;
  readonly role: Role;
  readonly me: PresenceUser;
  readonly #token: string;
  readonly #secret = participantSecret();
  readonly #doc: Y.Doc;
  readonly #awareness: Awareness;
  #timer: ReturnType<typeof setInterval>;
  #cleanup: (() => void)[] = [];

  constructor(options: { doc: Y.Doc; awareness: Awareness; boardId: string; token: string; me: PresenceUser; role: Role }) {
    this.boardId = options.boardId;
    this.role = options.role;
    this.me = options.me;
    this.#token = options.token;
    this.#doc = options.doc;
    this.#awareness = options.awareness;
    const map = this.#doc.getMap(FACILITATION_MAP);
    const read = () => {
      const previous = this.state.dots?.voteId;
      this.state = readFacilitation(this.#doc);
      if (this.state.dots?.voteId !== previous) void this.#loadMyDots();
    };
    map.observe(read);
    read();
    const onAwareness = () => this.#readPeople();
    this.#awareness.on('change', onAwareness);
    this.#readPeople();
    this.#cleanup.push(() => map.unobserve(read), () => this.#awareness.off('change', onAwareness));
    this.#timer = setInterval(() => (this.now = Date.now()), 250);
    void this.#syncClock();
  }

  get serverNow(): number {
    return this.now + this.clockOffset;
  }

  get isChair(): boolean {
    return this.state.chair?.userId === this.me.id && hasRole(this.role, 'editor');
  }

  get canControlTimer(): boolean {
    return this.isChair || (this.state.settings.anyoneControlsTimer && hasRole(this.role, 'editor'));
  }

  get canVote(): boolean {
    return hasRole(this.role, 'editor');
  }

  get timerRemaining(): number | null {
    return this.state.timer ? remainingMs(this.state.timer, this.serverNow) : null;
  }

  /**
   * The server's clock from a few round trips: the sample with the shortest trip is the closest,
   * taken at its midpoint.
   */
  async #syncClock(): Promise<void> {
    let best: { rtt: number; offset: number } | null = null;
    for (let i = 0; i < 3; i++) {
      try {
        const sent = Date.now();
        const response = await fetch('/api/time', { cache: 'no-store' });
        const { now } = (await response.json()) as { now: number };
        const received = Date.now();
        const sample = { rtt: received - sent, offset: now - (sent + received) / 2 };
        if (!best || sample.rtt < best.rtt) best = sample;
      } catch {
        // Offline: keep the local clock.
      }
    }
    if (best) this.clockOffset = Math.round(best.offset);
  }

  #readPeople(): void {
    const people: Person[] = [];
    // A local scratch set, not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const seen = new Set<string>();
    for (const [clientId, state] of this.#awareness.getStates()) {
      const user = (state as { user?: Partial<PresenceUser> }).user;
      if (!user?.id || !user.name) continue;
      const you = clientId === this.#awareness.clientID;
      // Several tabs of one person show once.
      if (seen.has(user.id) && !you) continue;
      seen.add(user.id);
      const presence = (state as { presence?: { followingUserId?: string | null } | null }).presence;
      people.push({ clientId, userId: user.id, name: user.name, color: user.color ?? '#868e96', role: user.role ?? null, following: presence?.followingUserId ?? null, you });
    }
    this.people = people.sort((a, b) => Number(b.you) - Number(a.you) || a.name.localeCompare(b.name));
  }

  /** Asks the server to act; a refusal is shown as the server worded it. */
  async act(path: string, body: Record<string, unknown> = {}): Promise<Response | null> {
    this.busy = true;
    this.message = null;
    try {
      const response = await fetch(`/api/boards/${this.boardId}/facilitation/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: this.me.id, name: this.me.name, secret: this.#secret, ...body }),
      });
      if (!response.ok) {
        const payload = (await response.json().catch(() => null)) as { message?: string } | null;
        throw new ApiRequestError(response.status, payload?.message ?? `The server answered ${response.status}.`);
      }
      return response;
    } catch (error) {
      this.message = error instanceof ApiRequestError ? error.message : new NetworkError('Cannot reach the Planboard server.').message;
      return null;
    } finally {
      this.busy = false;
    }
  }

  async vote(value: string): Promise<void> {
    const round = this.state.poker;
    if (!round) return;
    if (await this.act('poker/vote', { value })) this.myVote = { roundId: round.roundId, value };
  }

  myVoteIn(roundId: string | undefined): string | null {
    return this.myVote && this.myVote.roundId === roundId ? this.myVote.value : null;
  }

  /**
   * Places (+1) or takes back (-1) one of my dots. The dot shows at once (checked here by the same
   * rules the server applies); requests go one after another, and the server's answer to the last
   * one is what stays.
   */
  placeDot(cardId: string, delta: 1 | -1): Promise<void> {
    const vote = this.state.dots;
    if (!vote) return Promise.resolve();
    try {
      this.myDots = placeDot(this.myDots, vote, cardId, delta);
    } catch (error) {
      if (!(error instanceof DotError)) throw error;
      this.message = error.message.charAt(0).toUpperCase() + error.message.slice(1) + '.';
      return Promise.resolve();
    }
    const sent = ++this.#dotRequests;
    const run = async () => {
      const response = await this.act('dots/place', { cardId, delta });
      if (sent !== this.#dotRequests) return;
      if (response) this.myDots = ((await response.json()) as { dots: Dots }).dots;
      else await this.#loadMyDots();
    };
    this.#dotQueue = this.#dotQueue.then(run, run);
    return this.#dotQueue;
  }
  #dotQueue: Promise<void> = Promise.resolve();
  #dotRequests = 0;

  async #loadMyDots(): Promise<void> {
    if (!this.state.dots) {
      this.myDots = {};
      return;
    }
    try {
      const response = await fetch(`/api/boards/${this.boardId}/facilitation/dots/mine?userId=${encodeURIComponent(this.me.id)}&secret=${encodeURIComponent(this.#secret)}`, {
        headers: { authorization: `Bearer ${this.#token}` },
      });
      if (response.ok) this.myDots = ((await response.json()) as { dots: Dots }).dots;
    } catch {
      // Offline: the dots show once the vote changes again.
    }
  }

  destroy(): void {
    clearInterval(this.#timer);
    for (const cleanup of this.#cleanup) cleanup();
  }
}
