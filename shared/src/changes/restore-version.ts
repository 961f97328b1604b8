import * as Y from 'yjs';
import { getMetaMap, getRecordsMap, type StoredRecord } from '../document.js';

/**
 * Versions of a board and how one is brought back. A version is the board's Yjs state at a
 * moment; restoring it never rewrites history: it is a new change on top of the live board that
 * makes the live records equal the version's, so every peer sees it arrive like any edit and a
 * client that was offline merges its own edits on top when it returns.
 */
export type Records = Record<string, StoredRecord>;

/** The records and the document meta (schema, layout version) a version's Yjs state holds. */
export function readVersion(state: Uint8Array): { records: Records; meta: Record<string, unknown> } {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    return { records: getRecordsMap(doc).toJSON() as Records, meta: getMetaMap(doc).toJSON() as Record<string, unknown> };
  } finally {
    doc.destroy();
  }
}

/** Whether two JSON values are equal, whatever the order of their keys. */
export function sameRecord(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((value, i) => sameRecord(value, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && sameRecord(left[key], right[key]));
}

export interface RecordsChange {
  /** Records deleted from the live board. */
  removed: string[];
  /** Records written (added, or replaced because they differed). */
  put: string[];
}

/**
 * Records a board can never be without: tldraw needs its document record and at least one
 * page. They are never deleted by a restore (a version taken before the first client seeded the
 * board has none); a version's own are written like any other record.
 */
function keeps(record: StoredRecord, target: Records): boolean {
  if (record.typeName === 'document') return true;
  if (record.typeName === 'page') return !Object.values(target).some((other) => other.typeName === 'page');
  return false;
}

/**
 * Makes the live records equal `target` (a version's records): deletes what the version lacks,
 * writes what differs, leaves equal records untouched (so an unrelated concurrent edit of them
 * is never overwritten). Run it in one transaction.
 */
export function restoreRecords(doc: Y.Doc, target: Records): RecordsChange {
  const records = getRecordsMap(doc);
  const change: RecordsChange = { removed: [], put: [] };
  for (const [id, record] of [...records.entries()]) {
    if (!(id in target) && !keeps(record, target)) {
      records.delete(id);
      change.removed.push(id);
    }
  }
  for (const [id, record] of Object.entries(target)) {
    if (!sameRecord(records.get(id), record)) {
      records.set(id, structuredClone(record));
      change.put.push(id);
    }
  }
  return change;
}

/**
 * Takes back a restore, and only the restore: every record the restore changed (it was `before`,
 * the restore made it as in `restored`) goes back to what it was before, unless someone changed
 * it again since (it no longer equals `restored`): their later edit stays. Records the restore
 * did not touch, and records added since, are left alone. Run it in one transaction.
 */
export function undoRestore(doc: Y.Doc, before: Records, restored: Records): RecordsChange {
  const records = getRecordsMap(doc);
  const change: RecordsChange = { removed: [], put: [] };
  const ids = new Set([...Object.keys(before), ...Object.keys(restored)]);
  for (const id of ids) {
    const was = before[id];
    const made = restored[id];
    if (sameRecord(was, made)) continue;
    const now = records.get(id);
    // What the restore left there (a record it deleted is absent; one it kept as a page is still there).
    const untouchedSince = made === undefined ? now === undefined || sameRecord(now, was) : sameRecord(now, made);
    if (!untouchedSince) continue;
    if (was === undefined) {
      if (now !== undefined) {
        records.delete(id);
        change.removed.push(id);
      }
    } else if (!sameRecord(now, was)) {
      records.set(id, structuredClone(was));
      change.put.push(id);
    }
  }
  return change;
}

/** Writes a version's records and meta into a fresh board's document (copy to a new board). Run it in one transaction. */
export function seedFromVersion(doc: Y.Doc, version: { records: Records; meta: Record<string, unknown> }): void {
  const records = getRecordsMap(doc);
  const meta = getMetaMap(doc);
  for (const [key, value] of Object.entries(version.meta)) meta.set(key, structuredClone(value));
  for (const [id, record] of Object.entries(version.records)) records.set(id, structuredClone(record));
}
