import * as Y from 'yjs';
import { DOC_LAYOUT_VERSION, MetaKey, buildTemplate, documentRecords, getMetaMap, getRecordsMap, type TemplateId } from '@planboard/shared';

/**
 * The first content of a board created from a template: the document and first page every
 * client seeds a new board with, plus the template's lanes and headers, written in one
 * transaction. `blank` writes nothing, so the first client seeds the board as usual.
 */
export function seedTemplate(doc: Y.Doc, template: TemplateId): void {
  if (template === 'blank') return;
  const records = getRecordsMap(doc);
  doc.transact(() => {
    for (const record of [...documentRecords(), ...buildTemplate(template)]) records.set(record.id, record);
    getMetaMap(doc).set(MetaKey.layoutVersion, DOC_LAYOUT_VERSION);
  });
}

/** The template's board content as one Yjs update (null for `blank`), ready to be stored. */
export function templateUpdate(template: TemplateId): Uint8Array | null {
  if (template === 'blank') return null;
  const doc = new Y.Doc();
  try {
    seedTemplate(doc, template);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
