import type * as Y from 'yjs';
import { getRecordsMap } from '../document.js';
import { layoutImportedCards } from '../planning/layout.js';
import { storyCardRecord } from '../planning/records.js';
import { derivePlanning } from '../planning/structure.js';
import { planImport, type CsvAnalysis } from '../planning/csv-preview.js';
import { ensureDocument } from './board-meta.js';

export interface PlacedCards {
  /** The new cards' ids, in the order of the file. */
  cardIds: string[];
  /** The lane most of them went to (null: the page of a board without lanes). */
  lane: string | null;
  /** How many went to each lane. */
  placed: { lane: string | null; count: number }[];
}

/**
 * Places imported cards on a board: each into its Jira sprint's frame when the board has one,
 * else into the backlog lane; lanes grow to hold them and what is beside a grown lane moves out
 * of its way. Run it in one transaction, so every peer sees the whole import arrive at once and
 * it is stored as one update.
 */
export function importCards(doc: Y.Doc, analysis: Pick<CsvAnalysis, 'cards' | 'skipped' | 'warnings' | 'columns'>): PlacedCards {
  const records = getRecordsMap(doc);
  const existing = [...records.values()];
  const plan = planImport(analysis as CsvAnalysis, derivePlanning(existing).lanes);
  const layout = layoutImportedCards(existing, analysis.cards.map((card, i) => ({ laneId: plan.laneIds[i]!, group: card.group })));
  ensureDocument(doc, { page: true });
  for (const { id, w, h } of layout.resize) {
    const lane = records.get(id)!;
    records.set(id, { ...lane, props: { ...(lane['props'] as Record<string, unknown>), w, h } });
  }
  for (const { id, dx, dy } of layout.move) {
    const shape = records.get(id)!;
    records.set(id, { ...shape, x: Number(shape['x']) + dx, y: Number(shape['y']) + dy });
  }
  const cardIds = analysis.cards.map((card, i) => {
    const record = storyCardRecord(layout.positions[i]!, card.props);
    records.set(record.id, record);
    return record.id;
  });
  const placed = plan.destinations.map((d) => ({ lane: d.name, count: d.count }));
  const main = [...plan.destinations].sort((a, b) => b.count - a.count)[0];
  return { cardIds, lane: main?.name ?? null, placed };
}
