import type * as Y from 'yjs';
import { getRecordsMap, type StoredRecord } from '../document.js';
import { STORY_CARD_TYPE, type Estimate, type StoryCardProps } from '../planning/story-card.js';

/** The story card with this shape id, or null when there is none (deleted, or not a card). */
export function findCard(doc: Y.Doc, cardId: string): (StoredRecord & { props: StoryCardProps }) | null {
  const record = getRecordsMap(doc).get(cardId);
  return record && record.typeName === 'shape' && record['type'] === STORY_CARD_TYPE ? (record as StoredRecord & { props: StoryCardProps }) : null;
}

function setCardProps(doc: Y.Doc, cardId: string, props: Partial<StoryCardProps>): boolean {
  const card = findCard(doc, cardId);
  if (!card) return false;
  getRecordsMap(doc).set(cardId, { ...card, props: { ...card.props, ...props } });
  return true;
}

/** The accepted poker result becomes the card's estimate (and so every total). False if the card is gone. */
export function setCardEstimate(doc: Y.Doc, cardId: string, estimate: Estimate): boolean {
  return setCardProps(doc, cardId, { estimate });
}

/** A revealed dot vote's counts become the cards' `votes`; answers the ids of the cards updated. */
export function setCardVotes(doc: Y.Doc, counts: Record<string, number>): string[] {
  return Object.entries(counts).filter(([cardId, votes]) => setCardProps(doc, cardId, { votes })).map(([cardId]) => cardId);
}
