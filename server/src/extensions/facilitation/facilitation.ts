import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import * as Y from 'yjs';
import {
  DEFAULT_FACILITATION_SETTINGS,
  DOT_LIMITS,
  DeckError,
  DotError,
  FacilitationKey,
  TimerError,
  applyTimerAction,
  findCard,
  getFacilitationMap,
  hasRole,
  isDeckAnswer,
  isEstimate,
  makeDeck,
  placeDot,
  pokerVotedKey,
  setCardEstimate,
  setCardVotes,
  summarizeVotes,
  tallyDots,
  type AttentionMode,
  type AttentionState,
  type DeckKind,
  type DotVoteState,
  type Dots,
  type FacilitationSettings,
  type Participant,
  type PokerRoundState,
  type Role,
  type TimerAction,
  type TimerState,
} from '@planboard/shared';
import type { BoardData } from './board-data.js';
import type { BoardDocs } from './board-docs.js';
import { BoardQueue } from '../board-queue.js';

/** Someone acting on a board: their presence identity and the role their link grants. */
export interface Actor extends Participant {
  role: Role;
}

/** A refused facilitation action, with the status and a message a person can act on. */
export class FacilitationError extends Error {
  readonly statusCode: 400 | 403 | 404 | 409;
  constructor(statusCode: 400 | 403 | 404 | 409, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

/**
 * Keys of the board's server-side data. The authoritative copies (chair, timer, round) live here
 * and the board document gets their public side; votes and dots live only here.
 */
const DataKey = {
  chair: 'facilitation:chair',
  settings: 'facilitation:settings',
  timer: 'facilitation:timer',
  round: 'facilitation:poker',
  votes: (roundId: string) => `facilitation:poker-vote:${roundId}:`,
  dotVote: 'facilitation:dots',
  dots: (voteId: string) => `facilitation:dots:${voteId}:`,
  participant: (userId: string) => `facilitation:participant:${userId}`,
} as const;

interface StoredVote {
  value: string;
  name: string;
}

export interface OpenRoundRequest {
  cardId: string;
  deck: DeckKind;
  customValues?: string[];
  autoReveal?: boolean;
}

export interface StartDotsRequest {
  cardIds: string[];
  dotsPerPerson: number;
  maxPerCard: number;
  live?: boolean;
  durationMs?: number;
}

/**
 * The facilitator's controls for every board: who holds the chair, the timer, planning poker with
 * votes secret until the reveal, dot voting, summon and follow-me. The server decides who may do
 * what; every decision reads the server-side data, never the document peers see.
 */
export class Facilitation {
  readonly #docs: BoardDocs;
  readonly #data: BoardData;
  readonly #now: () => number;
  /** Actions on one board run one after another (on this instance). */
  readonly #queue = new BoardQueue();
  /** The dot vote end time each board in memory waits for. */
  readonly #deadlines = new Map<string, { voteId: string; endsAt: number; timer: ReturnType<typeof setTimeout> }>();
  readonly #onError: (error: unknown, boardId: string) => void;

  constructor(docs: BoardDocs, data: BoardData, now: () => number = Date.now, onError: (error: unknown, boardId: string) => void = () => undefined) {
    this.#docs = docs;
    this.#data = data;
    this.#now = now;
    this.#onError = onError;
  }

  #serial<T>(boardId: string, run: () => Promise<T>): Promise<T> {
    return this.#queue.run(boardId, run);
  }

  /** Writes public state into the board document (server origin); 404 when the board is gone. */
  async #publish(boardId: string, write: (map: Y.Map<unknown>, doc: Y.Doc) => void): Promise<void> {
    const done = await this.#docs.change(boardId, (doc) => {
      write(getFacilitationMap(doc), doc);
      return true;
    });
    if (!done) throw new FacilitationError(404, 'board not found');
  }

  async #chair(boardId: string): Promise<Participant | null> {
    return (await this.#data.get(boardId, DataKey.chair)) as Participant | null;
  }

  async #settings(boardId: string): Promise<FacilitationSettings> {
    return { ...DEFAULT_FACILITATION_SETTINGS, ...((await this.#data.get(boardId, DataKey.settings)) as Partial<FacilitationSettings> | null) };
  }

  async #requireChair(boardId: string, actor: Actor): Promise<void> {
    const chair = await this.#chair(boardId);
    if (!chair) throw new FacilitationError(403, 'only the facilitator may do this; nobody holds the facilitator\'s chair yet');
    if (chair.userId !== actor.userId || !hasRole(actor.role, 'editor')) {
      throw new FacilitationError(403, `only the facilitator (${chair.name}) may do this`);
    }
  }

  /**
   * Presence ids are public (the chair's is in the document), so each browser also holds a secret
   * of its own and sends it with every call. The first call of an id on a board binds the id to
   * that secret's hash; later calls with another secret are refused: nobody acts as someone else.
   */
  async identify(boardId: string, userId: string, secret: string): Promise<void> {
    const hash = createHash('sha256').update(secret).digest();
    const stored = (await this.#data.get(boardId, DataKey.participant(userId))) as string | null;
    if (stored === null) {
      await this.#data.set(boardId, DataKey.participant(userId), hash.toString('base64'));
      return;
    }
    const expected = Buffer.from(stored, 'base64');
    if (expected.length !== hash.length || !timingSafeEqual(expected, hash)) {
      throw new FacilitationError(403, 'this participant id is already used by someone else on this board');
    }
  }

  // ---- the chair ----

  /** An owner or editor takes a free chair; an owner may take it back from anyone. */
  takeChair(boardId: string, actor: Actor): Promise<void> {
    return this.#serial(boardId, async () => {
      if (!hasRole(actor.role, 'editor')) throw new FacilitationError(403, 'viewers cannot take the facilitator\'s chair');
      const chair = await this.#chair(boardId);
      if (chair && chair.userId !== actor.userId && actor.role !== 'owner') {
        throw new FacilitationError(409, `${chair.name} holds the facilitator's chair; they or an owner can hand it over`);
      }
      await this.#setChair(boardId, { userId: actor.userId, name: actor.name });
    });
  }

  /** The chair or an owner hands the chair to someone else. */
  handChair(boardId: string, actor: Actor, to: Participant): Promise<void> {
    return this.#serial(boardId, async () => {
      const chair = await this.#chair(boardId);
      if (actor.role !== 'owner' && (!chair || chair.userId !== actor.userId || !hasRole(actor.role, 'editor'))) {
        throw new FacilitationError(403, 'only the facilitator or an owner may hand over the chair');
      }
      const present = await this.#docs.present(boardId);
      const person = present.find((p) => p.userId === to.userId);
      if (person && (person.role === null || !hasRole(person.role, 'editor'))) {
        throw new FacilitationError(400, `${to.name} has a view-only link and cannot facilitate`);
      }
      await this.#setChair(boardId, { userId: to.userId, name: to.name });
    });
  }

  /** The chair (or an owner) leaves it empty; follow-me ends with it. */
  leaveChair(boardId: string, actor: Actor): Promise<void> {
    return this.#serial(boardId, async () => {
      const chair = await this.#chair(boardId);
      if (!chair) return;
      if (actor.role !== 'owner' && chair.userId !== actor.userId) throw new FacilitationError(403, 'only the facilitator or an owner may free the chair');
      await this.#setChair(boardId, null);
    });
  }

  async #setChair(boardId: string, chair: Participant | null): Promise<void> {
    await this.#data.set(boardId, DataKey.chair, chair);
    await this.#publish(boardId, (map) => {
      map.set(FacilitationKey.chair, chair);
      // A follow-me or summon belongs to the facilitator who started it.
      if (map.has(FacilitationKey.attention)) map.delete(FacilitationKey.attention);
    });
  }

  setSettings(boardId: string, actor: Actor, settings: Partial<FacilitationSettings>): Promise<FacilitationSettings> {
    return this.#serial(boardId, async () => {
      if (actor.role !== 'owner') await this.#requireChair(boardId, actor);
      const next = { ...(await this.#settings(boardId)), ...settings };
      await this.#data.set(boardId, DataKey.settings, next);
      await this.#publish(boardId, (map) => map.set(FacilitationKey.settings, next));
      return next;
    });
  }

  // ---- the timer ----

  timer(boardId: string, actor: Actor, action: TimerAction, durationMs?: number): Promise<TimerState | null> {
    return this.#serial(boardId, async () => {
      const settings = await this.#settings(boardId);
      if (!(settings.anyoneControlsTimer && hasRole(actor.role, 'editor'))) await this.#requireChair(boardId, actor);
      const current = (await this.#data.get(boardId, DataKey.timer)) as TimerState | null;
      let next: TimerState | null;
      try {
        next = applyTimerAction(current, action, this.#now(), durationMs);
      } catch (error) {
        if (error instanceof TimerError) throw new FacilitationError(action === 'start' ? 400 : 409, error.message);
        throw error;
      }
      await this.#data.set(boardId, DataKey.timer, next);
      await this.#publish(boardId, (map) => map.set(FacilitationKey.timer, next));
      return next;
    });
  }

  // ---- planning poker ----

  openRound(boardId: string, actor: Actor, request: OpenRoundRequest): Promise<PokerRoundState> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      let deck;
      try {
        deck = makeDeck(request.deck, request.customValues);
      } catch (error) {
        if (error instanceof DeckError) throw new FacilitationError(400, error.message);
        throw error;
      }
      const card = await this.#docs.read(boardId, (doc) => findCard(doc, request.cardId));
      if (!card) throw new FacilitationError(404, 'no story card with this id on the board');
      const round: PokerRoundState = {
        roundId: randomUUID(),
        cardId: request.cardId,
        cardTitle: card.props.title,
        deck,
        autoReveal: request.autoReveal ?? false,
        status: 'voting',
        voted: [],
        spectators: [],
        result: null,
        accepted: null,
      };
      await this.#setRound(boardId, round);
      return round;
    });
  }

  async #round(boardId: string): Promise<PokerRoundState | null> {
    return (await this.#data.get(boardId, DataKey.round)) as PokerRoundState | null;
  }

  async #openRound(boardId: string): Promise<PokerRoundState> {
    const round = await this.#round(boardId);
    if (!round) throw new FacilitationError(409, 'no poker round is open');
    return round;
  }

  /** Stores and publishes the round; the public "who voted" keys of any other round go. */
  async #setRound(boardId: string, round: PokerRoundState | null, change?: (map: Y.Map<unknown>) => void): Promise<void> {
    const stored = round && { ...round, voted: [] };
    await this.#data.set(boardId, DataKey.round, stored);
    await this.#publish(boardId, (map) => {
      map.set(FacilitationKey.poker, stored);
      const current = round ? `${FacilitationKey.pokerVoted}${round.roundId}:` : null;
      for (const key of [...map.keys()]) {
        if (key.startsWith(FacilitationKey.pokerVoted) && (current === null || !key.startsWith(current))) map.delete(key);
      }
      change?.(map);
    });
  }

  /**
   * A participant's vote (a deck value or "pass"). It is kept only in the server-side data; the
   * document learns that they voted, not what. Nothing of the value is sent back.
   */
  vote(boardId: string, actor: Actor, value: string): Promise<void> {
    return this.#serial(boardId, async () => {
      if (!hasRole(actor.role, 'editor')) throw new FacilitationError(403, 'viewers watch the round; they do not vote');
      const round = await this.#openRound(boardId);
      if (round.status !== 'voting') throw new FacilitationError(409, 'this round has been revealed; the facilitator can start a re-vote');
      if (!isDeckAnswer(round.deck, value)) throw new FacilitationError(400, 'that value is not in this round\'s deck');
      const vote: StoredVote = { value, name: actor.name };
      await this.#data.set(boardId, DataKey.votes(round.roundId) + actor.userId, vote);
      const votes = await this.#votes(boardId, round.roundId);
      const wasSpectator = round.spectators.some((s) => s.userId === actor.userId);
      round.spectators = round.spectators.filter((s) => s.userId !== actor.userId);
      const voted = { userId: actor.userId, name: actor.name, at: this.#now() };
      if (round.autoReveal && (await this.#everyoneVoted(boardId, round, votes))) {
        this.#reveal(round, votes);
      } else if (!wasSpectator) {
        // Only this person's "voted" key changes: other instances may be recording votes too.
        await this.#publish(boardId, (map) => map.set(pokerVotedKey(round.roundId, actor.userId), voted));
        return;
      }
      await this.#setRound(boardId, round, (map) => map.set(pokerVotedKey(round.roundId, actor.userId), voted));
    });
  }

  /** "I don't vote" for this round (or back in); any role may say it. Takes back a vote already cast. */
  spectate(boardId: string, actor: Actor, spectating: boolean): Promise<void> {
    return this.#serial(boardId, async () => {
      const round = await this.#openRound(boardId);
      round.spectators = round.spectators.filter((s) => s.userId !== actor.userId);
      if (spectating) {
        round.spectators.push({ userId: actor.userId, name: actor.name });
        if (round.status === 'voting') await this.#data.set(boardId, DataKey.votes(round.roundId) + actor.userId, null);
      }
      const votes = await this.#votes(boardId, round.roundId);
      // The last person still expected may be the one stepping out.
      if (round.status === 'voting' && round.autoReveal && (await this.#everyoneVoted(boardId, round, votes))) this.#reveal(round, votes);
      await this.#setRound(boardId, round, (map) => {
        if (spectating && round.status === 'voting') map.delete(pokerVotedKey(round.roundId, actor.userId));
      });
    });
  }

  async #votes(boardId: string, roundId: string): Promise<Map<string, StoredVote>> {
    const prefix = DataKey.votes(roundId);
    const listed = await this.#data.list(boardId, prefix);
    return new Map([...listed].map(([key, vote]) => [key.slice(prefix.length), vote as StoredVote]));
  }

  /** Everyone present who may vote and has not said "I don't vote" has voted. */
  async #everyoneVoted(boardId: string, round: PokerRoundState, votes: Map<string, StoredVote>): Promise<boolean> {
    const present = await this.#docs.present(boardId);
    const voted = new Set(votes.keys());
    const spectators = new Set(round.spectators.map((s) => s.userId));
    const voters = present.filter((p) => p.role !== null && hasRole(p.role, 'editor') && !spectators.has(p.userId));
    return voters.length > 0 && voters.every((p) => voted.has(p.userId));
  }

  #reveal(round: PokerRoundState, votes: Map<string, StoredVote>): void {
    round.status = 'revealed';
    round.result = summarizeVotes(round.deck, [...votes.values()].map((v) => v.value));
  }

  reveal(boardId: string, actor: Actor): Promise<PokerRoundState> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      const round = await this.#openRound(boardId);
      if (round.status !== 'voting') return round;
      this.#reveal(round, await this.#votes(boardId, round.roundId));
      await this.#setRound(boardId, round);
      return round;
    });
  }

  /** The facilitator's estimate becomes the card's: one server change, so every total follows. */
  accept(boardId: string, actor: Actor, estimate: string): Promise<void> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      if (!isEstimate(estimate) || estimate === 'none') throw new FacilitationError(400, 'the estimate must be a value of the card estimate scale');
      const round = await this.#openRound(boardId);
      if (round.status === 'voting') throw new FacilitationError(409, 'reveal the votes before accepting an estimate');
      round.status = 'accepted';
      round.accepted = estimate;
      await this.#data.set(boardId, DataKey.round, round);
      let cardFound = true;
      await this.#publish(boardId, (map, doc) => {
        cardFound = setCardEstimate(doc, round.cardId, estimate);
        map.set(FacilitationKey.poker, round);
      });
      if (!cardFound) throw new FacilitationError(404, 'the card of this round was deleted');
    });
  }

  /** Same card, a new round: earlier votes are dropped. */
  revote(boardId: string, actor: Actor): Promise<PokerRoundState> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      const previous = await this.#openRound(boardId);
      await this.#dropVotes(boardId, previous.roundId);
      const round: PokerRoundState = { ...previous, roundId: randomUUID(), status: 'voting', voted: [], result: null, accepted: null };
      await this.#setRound(boardId, round);
      return round;
    });
  }

  closeRound(boardId: string, actor: Actor): Promise<void> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      const round = await this.#round(boardId);
      if (round) await this.#dropVotes(boardId, round.roundId);
      await this.#setRound(boardId, null);
    });
  }

  async #dropVotes(boardId: string, roundId: string): Promise<void> {
    for (const key of (await this.#data.list(boardId, DataKey.votes(roundId))).keys()) await this.#data.set(boardId, key, null);
  }

  // ---- dot voting ----

  startDots(boardId: string, actor: Actor, request: StartDotsRequest): Promise<DotVoteState> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      const cardIds = [...new Set(request.cardIds)];
      if (cardIds.length === 0 || cardIds.length > DOT_LIMITS.maxCards) throw new FacilitationError(400, `a dot vote needs 1 to ${DOT_LIMITS.maxCards} cards`);
      if (request.maxPerCard > request.dotsPerPerson) throw new FacilitationError(400, 'dots per card cannot exceed dots per person');
      const missing = await this.#docs.read(boardId, (doc) => cardIds.filter((id) => !findCard(doc, id)));
      if (missing === null) throw new FacilitationError(404, 'board not found');
      if (missing.length > 0) throw new FacilitationError(400, `${missing.length} of the cards are not story cards of this board`);
      const previous = await this.#dotVote(boardId);
      if (previous) await this.#dropDots(boardId, previous.voteId);
      const vote: DotVoteState = {
        voteId: randomUUID(),
        cardIds,
        dotsPerPerson: request.dotsPerPerson,
        maxPerCard: request.maxPerCard,
        live: request.live ?? false,
        endsAt: request.durationMs ? this.#now() + request.durationMs : null,
        status: 'open',
        voters: [],
        counts: request.live ? tallyDots(cardIds, []) : null,
      };
      await this.#data.set(boardId, DataKey.dotVote, vote);
      await this.#publishDotVote(boardId, vote);
      this.watchDotVote(boardId, vote);
      return vote;
    });
  }

  async #dotVote(boardId: string): Promise<DotVoteState | null> {
    return (await this.#data.get(boardId, DataKey.dotVote)) as DotVoteState | null;
  }

  async #publishDotVote(boardId: string, vote: DotVoteState | null, cardVotes?: Record<string, number>): Promise<void> {
    await this.#publish(boardId, (map, doc) => {
      if (cardVotes) setCardVotes(doc, cardVotes);
      map.set(FacilitationKey.dots, vote);
    });
  }

  /**
   * Changes the stored dot vote with a compare-and-set, retried while another instance writes it
   * at the same time (a dot placed there, the reveal at the end time): a reveal is never
   * overwritten by a vote still open. `change` answers the next state, or null to leave it.
   */
  async #changeDotVote(boardId: string, change: (vote: DotVoteState) => Promise<DotVoteState | null>): Promise<DotVoteState | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.#dotVote(boardId);
      if (!current) return null;
      const next = await change(structuredClone(current));
      if (!next) return null;
      if (await this.#data.compareAndSet(boardId, DataKey.dotVote, current, next)) return next;
    }
    throw new FacilitationError(409, 'the dot vote is changing too fast; try again');
  }

  async #allDots(boardId: string, voteId: string): Promise<Map<string, Dots>> {
    const prefix = DataKey.dots(voteId);
    const listed = await this.#data.list(boardId, prefix);
    return new Map([...listed].map(([key, dots]) => [key.slice(prefix.length), dots as Dots]));
  }

  /** Places or takes back one of the actor's dots; answers the actor's own dots (only theirs). */
  placeDot(boardId: string, actor: Actor, cardId: string, delta: 1 | -1): Promise<Dots> {
    return this.#serial(boardId, async () => {
      if (!hasRole(actor.role, 'editor')) throw new FacilitationError(403, 'viewers watch the vote; they do not vote');
      const vote = await this.#dotVote(boardId);
      if (!vote || vote.status !== 'open') throw new FacilitationError(409, 'no dot vote is open');
      if (vote.endsAt !== null && this.#now() >= vote.endsAt) throw new FacilitationError(409, 'this dot vote has ended');
      const key = DataKey.dots(vote.voteId) + actor.userId;
      const mine = ((await this.#data.get(boardId, key)) as Dots | null) ?? {};
      let next: Dots;
      try {
        next = placeDot(mine, vote, cardId, delta);
      } catch (error) {
        if (error instanceof DotError) throw new FacilitationError(400, error.message);
        throw error;
      }
      await this.#data.set(boardId, key, Object.keys(next).length > 0 ? { ...next } : null);
      const updated = await this.#changeDotVote(boardId, async (current) => {
        if (current.voteId !== vote.voteId || current.status !== 'open') return null;
        const all = await this.#allDots(boardId, current.voteId);
        const names = new Map(current.voters.map((v) => [v.userId, v.name]));
        names.set(actor.userId, actor.name);
        current.voters = [...all.keys()].map((userId) => ({ userId, name: names.get(userId) ?? 'someone' }));
        if (current.live) current.counts = tallyDots(current.cardIds, all.values());
        return current;
      });
      if (updated) await this.#publishDotVote(boardId, updated);
      return next;
    });
  }

  /** The actor's own dots in the open vote (after a reload). */
  async myDots(boardId: string, userId: string): Promise<Dots> {
    const vote = await this.#dotVote(boardId);
    if (!vote) return {};
    return ((await this.#data.get(boardId, DataKey.dots(vote.voteId) + userId)) as Dots | null) ?? {};
  }

  /** Shows the counts and writes them to the cards' `votes`. */
  revealDots(boardId: string, actor: Actor): Promise<DotVoteState> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      const vote = await this.#dotVote(boardId);
      if (!vote) throw new FacilitationError(409, 'no dot vote is open');
      return (await this.#revealDots(boardId, vote.voteId)) ?? ((await this.#dotVote(boardId)) as DotVoteState);
    });
  }

  /** Reveals the open vote `voteId` once: null when it is no longer open (revealed elsewhere, ended, replaced). */
  async #revealDots(boardId: string, voteId: string, atEndTime = false): Promise<DotVoteState | null> {
    const revealed = await this.#changeDotVote(boardId, async (vote) => {
      if (vote.voteId !== voteId || vote.status !== 'open') return null;
      if (atEndTime && (vote.endsAt === null || this.#now() < vote.endsAt)) return null;
      vote.status = 'revealed';
      vote.counts = tallyDots(vote.cardIds, (await this.#allDots(boardId, vote.voteId)).values());
      return vote;
    });
    if (revealed) await this.#publishDotVote(boardId, revealed, revealed.counts!);
    return revealed;
  }

  endDots(boardId: string, actor: Actor): Promise<void> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      const vote = await this.#dotVote(boardId);
      if (vote) await this.#dropDots(boardId, vote.voteId);
      await this.#data.set(boardId, DataKey.dotVote, null);
      await this.#publishDotVote(boardId, null);
      this.watchDotVote(boardId, null);
    });
  }

  async #dropDots(boardId: string, voteId: string): Promise<void> {
    for (const key of (await this.#data.list(boardId, DataKey.dots(voteId))).keys()) await this.#data.set(boardId, key, null);
  }

  /**
   * The automatic reveal at a dot vote's end time. Every instance that has the board in memory
   * watches the vote it sees (started here, loaded from storage, or published by another
   * instance) and, at the end time, tries the reveal; the compare-and-set on the stored vote lets
   * exactly one of them do it. A board loaded after its vote ended (a restart) is revealed then.
   */
  watchDotVote(boardId: string, vote: Pick<DotVoteState, 'voteId' | 'status' | 'endsAt'> | null): void {
    const watched = this.#deadlines.get(boardId);
    if (!vote || vote.status !== 'open' || vote.endsAt === null) {
      if (watched) clearTimeout(watched.timer);
      this.#deadlines.delete(boardId);
      return;
    }
    if (watched?.voteId === vote.voteId && watched.endsAt === vote.endsAt) return;
    if (watched) clearTimeout(watched.timer);
    const { voteId, endsAt } = vote;
    const arm = (delayMs: number) => {
      const timer = setTimeout(() => {
        if (this.#deadlines.get(boardId)?.timer !== timer) return;
        // Timers run on a monotonic clock and may fire a millisecond before the wall clock says
        // the end time has come: the reveal would then refuse as too early, and nobody retry.
        const left = endsAt - this.#now();
        if (left > 0) {
          arm(left);
          return;
        }
        this.#deadlines.delete(boardId);
        this.#serial(boardId, () => this.#revealDots(boardId, voteId, true)).catch((error: unknown) => this.#onError(error, boardId));
      }, delayMs);
      timer.unref?.();
      this.#deadlines.set(boardId, { voteId, endsAt, timer });
    };
    arm(Math.max(0, endsAt - this.#now()));
  }

  /** Reads the board's stored dot vote and watches its end time (a board just loaded). */
  async watchStoredDotVote(boardId: string): Promise<void> {
    this.watchDotVote(boardId, await this.#dotVote(boardId));
  }

  /** Stops watching a board's end times (the board left memory; it is checked again when loaded). */
  forgetBoard(boardId: string): void {
    this.watchDotVote(boardId, null);
  }

  close(): void {
    for (const { timer } of this.#deadlines.values()) clearTimeout(timer);
    this.#deadlines.clear();
  }

  // ---- attention ----

  /** Summon everyone once, start follow-me, or end it (`null`). */
  attention(boardId: string, actor: Actor, mode: AttentionMode | null): Promise<AttentionState | null> {
    return this.#serial(boardId, async () => {
      await this.#requireChair(boardId, actor);
      const attention: AttentionState | null = mode && { mode, id: randomUUID(), by: { userId: actor.userId, name: actor.name }, at: this.#now() };
      await this.#publish(boardId, (map) => map.set(FacilitationKey.attention, attention));
      return attention;
    });
  }
}
