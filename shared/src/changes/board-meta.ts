import type * as Y from 'yjs';
import { DOC_LAYOUT_VERSION, MetaKey, getMetaMap, getRecordsMap } from '../document.js';
import { PAGE_ID, documentRecords } from '../planning/records.js';
import { TLDRAW_SCHEMA } from './tldraw-schema.js';

/**
 * What every board written outside the canvas needs, as a client would write it: the document
 * record and (when the change puts shapes on it) the first page, and the layout version and
 * tldraw schema in the meta, so that clients migrate the records like any other. Call inside
 * the change's transaction.
 */
export function ensureDocument(doc: Y.Doc, options: { page: boolean }): void {
  const records = getRecordsMap(doc);
  for (const record of documentRecords()) {
    const needed = record.typeName === 'document' || (options.page && record.id === PAGE_ID);
    if (needed && !records.has(record.id)) records.set(record.id, record);
  }
  const meta = getMetaMap(doc);
  // A schema a client recorded stays: its records were written to it (a newer one migrates them).
  if (!meta.has(MetaKey.schema)) meta.set(MetaKey.schema, structuredClone(TLDRAW_SCHEMA));
  if (!meta.has(MetaKey.layoutVersion)) meta.set(MetaKey.layoutVersion, DOC_LAYOUT_VERSION);
}
