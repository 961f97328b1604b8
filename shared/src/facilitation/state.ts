import type * as Y from 'yjs';
import type { Deck } from './decks.js';
import type { PokerResult } from './poker.js';
import type { TimerState } from './timer.js';

/**
 * The public side of facilitation, kept in the board document under `Y.Map('facilitation')`.
 * Only the server writes this map (through the relay's server origin); peers' updates that touch
 * it are refused. What must stay secret (poker votes before the reveal, who placed which dot)
 * never enters the document: the server keeps it in the board's server-side key/value storage.
 *
 * Every key holds one plain JSON value, replaced whole when it changes.
 */
export const FACILITATION_MAP = 'facilitation';

export const FacilitationKey = {
  chair: 'chair',
  settings: 'settings',
  timer: 'timer',
  poker: 'poker',
  dots: 'dots',
  attention: 'attention',
  /**
   * One key per participant who voted in a round (`pokerVoted + roundId + ':' + userId`), never
   * with the value: instances recording votes at the same time write different keys, so no one
   * drops out of the list.
   */
  pokerVoted: 'poker-voted:',
} as const;

export const pokerVotedKey = (roundId: string, userId: string) => `${FacilitationKey.pokerVoted}${roundId}:${userId}`;

/** A participant as the facilitation features name them: the presence user id and name. */
export interface Participant {
  userId: string;
  name: string;
}

export interface FacilitationSettings {
  /** Anyone with an editor or owner link may start, pause and stop the timer, not only the chair. */
  anyoneControlsTimer: boolean;
}

export type PokerStatus = 'voting' | 'revealed' | 'accepted';

/** A poker round as everyone sees it: who has voted, never what, until the reveal. */
export interface PokerRoundState {
  roundId: string;
  cardId: string;
  cardTitle: string;
  deck: Deck;
  autoReveal: boolean;
  status: PokerStatus;
  /** Who has voted (or passed), in the order they did. Never the value. Read from the `pokerVoted` keys. */
  voted: Participant[];
  /** Who said "I don't vote" for this round. */
  spectators: Participant[];
  /** The distribution, after the reveal. */
  result: PokerResult | null;
  /** The estimate the facilitator accepted. */
  accepted: string | null;
}

/** A dot vote as everyone sees it. Counts appear only after the reveal, or live when chosen. */
export interface DotVoteState {
  voteId: string;
  cardIds: string[];
  /** Dots each participant may place. */
  dotsPerPerson: number;
  /** Dots one participant may place on one card. */
  maxPerCard: number;
  live: boolean;
  /** Epoch ms after which no dot is taken, or null. */
  endsAt: number | null;
  status: 'open' | 'revealed';
  /** Who has placed at least one dot (never where). */
  voters: Participant[];
  /** Card id → dots, when revealed or live. */
  counts: Record<string, number> | null;
}

export type AttentionMode = 'summon' | 'follow';

/** The facilitator asks everyone to come to their view (once), or to follow them. */
export interface AttentionState {
  mode: AttentionMode;
  /** New for every request, so that each participant answers a summon once. */
  id: string;
  by: Participant;
  /** Server time (epoch ms) of the request. */
  at: number;
}

export interface FacilitationState {
  chair: Participant | null;
  settings: FacilitationSettings;
  timer: TimerState | null;
  poker: PokerRoundState | null;
  dots: DotVoteState | null;
  attention: AttentionState | null;
}

export const DEFAULT_FACILITATION_SETTINGS: FacilitationSettings = { anyoneControlsTimer: false };

export function getFacilitationMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(FACILITATION_MAP);
}

/** The public facilitation state of a board document. */
export function readFacilitation(doc: Y.Doc): FacilitationState {
  const map = getFacilitationMap(doc);
  const get = <T>(key: string): T | null => (map.get(key) as T | undefined) ?? null;
  return {
    chair: get<Participant>(FacilitationKey.chair),
    settings: { ...DEFAULT_FACILITATION_SETTINGS, ...get<Partial<FacilitationSettings>>(FacilitationKey.settings) },
    timer: get<TimerState>(FacilitationKey.timer),
    poker: readRound(map, get<PokerRoundState>(FacilitationKey.poker)),
    dots: get<DotVoteState>(FacilitationKey.dots),
    attention: get<AttentionState>(FacilitationKey.attention),
  };
}

/** The state of a board on which nobody has facilitated yet. */
export const NO_FACILITATION: FacilitationState = {
  chair: null,
  settings: DEFAULT_FACILITATION_SETTINGS,
  timer: null,
  poker: null,
  dots: null,
  attention: null,
};

function readRound(map: Y.Map<unknown>, round: PokerRoundState | null): PokerRoundState | null {
  if (!round) return null;
  const prefix = `${FacilitationKey.pokerVoted}${round.roundId}:`;
  const voted: (Participant & { at: number })[] = [];
  for (const [key, value] of map.entries()) if (key.startsWith(prefix)) voted.push(value as Participant & { at: number });
  voted.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
  return { ...round, voted: voted.map(({ userId, name }) => ({ userId, name })) };
}
