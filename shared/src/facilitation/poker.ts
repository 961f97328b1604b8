import { PASS, type Deck } from './decks.js';

export interface PokerResult {
  /** Each value voted, with how many chose it, in deck order. Who chose what is not kept. */
  distribution: { value: string; count: number }[];
  passes: number;
  /** The value everyone who did not pass chose, or null. */
  consensus: string | null;
  /** Without consensus: the lowest and highest values voted (the ones to talk about). */
  outliers: string[];
  /** The most chosen value (ties: the higher one), a starting point for the estimate. */
  suggestion: string | null;
}

/** Summarises a round's answers for the reveal. */
export function summarizeVotes(deck: Deck, answers: readonly string[]): PokerResult {
  const counts = new Map<string, number>();
  let passes = 0;
  for (const answer of answers) {
    if (answer === PASS) passes++;
    else counts.set(answer, (counts.get(answer) ?? 0) + 1);
  }
  const order = (value: string) => {
    const index = deck.values.indexOf(value);
    return index === -1 ? deck.values.length : index;
  };
  const distribution = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => order(a.value) - order(b.value));
  const consensus = distribution.length === 1 ? distribution[0]!.value : null;
  // "?" is not a size: it is a question to discuss, never the low or high end.
  const sized = distribution.filter((d) => d.value !== '?');
  const outliers = consensus === null && sized.length > 1 ? [sized[0]!.value, sized.at(-1)!.value] : [];
  let suggestion: string | null = null;
  let best = 0;
  for (const { value, count } of distribution) {
    if (count >= best) {
      best = count;
      suggestion = value;
    }
  }
  return { distribution, passes, consensus, outliers, suggestion };
}
