import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { CloseCode, STORY_CARD_TYPE, derivePlanning, getRecordsMap, storyCardRecord, type BoardExport, type CreatedBoard, type ImportResult, type StoredRecord } from '@planboard/shared';
import { closeAll, connectClient, recordsOf, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { openSqlite, readStoredBoard, sqlitePath } from '../support/stored.js';

// Defect 3 of issue 11: one malformed record (a story card with `props: null`, `labels: 'str'`,
// non-string fields, a null value in tl_records) made export.csv/.md and import answer 500 for
// everyone, for good.

const good = (title: string, i: number, parentId: string) => storyCardRecord({ x: 20, y: 20 + i * 150, index: `a${i + 2}`, parentId }, { title, estimate: '3' });

/** The malformed records of the probe, as a raw Yjs client can write them. */
function poison(records: Y.Map<StoredRecord>, template: StoredRecord): void {
  const set = (key: string, value: unknown) => records.set(key, value as StoredRecord);
  set('shape:null-value', null);
  set('shape:props-null', { ...template, id: 'shape:props-null', props: null });
  set('shape:labels-string', { ...template, id: 'shape:labels-string', props: { ...(template['props'] as object), labels: 'str' } });
  set('shape:title-number', { ...template, id: 'shape:title-number', props: { ...(template['props'] as object), title: 42 } });
  set('shape:x-string', { ...template, id: 'shape:x-string', x: 'left' });
  set('shape:bigint', { ...template, id: 'shape:bigint', meta: { n: 10n } });
}
const POISONED = 6;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function exportsOf(server: RunningServer, board: CreatedBoard) {
  const get = (format: string) => fetch(`${server.url}/api/boards/${board.id}/export.${format}`, { headers: bearer(board.links.view.token) });
  const [csv, md, json] = await Promise.all([get('csv'), get('md'), get('json')]);
  return { csv, md, json };
}

test('a board already holding malformed records (stored before the edge check) still exports, imports and opens', async (t) => {
  let server = await startServer();
  const dataDir = server.dataDir;
  try {
    const board = await createBoardWithLinks(server, 'Poisoned', 'backlog');
    const editor = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
    await waitForSync(editor.provider);
    const lane = derivePlanning(getRecordsMap(editor.doc).values()).lanes[0]!;
    editor.doc.transact(() => ['First card', 'Second card'].forEach((title, i) => {
      const card = good(title, i, lane.id);
      getRecordsMap(editor.doc).set(card.id, card);
    }));
    await waitFor(() => getRecordsMap(readStoredBoard(dataDir, board.id)).size === Object.keys(recordsOf(editor.doc)).length, 'cards stored');
    closeAll(editor.provider);
    await server.stop();

    // What an earlier version relayed and stored from a hostile editor: appended to the board's log.
    const stored = readStoredBoard(dataDir, board.id);
    const before = Y.encodeStateVector(stored);
    stored.transact(() => poison(getRecordsMap(stored), good('template', 9, lane.id)));
    const db = openSqlite(sqlitePath(dataDir));
    db.prepare('INSERT INTO board_updates (board_id, data) VALUES (?, ?)').run(board.id, Buffer.from(Y.encodeStateAsUpdate(stored, before)));
    db.close();

    server = await startServer({ dataDir });
    const { csv, md, json } = await exportsOf(server, board);
    const imported = await fetch(`${server.url}/api/boards/${board.id}/import`, {
      method: 'POST',
      headers: { ...bearer(board.links.edit.token), 'content-type': 'text/csv' },
      body: 'Title,Estimate\nThird card,5\n',
    });
    console.log(`# board with ${POISONED} malformed records: export.csv ${csv.status}, export.md ${md.status}, export.json ${json.status}, import ${imported.status} (each answered 500 before)`);
    assert.deepEqual([csv.status, md.status, json.status, imported.status], [200, 200, 200, 200]);
    const csvText = await csv.text();
    assert.match(csvText, /First card/);
    assert.match(csvText, /Second card/);
    assert.equal(csvText.trim().split('\n').length, 3, 'the header and the two readable cards');
    assert.match(await md.text(), /records of the board could not be read/);
    const exported = (await json.json()) as BoardExport;
    assert.equal(exported.records['shape:null-value'], null, 'the JSON export is the document as it is');
    assert.deepEqual(exported.omitted?.map((o) => o.id), ['shape:bigint'], 'what JSON cannot carry is listed, not fatal');
    assert.equal(((await imported.json()) as ImportResult).imported, 1);

    // The board still opens and syncs for a stock client, and edits still work.
    const reader = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
    t.after(() => closeAll(reader.provider));
    await waitForSync(reader.provider);
    const cards = derivePlanning(getRecordsMap(reader.doc).values()).cards.map((card) => card.props.title).sort();
    assert.deepEqual(cards, ['First card', 'Second card', 'Third card']);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a stock y-websocket editor writing malformed records is refused at the edge; the board and everyone else are untouched', async (t) => {
  const server = await startServer();
  try {
    const board = await createBoardWithLinks(server, 'Edge', 'backlog');
    const bystander = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
    t.after(() => closeAll(bystander.provider));
    await waitForSync(bystander.provider);
    const lane = derivePlanning(getRecordsMap(bystander.doc).values()).lanes[0]!;
    const keep = good('Kept card', 0, lane.id);
    getRecordsMap(bystander.doc).set(keep.id, keep);

    const refusals: { what: string; code: number; reason: string }[] = [];
    const attempts: [string, (records: Y.Map<StoredRecord>) => void][] = [
      ['a null value', (records) => records.set('shape:null-value', null as unknown as StoredRecord)],
      ['a card with props null', (records) => records.set(keep.id, { ...keep, props: null })],
      ["a card with labels 'str'", (records) => records.set('shape:labels', { ...keep, id: 'shape:labels', props: { ...(keep['props'] as object), labels: 'str' } })],
      ['a card with a numeric title', (records) => records.set('shape:title', { ...keep, id: 'shape:title', props: { ...(keep['props'] as object), title: 42 } })],
      ['a lane without a width', (records) => records.set(lane.id, { ...getRecordsMap(bystander.doc).get(lane.id)!, props: { h: 100, name: 'x' } })],
    ];
    for (const [what, write] of attempts) {
      const hostile = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
      t.after(() => closeAll(hostile.provider));
      await waitForSync(hostile.provider);
      await waitFor(() => getRecordsMap(hostile.doc).has(keep.id), 'the hostile client to see the board');
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        hostile.provider.on('connection-close', (event: { code: number; reason: string } | null) => resolve({ code: event?.code ?? 0, reason: event?.reason ?? '' })),
      );
      hostile.doc.transact(() => write(getRecordsMap(hostile.doc)));
      const outcome = await Promise.race([closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000))]);
      hostile.provider.shouldConnect = false;
      refusals.push({ what, code: outcome?.code ?? 0, reason: outcome?.reason ?? 'accepted' });
    }
    console.log(`# refused at the edge: ${refusals.filter((r) => r.code === CloseCode.malformed).length} of ${attempts.length}`);
    for (const r of refusals) console.log(`#   ${r.what}: ${r.code} ${r.reason}`);
    for (const r of refusals) {
      assert.equal(r.code, CloseCode.malformed, `${r.what}: closed as malformed (got ${r.code} ${r.reason})`);
      assert.match(r.reason, /invalid record|not a record/);
    }

    // Nothing reached the board: the bystander, a fresh client, the stored log and every export.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const fresh = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
    t.after(() => closeAll(fresh.provider));
    await waitForSync(fresh.provider);
    for (const doc of [bystander.doc, fresh.doc, readStoredBoard(server.dataDir, board.id)]) {
      const model = derivePlanning(getRecordsMap(doc).values());
      assert.deepEqual(model.invalid, []);
      assert.deepEqual(model.cards.map((c) => c.id), [keep.id]);
      assert.equal((getRecordsMap(doc).get(keep.id)!['props'] as { title: string }).title, 'Kept card');
    }
    assert.ok(bystander.provider.wsconnected, 'the bystander stayed connected');
    const { csv, md, json } = await exportsOf(server, board);
    assert.deepEqual([csv.status, md.status, json.status], [200, 200, 200]);
    const exported = (await json.json()) as BoardExport;
    assert.deepEqual(Object.values(exported.records).filter((r) => (r as { type?: string } | null)?.type === STORY_CARD_TYPE).length, 1);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
