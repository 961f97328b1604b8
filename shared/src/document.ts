import * as Y from 'yjs';

/**
 * Board document layout, version 1: the contract for every client, integration and test.
 *
 * - `Y.Map('tl_records')`: tldraw record id → record JSON (a plain object, one map entry per
 *   record; a record is replaced whole when it changes). Only document-scoped records live
 *   here: shapes, pages, bindings, assets, the document record. Session and presence records
 *   never enter the document.
 * - `Y.Map('tl_meta')`: document-level facts:
 *   - `layoutVersion`: this layout's version (number).
 *   - `schema`: the tldraw store schema that wrote the records (`store.schema.serialize()`), so a
 *     joining client can migrate older records or refuse newer ones with a clear message.
 *
 * Presence (cursor, name, colour, selection) travels in Yjs awareness, never in the document:
 * the awareness state of a client is `{ user: PresenceUser, presence?: <tldraw presence record> }`.
 */
export const DOC_LAYOUT_VERSION = 1;
export const RECORDS_MAP = 'tl_records';
export const META_MAP = 'tl_meta';

export const MetaKey = {
  layoutVersion: 'layoutVersion',
  schema: 'schema',
} as const;

/** A record as stored in the document: tldraw's JSON record, keyed by its `id`. */
export interface StoredRecord {
  id: string;
  typeName: string;
  [key: string]: unknown;
}

export function getRecordsMap(doc: Y.Doc): Y.Map<StoredRecord> {
  return doc.getMap<StoredRecord>(RECORDS_MAP);
}

export function getMetaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(META_MAP);
}

/** Who a participant is, as published in awareness (`state.user`). */
export interface PresenceUser {
  /** Stable per browser, so a reload keeps the same identity and colour. */
  id: string;
  name: string;
  color: string;
  role?: 'owner' | 'editor' | 'viewer';
}

/**
 * The server publishes its own state of a board through awareness, under its own client id, as
 * `{ server: ServerStatus }`, so that every client (the stock one included) receives it. Absent
 * while all is well.
 */
export const SERVER_AWARENESS_FIELD = 'server';

export interface ServerStatus {
  /** `failing`: the server cannot write this board to disk; edits are kept in memory and retried. */
  storage: 'failing';
  message: string;
}
