import { T } from '@tldraw/validate';
import { MAX_CAPACITY, PLANNING_META_KEY } from './structure.js';
import { STORY_CARD_TYPE } from './story-card.js';
import { storyCardPropsValidator } from './story-card-validators.js';

/**
 * One check of a board record, shared by the planning derivations (which skip and report a
 * record that fails it) and the server's edge (which refuses an update that writes one). It
 * covers what planning reads: the fields every shape has, story cards (against the card's own
 * validators) and the frames and notes that carry planning meaning in `meta.planboard` (the
 * fields planning uses, by tldraw's rules for them). Other records only need to be plain JSON
 * records. Only `@tldraw/validate` is loaded: the web shell derives planning without tldraw's
 * schema, and the server checks updates without it.
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
  // tldraw always writes meta; records from other integrations may leave it out.
  meta: T.optional(T.unknownObject),
}).allowUnknownProperties();

/** Kinds this version does not know are left alone (read as no planning meaning), not refused. */
const planningMeta = T.object({ kind: T.string, capacity: T.optional(T.number) }).allowUnknownProperties();
const capacity = T.number.check((value) => {
  if (value < 0 || value > MAX_CAPACITY) throw new Error(`a sprint's capacity is from 0 to ${MAX_CAPACITY} points`);
});
const LANE_KIND_NAMES: ReadonlySet<string> = new Set(['column', 'release', 'sprint', 'backlog']);
const HEADER_KIND_NAMES: ReadonlySet<string> = new Set(['activity', 'step', 'theme']);

/** Lanes: the frame fields planning reads, by tldraw's rules (`frameShapeProps`). */
const laneProps = T.object({ w: T.nonZeroNumber, h: T.nonZeroNumber, name: T.string }).allowUnknownProperties();
/** Axis headers: the note fields planning reads (size and text), by tldraw's rules (`noteShapeProps`). */
const headerProps = T.object({ scale: T.nonZeroNumber, growY: T.positiveNumber, richText: T.unknownObject }).allowUnknownProperties();

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

/** Deepest nesting a record may have: tldraw's deepest (rich text) stays far below it. */
const MAX_JSON_DEPTH = 64;

/**
 * Why `value` is not plain JSON (Yjs can also carry bigints, binary, NaN and Infinity, which no
 * export or client can use), or null if it is. `undefined` passes: an optional field tldraw
 * leaves undefined is simply absent in JSON. Recursive, but never deeper than MAX_JSON_DEPTH
 * (so the stack cannot overflow), and without allocating: it runs on every record a peer writes.
 */
export function jsonProblem(value: unknown): string | null {
  return jsonProblemAt(value, 0);
}

function jsonProblemAt(value: unknown, depth: number): string | null {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `holds ${value}, which JSON cannot represent`;
  if (typeof value !== 'object') return `holds a value of type ${typeof value}, which JSON cannot represent`;
  if (depth >= MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblemAt(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return 'holds binary data or an object that is not plain JSON';
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const problem = jsonProblemAt((value as Record<string, unknown>)[key], depth + 1);
    if (problem) return problem;
  }
  return null;
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
  const json = jsonProblem(value);
  if (json) return `not plain JSON: ${json}`;
  if (typeName !== 'shape') return null;
  const base = problemOf(() => shapeBase.validate(value), 'invalid shape');
  if (base) return base;
  const props = value['props'] as Record<string, unknown>;
  if (value['type'] === STORY_CARD_TYPE) return problemOf(() => storyCardPropsValidator.validate(props), 'invalid story card');
  const meta = (value['meta'] as Record<string, unknown> | undefined)?.[PLANNING_META_KEY];
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
