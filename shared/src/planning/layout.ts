import { getIndicesAbove, type IndexKey } from '@tldraw/utils';
import type { StoredRecord } from '../document.js';
import { PAGE_ID } from './records.js';
import { STORY_CARD_SIZE, STORY_CARD_TYPE } from './story-card.js';
import { derivePlanning, type Box, type LaneView } from './structure.js';
import { recordProblem } from './validate-record.js';

/** Space between cards, and between cards and the lane's sides. */
const GAP = 20;
/** Room at the top of a lane for its name and total. */
const TOP = 44;
const CELL = { w: STORY_CARD_SIZE.w + GAP, h: STORY_CARD_SIZE.h + GAP };
/** A grid never gets wider than this many cards, however many are imported. */
const MAX_PER_ROW = 12;

export interface ImportedCardRequest {
  /** The lane the card goes into; null for the page of a board without lanes. */
  laneId: string | null;
  /** Cards of one group (epic) sit together, each group starting a new row. */
  group: string | null;
}

export interface ImportLayout {
  /** Where each card goes (same order as the request), relative to its parent. */
  positions: { parentId: string; x: number; y: number; index: string }[];
  /** Lanes that grow to hold their new cards. */
  resize: { id: string; w: number; h: number }[];
  /** Top-level shapes that move out of the way of a lane that grew (right of it, or below it). */
  move: { id: string; dx: number; dy: number }[];
}

interface Grid {
  perRow: number;
  /** Slot (column, row) of each card, in request order. */
  slots: { column: number; row: number }[];
  rows: number;
}

/** Lays out cards in rows of `perRow`, a new row at each change of group. */
function gridOf(groups: (string | null)[], perRow: number): Grid {
  const slots: Grid['slots'] = [];
  let column = 0;
  let row = 0;
  groups.forEach((group, i) => {
    if (i > 0 && (column >= perRow || (group !== groups[i - 1] && column > 0))) {
      column = 0;
      row++;
    }
    slots.push({ column, row });
    column++;
  });
  return { perRow, slots, rows: groups.length === 0 ? 0 : row + 1 };
}

/**
 * The grid for `groups` cards below `top` in a lane of `lane` size: as many cards per row as keep
 * the lane's proportions when it grows (a wide frame stays wide), never fewer than fit in it
 * today. A tall, narrow column is taken as at most 1.5 times as high as wide, so that many cards
 * make a block that fits a screen rather than a column that needs zooming out to a few percent.
 */
function fitGrid(groups: (string | null)[], lane: { w: number; h: number }, top: number): Grid {
  const fits = Math.max(1, Math.floor((lane.w - GAP) / CELL.w));
  const shape = { w: lane.w, h: Math.min(lane.h, lane.w * 1.5) };
  let best: { grid: Grid; scale: number } | null = null;
  for (let perRow = fits; perRow <= Math.max(fits, Math.min(MAX_PER_ROW, groups.length)); perRow++) {
    const grid = gridOf(groups, perRow);
    const w = GAP + perRow * CELL.w;
    const h = top + grid.rows * CELL.h;
    const scale = Math.max(w / shape.w, h / shape.h, 1);
    if (!best || scale < best.scale - 1e-9) best = { grid, scale };
  }
  return best!.grid;
}

/** Orders cards so that each group's cards are together, groups in order of first appearance. */
function groupOrder(requests: ImportedCardRequest[], members: number[]): number[] {
  const order = new Map<string | null, number[]>();
  for (const i of members) {
    const key = requests[i]!.group;
    const list = order.get(key);
    if (list) list.push(i);
    else order.set(key, [i]);
  }
  return [...order.values()].flat();
}

/**
 * Where imported cards go: in each target lane, a grid below the cards already there, shaped to
 * the lane (see `fitGrid`); the lane grows to hold it, and what stands to its right or below it
 * moves along, so nothing ends up overlapping. On a board without lanes, a grid to the right of
 * everything. Pure: the server applies the result in one transaction.
 */
