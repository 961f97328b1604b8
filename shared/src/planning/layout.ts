import { getIndicesAbove, type IndexKey } from '@tldraw/utils';
import type { StoredRecord } from '../document.js';
import { PAGE_ID } from './records.js';
import { STORY_CARD_SIZE, STORY_CARD_TYPE } from './story-card.js';
import { derivePlanning, type Box } from './structure.js';
import { recordProblem } from './validate-record.js';

const GAP = 20;

export interface CardPlacement {
  /** The lane frame the cards go into, or the page when the board has no lane. */
  parentId: string;
  laneName: string | null;
  /** Positions relative to the parent, in reading order. */
  positions: { x: number; y: number; index: string }[];
  /** New height for the lane when the cards do not fit in it. */
  laneHeight: number | null;
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Where `count` new cards go without overlapping anything already there: the free slots of a
 * grid in the board's backlog lane (the first lane when there is none marked backlog), growing
 * the lane downwards as needed; on a board without lanes, a grid to the right of everything.
 */
export function placeNewCards(boardRecords: Iterable<StoredRecord | unknown>, count: number): CardPlacement {
  // A record that cannot be read takes no room (and cannot break an import).
  const records = [...boardRecords].filter((record): record is StoredRecord => recordProblem(record) === null);
  const model = derivePlanning(records);
  const lane = model.lanes.find((l) => l.kind === 'backlog') ?? model.lanes.find((l) => l.kind !== 'sprint') ?? model.lanes[0] ?? null;
  const cardBoxes: Box[] = model.cards.map((card) => ({ x: card.center.x - STORY_CARD_SIZE.w / 2, y: card.center.y - STORY_CARD_SIZE.h / 2, ...STORY_CARD_SIZE }));
  const parentId = lane?.id ?? PAGE_ID;

  let area: Box;
  if (lane) {
    area = lane.box;
  } else {
    let right = -Infinity;
    let top = Infinity;
    for (const record of records) {
      if (record.typeName !== 'shape' || record['parentId'] !== PAGE_ID) continue;
      const x = Number(record['x']);
      const props = record['props'] as { w?: number } | undefined;
      right = Math.max(right, x + Number(props?.w ?? (record['type'] === STORY_CARD_TYPE ? STORY_CARD_SIZE.w : 200)));
      top = Math.min(top, Number(record['y']));
    }
    area = Number.isFinite(right) ? { x: right + 80, y: top, w: 4 * (STORY_CARD_SIZE.w + GAP) + GAP, h: Infinity } : { x: 0, y: 0, w: 4 * (STORY_CARD_SIZE.w + GAP) + GAP, h: Infinity };
  }

  const perRow = Math.max(1, Math.floor((area.w - GAP) / (STORY_CARD_SIZE.w + GAP)));
  const positions: CardPlacement['positions'] = [];
  let bottom = 0;
  for (let slot = 0; positions.length < count; slot++) {
    const box: Box = {
      x: area.x + GAP + (slot % perRow) * (STORY_CARD_SIZE.w + GAP),
      y: area.y + GAP + Math.floor(slot / perRow) * (STORY_CARD_SIZE.h + GAP),
      ...STORY_CARD_SIZE,
    };
    if (cardBoxes.some((other) => overlaps(box, other))) continue;
    positions.push({ x: lane ? box.x - area.x : box.x, y: lane ? box.y - area.y : box.y, index: '' });
    bottom = Math.max(bottom, box.y + box.h + GAP - area.y);
  }

  const siblings = records.filter((r) => r.typeName === 'shape' && r['parentId'] === parentId).map((r) => String(r['index']) as IndexKey);
  const top = siblings.length > 0 ? siblings.reduce((a, b) => (a > b ? a : b)) : null;
  getIndicesAbove(top, positions.length).forEach((index, i) => (positions[i]!.index = index));

  return { parentId, laneName: lane?.name ?? null, positions, laneHeight: lane && bottom > lane.box.h ? bottom : null };
}
