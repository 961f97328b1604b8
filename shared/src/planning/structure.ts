import type { StoredRecord } from '../document.js';
import { STORY_CARD_SIZE, STORY_CARD_TYPE, estimatePoints, type StoryCardProps } from './story-card.js';
import { recordProblem } from './validate-record.js';

/**
 * Planning structure on a board. Template shapes carry what they mean in their tldraw `meta`,
 * under `meta.planboard`:
 *
 * - lanes are frames: `{ kind: 'column' }` (a backlog or roadmap column, a retro column),
 *   `{ kind: 'release' }` (a story-map slice), `{ kind: 'sprint', capacity }` (a sprint frame),
 *   `{ kind: 'backlog' }` (where new and imported cards go);
 * - axis headers are notes: `{ kind: 'activity' }` heads a story-map column that runs from its
 *   left edge to the next activity's left edge; `{ kind: 'theme' }` heads a roadmap row that runs
 *   from its top edge to the next theme's top edge; `{ kind: 'step' }` sits under an activity
 *   and only structures the backbone.
 *
 * A card belongs to the innermost lane that contains its centre, and to the activity column and
 * theme row its centre falls in. Everything below is derived from the records, never stored.
 */
export const PLANNING_META_KEY = 'planboard';

export const LANE_KINDS = ['column', 'release', 'sprint', 'backlog'] as const;
export type LaneKind = (typeof LANE_KINDS)[number];
export type HeaderKind = 'activity' | 'step' | 'theme';

export type PlanningMeta =
  | { kind: 'column' | 'release' | 'backlog' }
  | { kind: 'sprint'; capacity: number }
  | { kind: HeaderKind };

export const MAX_CAPACITY = 10_000;

