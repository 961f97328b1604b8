import * as Y from 'yjs';
import { T } from '@tldraw/validate';
import { RECORDS_MAP } from '../document.js';
import { recordProblem } from './validate-record.js';

/**
 * Refusing malformed records at the edge: which records a peer's Yjs update would write into a
 * board's `tl_records` that the board cannot use. The update is decoded, never applied: each
 * item is located (a map entry's parent and key are in the update only when it has no origin;
 * otherwise they are its origin's, found in the update itself or in the board's document) and
 * each value written into `tl_records` must be one plain JSON record passing `recordProblem`,
 * and, for a shape, with a tldraw index key tldraw's store accepts.
 *
 * An item whose origin neither the update nor the board has cannot be located: Yjs would hold it
 * until what it builds on arrives. Its values are still checked when they look like records (an
 * object with a `typeName`); other values slip through until then, and the planning derivations
 * skip whatever they cannot read.
 *
 * Pure apart from reading `doc` (nothing is changed), and O(update size · log board size).
 */
/** A Yjs update as `Y.decodeUpdate` returns it. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

export interface RefusedRecord {
  /** The record's key in `tl_records`, or null when the write could not be located. */
  key: string | null;
  reason: string;
}

/** Where an item lands: the root type name and the map key, or `unknown` (waits for missing changes), or `gone` (onto a collected item: never visible). */
type Location = { root: string | null; key: string | null } | 'unknown' | 'gone';

const MAX_ORIGIN_CHAIN = 100_000;

function isRecordShaped(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { typeName?: unknown }).typeName === 'string';
}

function indexProblem(value: unknown): string | null {
  if ((value as { typeName?: unknown }).typeName !== 'shape') return null;
  try {
    T.indexKey.validate((value as { index?: unknown }).index);
    return null;
  } catch (error) {
    return `invalid shape: index: ${(error as Error).message}`;
  }
}

/** Whether one range of the delete set covers the `length` clocks from `id` (a set may split a range in two: then it does not count). */
function deletedRange(ds: DecodedUpdate['ds'], id: Y.ID, length: number): boolean {
  // Ranges are sorted by clock (as Yjs encodes them); a crafted unsorted set only makes this stricter.
  const ranges = (ds as unknown as { clients: Map<number, { clock: number; len: number }[]> }).clients.get(id.client) ?? [];
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const range = ranges[mid]!;
    if (id.clock < range.clock) high = mid - 1;
    else if (id.clock >= range.clock + range.len) low = mid + 1;
    else return range.clock + range.len >= id.clock + length;
  }
  return false;
}

/** The values of a ContentAny item the same update does not delete (all of them, in the usual case of no delete for its client). */
function liveValues(values: unknown[], id: Y.ID, ds: DecodedUpdate['ds']): unknown[] {
  if (!ds.clients.has(id.client)) return values;
  return values.filter((_, offset) => !Y.isDeleted(ds, Y.createID(id.client, id.clock + offset)));
}

/** Items of the update by client, in clock order, to find the one holding an id. */
class UpdateItems {
  readonly #byClient = new Map<number, Y.Item[]>();
  constructor(structs: (Y.Item | Y.GC | Y.Skip)[]) {
    for (const struct of structs) {
      if (!(struct instanceof Y.Item)) continue;
      const list = this.#byClient.get(struct.id.client);
      if (list) list.push(struct);
      else this.#byClient.set(struct.id.client, [struct]);
    }
  }

  find(id: Y.ID): Y.Item | null {
    const list = this.#byClient.get(id.client);
    if (!list) return null;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const item = list[mid]!;
      if (id.clock < item.id.clock) high = mid - 1;
      else if (id.clock >= item.id.clock + item.length) low = mid + 1;
      else return item;
    }
    return null;
  }
}

function locate(item: Y.Item, inUpdate: UpdateItems, doc: Y.Doc): Location {
  let current = item;
  for (let step = 0; step < MAX_ORIGIN_CHAIN; step++) {
    const parent = current.parent as Y.AbstractType<unknown> | Y.ID | string | null;
    if (typeof parent === 'string') return { root: parent, key: current.parentSub };
    if (parent !== null) return { root: null, key: null }; // inside a nested type, not a record entry
    const origin = current.origin ?? current.rightOrigin;
    if (origin === null) return 'gone';
    const next = inUpdate.find(origin);
    if (next) {
      current = next;
      continue;
    }
    if (origin.clock >= Y.getState(doc.store, origin.client)) return 'unknown';
    const existing = Y.getItem(doc.store, origin) as Y.Item | Y.GC;
    if (!(existing instanceof Y.Item)) return 'gone';
    const owner = existing.parent as Y.AbstractType<unknown> | null;
    if (owner === null || owner._item !== null) return { root: null, key: null };
    return { root: owner === doc.share.get(RECORDS_MAP) ? RECORDS_MAP : 'other', key: existing.parentSub };
  }
  return 'unknown';
}

/**
 * The records `update` would write into `doc`'s `tl_records` that fail the board's validators;
 * empty when it may be applied. `update` may be given already decoded (the relay decodes each
 * peer update once and shares the result with every check).
 */
export function refusedRecordWrites(update: Uint8Array | DecodedUpdate, doc: Y.Doc): RefusedRecord[] {
  let decoded: DecodedUpdate;
  if (update instanceof Uint8Array) {
    try {
      decoded = Y.decodeUpdate(update);
    } catch (error) {
      return [{ key: null, reason: `the update does not decode: ${(error as Error).message}` }];
    }
  } else decoded = update;
  const { structs, ds } = decoded;
  const inUpdate = new UpdateItems(structs);
  const refused: RefusedRecord[] = [];
  for (const struct of structs) {
    if (!(struct instanceof Y.Item) || struct.content instanceof Y.ContentDeleted) continue;
    // Values the same update deletes are never visible: a client that keeps history (gc off)
    // sends every overwritten version of a record, some of them written by older versions.
    if (deletedRange(ds, struct.id, struct.length)) continue;
    const location = locate(struct, inUpdate, doc);
    if (location === 'gone') continue;
    const values = struct.content instanceof Y.ContentAny ? liveValues(struct.content.arr, struct.id, ds) : null;
    if (location === 'unknown') {
      for (const value of values ?? []) {
        if (!isRecordShaped(value)) continue;
        const reason = recordProblem(value) ?? indexProblem(value);
        if (reason) refused.push({ key: null, reason });
      }
      continue;
    }
    if (location.root !== RECORDS_MAP) continue;
    const { key } = location;
    if (key === null) {
      refused.push({ key, reason: `${RECORDS_MAP} is a map of records; list items are not allowed in it` });
    } else if (values === null) {
      refused.push({ key, reason: 'a record is stored as one plain JSON value, not a shared type or text' });
    } else {
      for (const value of values) {
        const reason = recordProblem(value, key) ?? indexProblem(value);
        if (reason) refused.push({ key, reason });
      }
    }
  }
  return refused;
}
