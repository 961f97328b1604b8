import { ESTIMATES, isEstimate, type Estimate } from '../planning/story-card.js';

/** What a participant may answer instead of a value. */
export const PASS = 'pass';

export const DECK_KINDS = ['estimates', 'tshirt', 'custom'] as const;
export type DeckKind = (typeof DECK_KINDS)[number];

export interface Deck {
  kind: DeckKind;
  values: string[];
}

export const CUSTOM_DECK_LIMITS = { minValues: 2, maxValues: 20, valueLength: 12 } as const;

/** The card estimate scale, without "not estimated". */
export const ESTIMATE_DECK: Deck = { kind: 'estimates', values: ESTIMATES.filter((e) => e !== 'none') };

/** T-shirt sizes, each standing for an estimate on the card scale. */
const TSHIRT_POINTS: Record<string, Estimate> = { XS: '1', S: '2', M: '3', L: '5', XL: '8', XXL: '13', '?': '?' };
export const TSHIRT_DECK: Deck = { kind: 'tshirt', values: Object.keys(TSHIRT_POINTS) };

export class DeckError extends Error {}

/** The deck of a round: a named one, or a custom list checked against the limits. */
export function makeDeck(kind: DeckKind, customValues: readonly string[] = []): Deck {
  if (kind === 'estimates') return ESTIMATE_DECK;
  if (kind === 'tshirt') return TSHIRT_DECK;
  const values = customValues.map((v) => v.trim()).filter(Boolean);
  const { minValues, maxValues, valueLength } = CUSTOM_DECK_LIMITS;
  if (values.length < minValues || values.length > maxValues) throw new DeckError(`a custom deck needs ${minValues} to ${maxValues} values`);
  const long = values.find((v) => v.length > valueLength);
  if (long) throw new DeckError(`deck value "${long.slice(0, 20)}" is longer than ${valueLength} characters`);
  if (new Set(values).size !== values.length) throw new DeckError('deck values must be different');
  if (values.includes(PASS)) throw new DeckError(`"${PASS}" is always offered; it cannot be a deck value`);
  return { kind: 'custom', values };
}

/** Whether `value` is an answer this deck accepts (a value of it, or a pass). */
export function isDeckAnswer(deck: Deck, value: string): boolean {
  return value === PASS || deck.values.includes(value);
}

/** The card estimate a deck value stands for, or null when it has none (a custom word). */
export function estimateFor(deck: Deck, value: string): Estimate | null {
  if (deck.kind === 'tshirt') return TSHIRT_POINTS[value] ?? null;
  return isEstimate(value) && value !== 'none' ? value : null;
}