export function readPlanningMeta(record: StoredRecord): PlanningMeta | null {
  const meta = record['meta'] as Record<string, unknown> | undefined;
  const value = meta?.[PLANNING_META_KEY] as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object') return null;
  switch (value['kind']) {
    case 'column':
    case 'release':
    case 'backlog':
    case 'activity':
    case 'step':
    case 'theme':
      return { kind: value['kind'] };
    case 'sprint': {
      const capacity = Number(value['capacity']);
      return { kind: 'sprint', capacity: Number.isFinite(capacity) && capacity >= 0 ? capacity : 0 };
    }
    default:
      return null;
  }
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface CardView {
  id: string;
  props: StoryCardProps;
  /** Page-space centre, the point that decides membership. */
  center: { x: number; y: number };
  laneId: string | null;
  activityId: string | null;
  themeId: string | null;
  /** Tldraw fractional index, for a stable default order. */
  index: string;
}

export interface LaneView {
  id: string;
  kind: LaneKind;
  name: string;
  /** Page-space bounds. */
  box: Box;
  capacity: number | null;
}

export interface HeaderView {
  id: string;
  kind: HeaderKind;
  name: string;
  box: Box;
}

export interface Total {
  count: number;
  points: number;
  /** Cards with `?` or no estimate: the total is a lower bound while any exist. */
  unestimated: number;
  done: number;
}

export interface LaneTotal extends Total {
  capacity: number | null;
  /** Only for sprint frames: points above capacity. */
  overCapacity: boolean;
}

/** A record the derivation left out, and why: one bad record never fails a whole board. */
export interface InvalidRecord {
  id: string;
  reason: string;
}

export interface PlanningModel {
  cards: CardView[];
  lanes: LaneView[];
  headers: HeaderView[];
  laneTotals: Map<string, LaneTotal>;
  activityTotals: Map<string, Total>;
  themeTotals: Map<string, Total>;
  /** Cards in no lane. */
  unplaced: Total;
  /** Records that could not be read (a card with broken props, a lane without a size...), left out of everything above. */
  invalid: InvalidRecord[];
}

interface ShapeLike extends StoredRecord {
  type: string;
  x: number;
  y: number;
  rotation: number;
  parentId: string;
  index: string;
  props: Record<string, unknown>;
}

const isShape = (record: StoredRecord): record is ShapeLike => record.typeName === 'shape';

/** Tldraw notes are 200 × 200 at scale 1, growing downwards with their text. */
const NOTE_SIZE = 200;

function shapeSize(shape: ShapeLike): { w: number; h: number } {
  if (shape.type === STORY_CARD_TYPE) return STORY_CARD_SIZE;
  const props = shape.props;
  if (shape.type === 'note') {
    const scale = Number(props['scale'] ?? 1);
    return { w: NOTE_SIZE * scale, h: (NOTE_SIZE + Number(props['growY'] ?? 0)) * scale };
  }
  return { w: Number(props['w'] ?? 0), h: Number(props['h'] ?? 0) };
}

function plainText(richText: unknown, depth = 0): string {
  if (!richText || typeof richText !== 'object' || depth > 32) return '';
  const node = richText as { text?: unknown; content?: unknown };
  if (typeof node.text === 'string') return node.text;
  if (!Array.isArray(node.content)) return '';
  const children: unknown[] = node.content;
  return children
    .map((child) => plainText(child, depth + 1))
    .join(children.every((child) => (child as { type?: string } | null)?.type === 'paragraph') ? '\n' : '');
}

/** Page-space transform of shapes, through their parents (frames, groups). */
class PageTransforms {
  readonly #cache = new Map<string, { x: number; y: number; rotation: number }>();
  constructor(private readonly shapes: Map<string, ShapeLike>) {}

  of(shape: ShapeLike, depth = 0): { x: number; y: number; rotation: number } {
    const cached = this.#cache.get(shape.id);
    if (cached) return cached;
    const parent = this.shapes.get(shape.parentId);
    let result = { x: shape.x, y: shape.y, rotation: shape.rotation };
    if (parent && depth < 32) {
      const p = this.of(parent, depth + 1);
      const cos = Math.cos(p.rotation);
      const sin = Math.sin(p.rotation);
      result = { x: p.x + shape.x * cos - shape.y * sin, y: p.y + shape.x * sin + shape.y * cos, rotation: p.rotation + shape.rotation };
    }
    this.#cache.set(shape.id, result);
    return result;
  }

  /** The page a shape is on: the first ancestor that is not a shape. */
  pageOf(shape: ShapeLike): string {
    let current = shape;
    for (let depth = 0; depth < 32; depth++) {
      const parent = this.shapes.get(current.parentId);
      if (!parent) return current.parentId;
      current = parent;
    }
    return current.parentId;
  }

  center(shape: ShapeLike): { x: number; y: number } {
    const t = this.of(shape);
    const { w, h } = shapeSize(shape);
    const cos = Math.cos(t.rotation);
    const sin = Math.sin(t.rotation);
    return { x: t.x + (w / 2) * cos - (h / 2) * sin, y: t.y + (w / 2) * sin + (h / 2) * cos };
  }

  box(shape: ShapeLike): Box {
    const t = this.of(shape);
    return { x: t.x, y: t.y, ...shapeSize(shape) };
  }
}

const contains = (box: Box, point: { x: number; y: number }) =>
  point.x >= box.x && point.x <= box.x + box.w && point.y >= box.y && point.y <= box.y + box.h;

const emptyTotal = (): Total => ({ count: 0, points: 0, unestimated: 0, done: 0 });

function add(total: Total, card: StoryCardProps): void {
  total.count += 1;
  total.points += estimatePoints(card.estimate);
  if (card.estimate === 'none' || card.estimate === '?') total.unestimated += 1;
  if (card.status === 'done') total.done += 1;
}

/** The header whose band (from its edge to the next header's edge) contains `value`, if any. */
function bandOf(headers: HeaderView[], axis: 'x' | 'y', value: number): string | null {
  let found: HeaderView | null = null;
  for (const header of headers) {
    if (header.box[axis] <= value) found = header;
    else break;
  }
  return found?.id ?? null;
}

/** Tldraw's order (fractional index), ties broken by id: a stable default order for cards. */
const byIndex = (a: CardView, b: CardView) => (a.index < b.index ? -1 : a.index > b.index ? 1 : a.id < b.id ? -1 : 1);

/** Planning of one page: its cards only ever belong to lanes and headers of the same page. */
function derivePage(pageShapes: ShapeLike[], transforms: PageTransforms): PlanningModel {
  const lanes: LaneView[] = [];
  const headers: HeaderView[] = [];
  const cardShapes: ShapeLike[] = [];
  for (const shape of pageShapes) {
    if (shape.type === STORY_CARD_TYPE) {
      cardShapes.push(shape);
      continue;
    }
    const meta = readPlanningMeta(shape);
    if (!meta) continue;
    if (meta.kind === 'activity' || meta.kind === 'step' || meta.kind === 'theme') {
      headers.push({ id: shape.id, kind: meta.kind, name: plainText(shape.props['richText']).trim(), box: transforms.box(shape) });
    } else if (shape.type === 'frame') {
      lanes.push({
        id: shape.id,
        kind: meta.kind,
        name: String(shape.props['name'] ?? ''),
        box: transforms.box(shape),
        capacity: meta.kind === 'sprint' ? meta.capacity : null,
      });
    }
  }
  // Innermost first, so a card in a lane nested in another counts for the inner one.
  const lanesBySize = [...lanes].sort((a, b) => a.box.w * a.box.h - b.box.w * b.box.h);
  const activities = headers.filter((h) => h.kind === 'activity').sort((a, b) => a.box.x - b.box.x);
  const themes = headers.filter((h) => h.kind === 'theme').sort((a, b) => a.box.y - b.box.y);
  // Activity columns run down over the release lanes; theme rows run across the columns.
  const releases = lanes.filter((l) => l.kind === 'release');
  const activitySpan = activities.length === 0 ? null : {
    from: Math.min(...activities.map((a) => a.box.y)),
    to: releases.reduce((bottom, lane) => Math.max(bottom, lane.box.y + lane.box.h), Math.max(...activities.map((a) => a.box.y + a.box.h))),
  };
  const columnsRight = lanes.reduce((right, lane) => Math.max(right, lane.box.x + lane.box.w), -Infinity);
  const themeSpan = themes.length === 0 ? null : { from: themes[0]!.box.x, to: Math.max(columnsRight, ...themes.map((t) => t.box.x + t.box.w)) };

  const laneTotals = new Map<string, LaneTotal>(lanes.map((lane) => [lane.id, { ...emptyTotal(), capacity: lane.capacity, overCapacity: false }]));
  const activityTotals = new Map<string, Total>(activities.map((a) => [a.id, emptyTotal()]));
  const themeTotals = new Map<string, Total>(themes.map((t) => [t.id, emptyTotal()]));
  const unplaced = emptyTotal();

  const cards: CardView[] = cardShapes.map((shape) => {
    const props = shape.props as unknown as StoryCardProps;
    const center = transforms.center(shape);
    const lane = lanesBySize.find((candidate) => contains(candidate.box, center)) ?? null;
    const activityId = activitySpan && center.y >= activitySpan.from && center.y <= activitySpan.to ? bandOf(activities, 'x', center.x) : null;
    const themeId = themeSpan && center.x >= themeSpan.from && center.x <= themeSpan.to ? bandOf(themes, 'y', center.y) : null;
    if (lane) add(laneTotals.get(lane.id)!, props);
    else add(unplaced, props);
    if (activityId) add(activityTotals.get(activityId)!, props);
    if (themeId) add(themeTotals.get(themeId)!, props);
    return { id: shape.id, props, center, laneId: lane?.id ?? null, activityId, themeId, index: shape.index };
  });
  for (const total of laneTotals.values()) total.overCapacity = total.capacity !== null && total.points > total.capacity;
  cards.sort(byIndex);
  return { cards, lanes, headers, laneTotals, activityTotals, themeTotals, unplaced, invalid: [] };
}

/**
 * A record's verdict, computed once per record object: a board's records are immutable values
 * (a change replaces the record in the Y.Map), and checking every record on every recompute
 * would cost the web app most of a frame on a board of thousands of cards.
 */
const verdicts = new WeakMap<object, string | null>();

function problemOf(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return recordProblem(record);
  let verdict = verdicts.get(record);
  if (verdict === undefined) {
    verdict = recordProblem(record);
    verdicts.set(record, verdict);
  }
  return verdict;
}

/**
 * Derives cards, lanes, membership and totals from a board's records, page by page. Pure and
 * O(cards × lanes). Takes whatever the document holds: a record that fails `recordProblem` is
 * left out and listed in `invalid`, and the rest of the board is derived as if it were absent.
 */
export function derivePlanning(records: Iterable<StoredRecord | unknown>): PlanningModel {
  const shapes = new Map<string, ShapeLike>();
  const invalid: InvalidRecord[] = [];
  for (const record of records) {
    const problem = problemOf(record);
    if (problem) {
      const id = (record as { id?: unknown } | null)?.id;
      invalid.push({ id: typeof id === 'string' ? id : '(no id)', reason: problem });
    } else if (isShape(record as StoredRecord)) {
      shapes.set((record as ShapeLike).id, record as ShapeLike);
    }
  }
  const transforms = new PageTransforms(shapes);
  const pages = new Map<string, ShapeLike[]>();
  for (const shape of shapes.values()) {
    const page = transforms.pageOf(shape);
    const list = pages.get(page);
    if (list) list.push(shape);
    else pages.set(page, [shape]);
  }
  const perPage = [...pages.values()].map((pageShapes) => derivePage(pageShapes, transforms));
  if (perPage.length <= 1) return { ...(perPage[0] ?? derivePage([], transforms)), invalid };
  const model: PlanningModel = {
    cards: perPage.flatMap((m) => m.cards),
    lanes: perPage.flatMap((m) => m.lanes),
    headers: perPage.flatMap((m) => m.headers),
    laneTotals: new Map(perPage.flatMap((m) => [...m.laneTotals])),
    activityTotals: new Map(perPage.flatMap((m) => [...m.activityTotals])),
    themeTotals: new Map(perPage.flatMap((m) => [...m.themeTotals])),
    unplaced: perPage.reduce((sum, m) => ({
      count: sum.count + m.unplaced.count, points: sum.points + m.unplaced.points,
      unestimated: sum.unestimated + m.unplaced.unestimated, done: sum.done + m.unplaced.done,
    }), emptyTotal()),
    invalid,
  };
  model.cards.sort(byIndex);
  return model;
}

/**
 * "12 cards · 34 pts", "34 / 40 pts · 12 cards" for a sprint. Cards with no estimate or `?` count
 * no points, and the total says so in words: "2 cards · 8 pts + 1 unestimated".
 */
export function formatTotal(total: Total | LaneTotal): string {
  const unestimated = total.unestimated > 0 ? ` + ${total.unestimated} unestimated` : '';
  const capacity = 'capacity' in total ? total.capacity : null;
  const cards = `${total.count} ${total.count === 1 ? 'card' : 'cards'}`;
  return capacity !== null ? `${total.points} / ${capacity} pts${unestimated} · ${cards}` : `${cards} · ${total.points} pts${unestimated}`;
}
