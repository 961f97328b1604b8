import type * as Y from 'yjs';
import { getRecordsMap } from '../document.js';
import { buildTemplate, type TemplateId } from '../planning/templates.js';
import { ensureDocument } from './board-meta.js';

/**
 * Seeds a new board with a template: the document and first page every client seeds a board
 * with, the template's lanes and headers, and the meta a client needs to migrate them. `blank`
 * writes nothing, so the first client seeds the board as usual. Run it in one transaction.
 */
export function seedTemplate(doc: Y.Doc, template: TemplateId): void {
  if (template === 'blank') return;
  ensureDocument(doc, { page: true });
  const records = getRecordsMap(doc);
  for (const record of buildTemplate(template)) records.set(record.id, record);
}