export function layoutImportedCards(boardRecords: Iterable<StoredRecord | unknown>, requests: ImportedCardRequest[]): ImportLayout {
  // A record that cannot be read takes no room (and cannot break an import).
  const records = [...boardRecords].filter((record): record is StoredRecord => recordProblem(record) === null);
  const model = derivePlanning(records);
  const lanesById = new Map<string, LaneView>(model.lanes.map((lane) => [lane.id, lane]));
  const positions: ImportLayout['positions'] = new Array(requests.length);
  const resize: ImportLayout['resize'] = [];
  const grown: { before: Box; dw: number; dh: number }[] = [];

  const byLane = new Map<string | null, number[]>();
  requests.forEach((request, i) => {
    const key = request.laneId !== null && lanesById.has(request.laneId) ? request.laneId : null;
    const list = byLane.get(key);
    if (list) list.push(i);
    else byLane.set(key, [i]);
  });

  for (const [laneId, members] of byLane) {
    const order = groupOrder(requests, members);
    const groups = order.map((i) => requests[i]!.group);
    const lane = laneId ? lanesById.get(laneId)! : null;
    const parentId = lane?.id ?? PAGE_ID;

    let area: Box;
    let top: number;
    if (lane) {
      area = lane.box;
      const bottoms = model.cards.filter((card) => card.laneId === lane.id).map((card) => card.center.y + STORY_CARD_SIZE.h / 2 - lane.box.y);
      top = bottoms.length > 0 ? Math.max(TOP, Math.max(...bottoms) + GAP) : TOP;
    } else {
      area = pageArea(records);
      top = 0;
    }
    const grid = lane
      ? fitGrid(groups, area, top)
      : gridOf(groups, Math.min(MAX_PER_ROW, Math.max(1, Math.ceil(Math.sqrt(groups.length * 1.5)))));

    const siblings = records.filter((r) => r.typeName === 'shape' && r['parentId'] === parentId).map((r) => String(r['index']) as IndexKey);
    const highest = siblings.length > 0 ? siblings.reduce((a, b) => (a > b ? a : b)) : null;
    const indices = getIndicesAbove(highest, order.length);
    order.forEach((requestIndex, k) => {
      const slot = grid.slots[k]!;
      const x = GAP + slot.column * CELL.w;
      const y = top + slot.row * CELL.h;
      positions[requestIndex] = { parentId, x: lane ? x : area.x + x, y: lane ? y : area.y + y, index: indices[k]! };
    });

    if (lane) {
      const usedColumns = Math.min(grid.perRow, Math.max(...grid.slots.map((s) => s.column + 1)));
      const w = Math.max(lane.box.w, GAP + usedColumns * CELL.w);
      const h = Math.max(lane.box.h, top + grid.rows * CELL.h);
      if (w !== lane.box.w || h !== lane.box.h) {
        resize.push({ id: lane.id, w, h });
        grown.push({ before: lane.box, dw: w - lane.box.w, dh: h - lane.box.h });
      }
    }
  }

  return { positions, resize, move: movesAround(records, grown) };
}

/** The area right of everything on the page, for a board without lanes. */
function pageArea(records: StoredRecord[]): Box {
  let right = -Infinity;
  let top = Infinity;
  for (const record of records) {
    if (record.typeName !== 'shape' || record['parentId'] !== PAGE_ID) continue;
    const x = Number(record['x']);
    const props = record['props'] as { w?: number } | undefined;
    right = Math.max(right, x + Number(props?.w ?? (record['type'] === STORY_CARD_TYPE ? STORY_CARD_SIZE.w : 200)));
    top = Math.min(top, Number(record['y']));
  }
  return Number.isFinite(right) ? { x: right + 80, y: top, w: Infinity, h: Infinity } : { x: 0, y: 0, w: Infinity, h: Infinity };
}

/**
 * Top-level shapes that stood right of a lane that grew wider (in its rows) move right by the
 * growth, and those below one that grew taller (in its columns) move down; growths add up.
 */
function movesAround(records: StoredRecord[], grown: { before: Box; dw: number; dh: number }[]): ImportLayout['move'] {
  if (grown.length === 0) return [];
  const moves: ImportLayout['move'] = [];
  for (const record of records) {
    if (record.typeName !== 'shape' || record['parentId'] !== PAGE_ID) continue;
    const box = topLevelBox(record);
    let dx = 0;
    let dy = 0;
    for (const { before, dw, dh } of grown) {
      const sameRows = box.y < before.y + before.h && before.y < box.y + box.h;
      const sameColumns = box.x < before.x + before.w && before.x < box.x + box.w;
      if (dw > 0 && sameRows && box.x >= before.x + before.w - 1) dx += dw;
      if (dh > 0 && sameColumns && box.y >= before.y + before.h - 1) dy += dh;
    }
    if (dx !== 0 || dy !== 0) moves.push({ id: record.id, dx, dy });
  }
  return moves;
}

/** The box of a shape on the page (frames and geo shapes carry w/h; notes and cards have their own size). */
function topLevelBox(record: StoredRecord): Box {
  const props = (record['props'] ?? {}) as { w?: unknown; h?: unknown };
  const fallback = record['type'] === STORY_CARD_TYPE ? STORY_CARD_SIZE : { w: 200, h: 200 };
  return {
    x: Number(record['x']),
    y: Number(record['y']),
    w: typeof props.w === 'number' ? props.w : fallback.w,
    h: typeof props.h === 'number' ? props.h : fallback.h,
  };
}
