import type * as Y from 'yjs';
import { getRecordsMap } from '../document.js';
import { placeNewCards } from '../planning/layout.js';
import { PAGE_ID, storyCardRecord } from '../planning/records.js';
import type { StoryCardProps } from '../planning/story-card.js';
import { ensureDocument } from './board-meta.js';

export interface PlacedCards {
  /** The new cards' ids, in the order given. */
  cardIds: string[];
  /** The lane they were placed in (null: beside the board's content). */
  lane: string | null;
}

/**
 * Places imported cards on a board: into its backlog lane (grown to fit) when it has one,
 * otherwise in a grid beside its content. Run it in one transaction, so every peer sees the
 * whole import arrive at once and it is stored as one update.
 */
export function importCards(doc: Y.Doc, cards: Partial<StoryCardProps>[]): PlacedCards {
  const records = getRecordsMap(doc);
  const placement = placeNewCards([...records.values()], cards.length);
  ensureDocument(doc, { page: placement.parentId === PAGE_ID });
  const cardIds = cards.map((props, i) => {
    const record = storyCardRecord({ ...placement.positions[i]!, parentId: placement.parentId }, props);
    records.set(record.id, record);
    return record.id;
  });
  const lane = placement.laneHeight !== null ? records.get(placement.parentId) : undefined;
  if (lane) {
    const props = lane['props'] as Record<string, unknown>;
    records.set(lane.id, { ...lane, props: { ...props, h: placement.laneHeight } });
  }
  return { cardIds, lane: placement.laneName };
}
