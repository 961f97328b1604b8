import * as Y from 'yjs';
import { loadSnapshot, type SerializedSchema, type TLRecord, type TLStore } from 'tldraw';
import { DOC_LAYOUT_VERSION, MetaKey, getMetaMap, getRecordsMap, type StoredRecord } from '@planboard/shared';

/** Transaction origin of changes made by this tab, so the Y.Doc observer does not echo them back. */
const LOCAL_ORIGIN = Symbol('planboard-local');

export class SchemaTooNewError extends Error {}

/**
 * Binds tldraw's store to the board's Y.Doc (layout: shared/src/document.ts), both ways:
 * document-scoped changes made in this tab go into `tl_records` in one Yjs transaction; changes
 * from elsewhere come into the store as remote changes. Call after the local copy (and, when
 * online, the server's copy) has been merged into the doc.
 */
export function bindStoreToDoc(store: TLStore, doc: Y.Doc, options: { canWrite: boolean }): () => void {
  const records = getRecordsMap(doc);
  const meta = getMetaMap(doc);

  if (records.size === 0) {
    // A new board: seed it with this store's document and first page (identical ids on every
    // client, so two tabs seeding at once agree).
    if (options.canWrite) {
      doc.transact(() => {
        for (const record of store.allRecords()) if (store.scopedTypes.document.has(record.typeName)) records.set(record.id, record as unknown as StoredRecord);
        meta.set(MetaKey.schema, store.schema.serialize());
        meta.set(MetaKey.layoutVersion, DOC_LAYOUT_VERSION);
      }, LOCAL_ORIGIN);
    }
  } else {
    const schema = (meta.get(MetaKey.schema) as SerializedSchema | undefined) ?? store.schema.serialize();
    try {
      // Migrates records written by an older client; throws for records of a newer one.
      loadSnapshot(store, { store: records.toJSON() as Record<string, TLRecord>, schema });
    } catch (error) {
      throw new SchemaTooNewError(`This board was saved by a newer version of Planboard (${(error as Error).message}).`);
    }
    if (options.canWrite && JSON.stringify(meta.get(MetaKey.schema)) !== JSON.stringify(store.schema.serialize())) {
      // Write the migrated records back so older records do not linger in the document.
      doc.transact(() => {
        for (const record of store.allRecords()) if (store.scopedTypes.document.has(record.typeName)) records.set(record.id, record as unknown as StoredRecord);
        meta.set(MetaKey.schema, store.schema.serialize());
        meta.set(MetaKey.layoutVersion, DOC_LAYOUT_VERSION);
      }, LOCAL_ORIGIN);
    }
  }

  const stopListening = store.listen(
    ({ changes }) => {
      if (!options.canWrite) return;
      doc.transact(() => {
        for (const record of Object.values(changes.added)) records.set(record.id, record as unknown as StoredRecord);
        for (const [, record] of Object.values(changes.updated)) records.set(record.id, record as unknown as StoredRecord);
        for (const record of Object.values(changes.removed)) records.delete(record.id);
      }, LOCAL_ORIGIN);
    },
    { source: 'user', scope: 'document' },
  );

  const observer = (event: Y.YMapEvent<StoredRecord>, transaction: Y.Transaction) => {
    if (transaction.origin === LOCAL_ORIGIN) return;
    const removed: TLRecord['id'][] = [];
    const put: TLRecord[] = [];
    event.changes.keys.forEach((change, id) => {
      if (change.action === 'delete') removed.push(id as TLRecord['id']);
      else {
        const record = records.get(id);
        if (record) put.push(record as unknown as TLRecord);
      }
    });
    store.mergeRemoteChanges(() => {
      const present = removed.filter((id) => store.has(id));
      if (present.length > 0) store.remove(present);
      if (put.length > 0) store.put(put);
    });
  };
  records.observe(observer);

  return () => {
    stopListening();
    records.unobserve(observer);
  };
}
