import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { DOC_LAYOUT_VERSION, MetaKey, getMetaMap, getRecordsMap } from '../document.js';
import { derivePlanning } from '../planning/structure.js';
import { TEMPLATE_IDS } from '../planning/templates.js';
import { seedTemplate } from './seed-template.js';
import { TLDRAW_SCHEMA } from './tldraw-schema.js';

test('a seeded board has the document, the page, the lanes, the layout version and the tldraw schema', () => {
  for (const template of TEMPLATE_IDS.filter((id) => id !== 'blank')) {
    const doc = new Y.Doc();
    doc.transact(() => seedTemplate(doc, template));
    const records = getRecordsMap(doc);
    assert.ok(records.has('document:document'), template);
    assert.ok(records.has('page:page'), template);
    assert.ok(derivePlanning([...records.values()]).lanes.length > 0, `${template} has lanes`);
    const meta = getMetaMap(doc);
    assert.equal(meta.get(MetaKey.layoutVersion), DOC_LAYOUT_VERSION);
    assert.equal(JSON.stringify(meta.get(MetaKey.schema)), JSON.stringify(TLDRAW_SCHEMA), `${template} records the schema`);
  }
});

test('the blank template writes nothing, so the first client seeds the board', () => {
  const doc = new Y.Doc();
  seedTemplate(doc, 'blank');
  assert.equal(getRecordsMap(doc).size, 0);
  assert.equal(getMetaMap(doc).size, 0);
});
