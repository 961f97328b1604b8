import { frameShapeProps, noteShapeProps } from '@tldraw/tlschema';
import { T } from '@tldraw/validate';
import { MAX_CAPACITY, PLANNING_META_KEY } from './structure.js';
import { STORY_CARD_TYPE } from './story-card.js';
import { storyCardPropsValidator } from './story-card-schema.js';

/**
 * One check of a board record, shared by the planning derivations (which skip and report a
 * record that fails it) and the server's edge (which refuses an update that writes one). It
 * covers what planning reads: the fields every shape has, story cards (against the card's own
 * validators) and the frames and notes that carry planning meaning in `meta.planboard` (against
 * tldraw's validators for the fields planning uses). Other records only need to be records.
 */

const shapeBase = T.object({
  id: T.string.check((id) => {
    if (!id.startsWith('shape:')) throw new Error('a shape id starts with "shape:"');
  }),
  typeName: T.literal('shape'),
  type: T.string,
  x: T.number,
  y: T.number,
  rotation: T.number,
  // Any string orders cards; the edge also requires a valid tldraw index key (see validate-update.ts).
  index: T.string,
  parentId: T.string,
  props: T.unknownObject,
  meta: T.unknownObject,
}).allowUnknownProperties();

/** Kinds this version does not know are left alone (read as no planning meaning), not refused. */
const planningMeta = T.object({ kind: T.string, capacity: T.optional(T.number) }).allowUnknownProperties();
const capacity = T.number.check((value) => {
  if (value < 0 || value > MAX_CAPACITY) throw new Error(`a sprint's capacity is from 0 to ${MAX_CAPACITY} points`);
});
const LANE_KIND_NAMES: ReadonlySet<string> = new Set(['column', 'release', 'sprint', 'backlog']);
const HEADER_KIND_NAMES: ReadonlySet<string> = new Set(['activity', 'step', 'theme']);

/** Lanes: the frame fields planning reads, with tldraw's own validators. */
const laneProps = T.object({ w: frameShapeProps.w, h: frameShapeProps.h, name: frameShapeProps.name }).allowUnknownProperties();
/** Axis headers: the note fields planning reads (size and text), with tldraw's own validators. */
const headerProps = T.object({ scale: noteShapeProps.scale, growY: noteShapeProps.growY, richText: noteShapeProps.richText }).allowUnknownProperties();

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function problemOf(check: () => void, what: string): string | null {
  try {
    check();
    return null;
  } catch (error) {
    return `${what}: ${(error as Error).message}`;
  }
}

/**
 * Why `value`, stored under `key` in `tl_records`, cannot be used as a board record, or null if
 * it can. Never throws, whatever `value` is.
 */
export function recordProblem(value: unknown, key?: string): string | null {
  if (!isPlainObject(value)) return `not a record (${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`;
  const { id, typeName } = value;
  if (typeof id !== 'string' || typeof typeName !== 'string') return 'not a record (no string id and typeName)';
  if (key !== undefined && key !== id) return `stored under "${key}" but its id is "${id}"`;
  if (typeName !== 'shape') return null;
  const base = problemOf(() => shapeBase.validate(value), 'invalid shape');
  if (base) return base;
  const props = value['props'] as Record<string, unknown>;
  if (value['type'] === STORY_CARD_TYPE) return problemOf(() => storyCardPropsValidator.validate(props), 'invalid story card');
  const meta = (value['meta'] as Record<string, unknown>)[PLANNING_META_KEY];
  if (meta === undefined) return null;
  const metaProblem = problemOf(() => planningMeta.validate(meta), `invalid meta.${PLANNING_META_KEY}`);
  if (metaProblem) return metaProblem;
  const { kind } = meta as { kind: string; capacity?: number };
  if (kind === 'sprint') {
    const sprintProblem = problemOf(() => capacity.validate((meta as { capacity?: unknown }).capacity), 'invalid sprint capacity');
    if (sprintProblem) return sprintProblem;
  }
  if (value['type'] === 'frame' && LANE_KIND_NAMES.has(kind)) return problemOf(() => laneProps.validate(props), 'invalid lane');
  if (value['type'] === 'note' && HEADER_KIND_NAMES.has(kind)) return problemOf(() => headerProps.validate(props), 'invalid header note');
  return null;
}
