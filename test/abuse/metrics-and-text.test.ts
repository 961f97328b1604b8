import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivePlanning, getRecordsMap, storyCardRecord, type ApiError, type BoardAccess, type BoardExport, type CreatedBoard } from '@planboard/shared';
import { closeAll, connectClient, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer } from '../support/server.js';

// Smaller points of issue 11: /metrics was public; titles and labels kept NUL, ESC, CR/LF and
// bidi overrides; the Markdown export passed raw HTML through.

test('METRICS_TOKEN: /metrics answers 401 without the token, 200 with it; without the setting it stays open', async () => {
  const secret = 'metrics-secret-7d1c0e5b3a';
  const closed = await startServer({ env: { METRICS_TOKEN: secret } });
  const open = await startServer();
  try {
    const statuses = {
      none: (await fetch(`${closed.url}/metrics`)).status,
      wrong: (await fetch(`${closed.url}/metrics`, { headers: { authorization: 'Bearer wrong-metrics-token-xx' } })).status,
    };
    const refused = (await (await fetch(`${closed.url}/metrics`)).json()) as ApiError;
    const allowed = await fetch(`${closed.url}/metrics`, { headers: { authorization: `Bearer ${secret}` } });
    console.log(`# /metrics with METRICS_TOKEN set: no token ${statuses.none}, wrong token ${statuses.wrong}, right token ${allowed.status}`);
    assert.deepEqual(statuses, { none: 401, wrong: 401 });
    assert.equal(refused.error, 'Unauthorized');
    assert.match(refused.message, /METRICS_TOKEN/);
    assert.equal(allowed.status, 200);
    assert.match(await allowed.text(), /^planboard_boards_loaded /m);
    assert.equal((await fetch(`${closed.url}/healthz`)).status, 200, 'the health check stays open for load balancers');
    assert.equal((await fetch(`${open.url}/metrics`)).status, 200);
    assert.doesNotMatch(closed.output(), new RegExp(secret), 'the token never reaches the logs');
  } finally {
    await Promise.all([closed.stop(), open.stop()]);
    closed.cleanup();
    open.cleanup();
  }
});

test('control characters are stripped from board titles, imported cards and exports; the Markdown export escapes HTML', async (t) => {
  const server = await startServer();
  try {
    // Board title on creation and rename.
    const board: CreatedBoard = await createBoardWithLinks(server, 'Q3\u0000 road\u001bmap\u202E\r\nOps');
    assert.equal(board.title, 'Q3 roadmap Ops');
    const rename = (title: string) => fetch(`${server.url}/api/boards/${board.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${board.links.edit.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    const renamed = await rename('Sprint\u2066 14\u0007');
    assert.equal(((await renamed.json()) as BoardAccess).title, 'Sprint 14');
    const surrogate = await rename('Half \uD800 a pair');
    assert.equal(((await surrogate.json()) as BoardAccess).title, 'Half \uFFFD a pair');
    const empty = await rename('\u202E\u0000\u2066');
    assert.equal(empty.status, 400);
    assert.match(((await empty.json()) as ApiError).message, /visible character/);

    // Imported cards: one-line fields lose control characters, descriptions keep their lines.
    const imported = await fetch(`${server.url}/api/boards/${board.id}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${board.links.edit.token}`, 'content-type': 'text/csv' },
      body: 'Title,Labels,Assignee,Description\n"Pay\u0000ment\u202E page","ur\u001bgent, back\u2067end",Ada\u0085L,"line one\r\nline two\u0000"\n',
    });
    assert.equal(imported.status, 200);
    const exported = (await (await fetch(`${server.url}/api/boards/${board.id}/export.json`, { headers: { authorization: `Bearer ${board.links.view.token}` } })).json()) as BoardExport;
    const card = derivePlanning(Object.values(exported.records)).cards[0]!.props;
    assert.deepEqual([card.title, card.labels, card.assignee, card.description], ['Payment page', ['urgent', 'backend'], 'Ada L', 'line one\nline two']);

    // A card an editor titled with HTML: the Markdown export shows it as text.
    const editor = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
    t.after(() => closeAll(editor.provider));
    await waitForSync(editor.provider);
    const html = storyCardRecord({ x: 2000, y: 0, index: 'a5' }, { title: '<img src=x onerror=alert(document.domain)>', labels: ['<b>bold</b>'], assignee: 'Eve\u202Etxt.exe' });
    getRecordsMap(editor.doc).set(html.id, html);
    let md = '';
    for (let tries = 0; tries < 100 && !md.includes('onerror'); tries++) {
      md = await (await fetch(`${server.url}/api/boards/${board.id}/export.md`, { headers: { authorization: `Bearer ${board.links.view.token}` } })).text();
      if (!md.includes('onerror')) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const rawTags = md.match(/<[a-z/][^>]*>/gi) ?? [];
    // eslint-disable-next-line no-control-regex -- looking for control characters is the test
    const controls = md.match(/[\u0000-\u0008\u000b-\u001f\u202a-\u202e\u2066-\u2069]/g) ?? [];
    console.log(`# export.md: ${rawTags.length} raw HTML tags, ${controls.length} control characters`);
    assert.deepEqual(rawTags, []);
    assert.deepEqual(controls, []);
    assert.match(md, /&lt;img src=x onerror=alert\(document.domain\)&gt;/);
    assert.match(md, /^# Half \uFFFD a pair$/m);
    assert.match(md, /\| Evetxt.exe \| &lt;b&gt;bold&lt;\/b&gt; \|/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
