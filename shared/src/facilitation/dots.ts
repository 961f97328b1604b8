/** One participant's dots in a dot vote: card id → dots placed on it. */
export type Dots = Record<string, number>;

export interface DotRules {
  cardIds: readonly string[];
  dotsPerPerson: number;
  maxPerCard: number;
}

export const DOT_LIMITS = { maxDotsPerPerson: 50, maxCards: 500 } as const;

export class DotError extends Error {}

export function dotsUsed(dots: Dots): number {
  return Object.values(dots).reduce((sum, n) => sum + n, 0);
}

/** Places (+1) or takes back (-1) one dot; refuses what the rules do not allow. */
export function placeDot(dots: Dots, rules: DotRules, cardId: string, delta: 1 | -1): Dots {
  if (!rules.cardIds.includes(cardId)) throw new DotError('this card is not part of the vote');
  const current = dots[cardId] ?? 0;
  if (delta === -1) {
    if (current === 0) throw new DotError('you have no dot on this card');
  } else {
    if (dotsUsed(dots) >= rules.dotsPerPerson) throw new DotError(`you have placed all your ${rules.dotsPerPerson} dots; take one back first`);
    if (current >= rules.maxPerCard) throw new DotError(rules.maxPerCard === 1 ? 'one dot per card' : `at most ${rules.maxPerCard} dots per card`);
  }
  const next = { ...dots, [cardId]: current + delta };
  if (next[cardId] === 0) delete next[cardId];
  return next;
}

/** Adds everyone's dots into one count per card (every card of the vote, zero included). */
export function tallyDots(cardIds: readonly string[], everyone: Iterable<Dots>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(cardIds.map((id) => [id, 0]));
  for (const dots of everyone) {
    for (const [cardId, n] of Object.entries(dots)) if (cardId in counts) counts[cardId]! += n;
  }
  return counts;
}
