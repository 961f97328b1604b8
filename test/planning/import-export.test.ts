import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import {
  STORY_CARD_SIZE,
  STORY_CARD_TYPE,
  TLDRAW_SCHEMA,
  derivePlanning,
  formatTotal,
  getRecordsMap,
  type ApiError,
  type BoardExport,
  type ImportResult,
  type StoredRecord,
  type StoryCardProps,
} from '@planboard/shared';
import { closeAll, connectClient, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { readStoredBoard } from '../support/stored.js';

// A Jira Cloud "Export CSV (all fields)" cut down to the usual columns: the Labels column repeats,
// descriptions are quoted and span lines, one row lacks a summary, one has stray extra cells.
const JIRA_CSV = `Summary,Issue key,Issue Type,Status,Priority,Assignee,Labels,Labels,Custom field (Story Points),Description
Guest checkout without an account,WEB-201,Story,To Do,High,Priya Nair,checkout,guest,5,"As a first-time buyer
I want to pay without creating an account
so that I can finish my order quickly.

Acceptance criteria:
- email is required
- an account can be created afterwards"
Remember the delivery address,WEB-202,Story,In Progress,Medium,Tom Becker,checkout,,3,"Prefill the last used address, ""home"" or ""work""."
"Refunds, including partial refunds",WEB-203,Epic,Selected for Development,Highest,,payments,finance,13,
Slow search on mobile,WEB-204,Bug,On Hold,Critical,Priya Nair,search,perf,2,"Reported by support: 4 s on 3G.
See WEB-150."
,WEB-205,Story,To Do,Low,,,,1,A row someone forgot to give a summary
Update the privacy policy link,WEB-206,Task,Done,Lowest,Tom Becker,,,0.5,
Wishlist sharing,WEB-207,Story,Backlog,Medium,,wishlist,,4,Share a list by link.
Order history export,WEB-208,Story,To Do,Minor,Lena Ortiz,account,,8,
Dark mode for e-mails,WEB-209,Story,Needs Design,Medium,,,,large,
Stray cells,WEB-210,Story,To Do,Low,,,,,,unexpected,extra
`;

const JIRA_CARDS = 8;

// A Linear export as Excel saves it: byte order mark, CRLF line ends.
const LINEAR_CSV =
  '\uFEFF' +
  [
    'ID,Title,Description,Status,Estimate,Priority,Labels,Assignee,Team,Project,Cycle Number,Created',
    'MOB-31,Push notification settings,"Let users mute order updates.\r\nPer channel: push, e-mail.",Todo,3,High,"Feature, Settings",kai@example.com,Mobile,Notifications,12,2026-09-14T10:02:11.000Z',
    'MOB-32,Crash when rotating on the payment screen,,In Progress,2,Urgent,Bug,ines@example.com,Mobile,,12,2026-09-15T08:40:00.000Z',
    'MOB-33,Spike: offline cart,,Backlog,,No priority,,,Mobile,Offline,,2026-09-20T16:00:00.000Z',
    'MOB-34,,Title left empty,Todo,1,Low,,,Mobile,,,2026-09-21T09:00:00.000Z',
    'MOB-35,Tablet layout for the order list,,Done,5,Medium,"UI, Tablet",kai@example.com,Mobile,,11,2026-08-02T12:00:00.000Z',
  ].join('\r\n') +
  '\r\n';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

async function importCsv(target: { url: string }, boardId: string, token: string | null, body: string, contentType = 'text/csv'): Promise<{ status: number; body: ImportResult & ApiError & { skipped?: ImportResult['skipped'] } }> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${target.url}/api/boards/${boardId}/import`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as ImportResult & ApiError };
}

async function imported(target: { url: string }, boardId: string, token: string, body: string): Promise<ImportResult> {
  const result = await importCsv(target, boardId, token, body);
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return result.body;
}

function exportFile(target: { url: string }, boardId: string, token: string | null, format: 'csv' | 'md' | 'json'): Promise<Response> {
  return fetch(`${target.url}/api/boards/${boardId}/export.${format}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

const recordList = (doc: Y.Doc): StoredRecord[] => [...getRecordsMap(doc).values()];
const cardRecords = (records: Iterable<StoredRecord>) => [...records].filter((r) => r.typeName === 'shape' && r['type'] === STORY_CARD_TYPE);
const byKey = (a: StoryCardProps, b: StoryCardProps) => a.externalKey.localeCompare(b.externalKey);

/** Every imported card sits in `laneName`'s lane, and no two cards of the board overlap. */
function assertInLaneWithoutOverlap(records: StoredRecord[], laneName: string, cardIds: string[]): void {
  const model = derivePlanning(records);
  const lane = model.lanes.find((l) => l.name === laneName);
  assert.ok(lane, `lane ${laneName}`);
  const cards = new Map(model.cards.map((card) => [card.id, card]));
  for (const id of cardIds) {
    const card = cards.get(id);
    assert.ok(card, `card ${id} on the board`);
    assert.equal(card.laneId, lane.id, `card "${card.props.title}" in ${laneName}`);
    // Wholly inside the lane, not just its centre.
    assert.ok(card.center.x - STORY_CARD_SIZE.w / 2 >= lane.box.x && card.center.x + STORY_CARD_SIZE.w / 2 <= lane.box.x + lane.box.w, `"${card.props.title}" within the lane's width`);
    assert.ok(card.center.y - STORY_CARD_SIZE.h / 2 >= lane.box.y && card.center.y + STORY_CARD_SIZE.h / 2 <= lane.box.y + lane.box.h, `"${card.props.title}" within the lane's height`);
  }
  const all = model.cards;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]!.center;
      const b = all[j]!.center;
      const apart = Math.abs(a.x - b.x) >= STORY_CARD_SIZE.w || Math.abs(a.y - b.y) >= STORY_CARD_SIZE.h;
      assert.ok(apart, `"${all[i]!.props.title}" overlaps "${all[j]!.props.title}"`);
    }
  }
}

test('Jira then Linear CSV imported over HTTP reach a connected stock client live, in the backlog lane, without overlapping', async () => {
  const board = await createBoardWithLinks(server, 'Grooming', 'backlog');
  const editor = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  const viewer = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
  try {
    await Promise.all([waitForSync(editor.provider), waitForSync(viewer.provider)]);
    const inboxBefore = recordList(editor.doc).find((r) => (r['props'] as { name?: string } | undefined)?.name === 'Inbox')!;
    assert.equal((inboxBefore['props'] as { h: number }).h, 900);

    const jira = await imported(server, board.id, board.links.edit.token, JIRA_CSV);
    assert.equal(jira.imported, JIRA_CARDS);
    assert.equal(jira.cardIds.length, JIRA_CARDS);
    assert.equal(new Set(jira.cardIds).size, JIRA_CARDS);
    assert.equal(jira.lane, 'Inbox');
    // Rows are counted as in the file (header = row 1, a multi-line cell is one row).
    assert.deepEqual(jira.skipped, [
      { row: 6, reason: 'no title' },
      { row: 11, reason: '12 cells but the header has 10' },
    ]);
    assert.deepEqual(jira.warnings, [
      { row: 7, reason: 'estimate 0.5 rounded up to 1' },
      { row: 8, reason: 'estimate 4 rounded up to 5' },
      { row: 10, reason: 'status "Needs Design" is not known; set to To do' },
      { row: 10, reason: 'estimate "large" is not a number; left unestimated' },
    ]);

    // Live, to every peer, the viewer included.
    for (const client of [editor, viewer]) {
      await waitFor(() => jira.cardIds.every((id) => getRecordsMap(client.doc).has(id)), 'the imported cards to arrive');
    }
    const records = getRecordsMap(editor.doc);
    const first = records.get(jira.cardIds[0]!)!;
    assert.deepEqual(first['props'], {
      title: 'Guest checkout without an account',
      description: 'As a first-time buyer\nI want to pay without creating an account\nso that I can finish my order quickly.\n\nAcceptance criteria:\n- email is required\n- an account can be created afterwards',
      estimate: '5',
      status: 'todo',
      assignee: 'Priya Nair',
      labels: ['checkout', 'guest'],
      priority: 'high',
      votes: 0,
      externalKey: 'WEB-201',
    });
    const props = jira.cardIds.map((id) => records.get(id)!['props'] as StoryCardProps);
    assert.deepEqual(props.map((p) => p.externalKey), ['WEB-201', 'WEB-202', 'WEB-203', 'WEB-204', 'WEB-206', 'WEB-207', 'WEB-208', 'WEB-209']);
    assert.equal(props[1]!.description, 'Prefill the last used address, "home" or "work".');
    assert.equal(props[2]!.title, 'Refunds, including partial refunds');
    assert.deepEqual(props.map((p) => p.status), ['todo', 'in-progress', 'todo', 'blocked', 'done', 'todo', 'todo', 'todo']);
    assert.deepEqual(props.map((p) => p.priority), ['high', 'medium', 'urgent', 'urgent', 'low', 'medium', 'low', 'medium']);
    assert.deepEqual(props.map((p) => p.estimate), ['5', '3', '13', '2', '1', '5', '8', 'none']);
    assert.deepEqual(props[3]!.labels, ['search', 'perf']);
    for (const id of jira.cardIds) assert.equal(records.get(id)!['parentId'], inboxBefore.id, 'a child of the Inbox frame');

    // Eight cards do not fit in a 900-high column of one card per row: the lane grew into a grid
    // of two columns instead of one long column, and the lane to its right moved along.
    const grown = records.get(inboxBefore.id)!['props'] as { w: number; h: number };
    const original = inboxBefore['props'] as { w: number; h: number };
    assert.ok(grown.w >= 2 * STORY_CARD_SIZE.w, `Inbox is two cards wide, w = ${grown.w}`);
    assert.ok(grown.h < 8 * STORY_CARD_SIZE.h, `not a column of eight, h = ${grown.h}`);
    const lanesAfter = derivePlanning(recordList(editor.doc)).lanes;
    const inbox = lanesAfter.find((l) => l.name === 'Inbox')!;
    const next = lanesAfter.find((l) => l.name === 'Needs refinement')!;
    assert.ok(next.box.x >= inbox.box.x + inbox.box.w, 'Needs refinement moved right of the grown Inbox');
    assert.equal(new Set(jira.cardIds.map((id) => records.get(id)!['x'])).size, 2, 'two columns of cards');
    assert.ok(grown.w > original.w);
    assertInLaneWithoutOverlap(recordList(editor.doc), 'Inbox', jira.cardIds);
    assertInLaneWithoutOverlap(recordList(viewer.doc), 'Inbox', jira.cardIds);

    const linear = await imported(server, board.id, board.links.owner.token, LINEAR_CSV);
    assert.equal(linear.imported, 4);
    assert.equal(linear.lane, 'Inbox');
    assert.deepEqual(linear.skipped, [{ row: 5, reason: 'no title' }]);
    assert.deepEqual(linear.warnings, []);
    await waitFor(() => linear.cardIds.every((id) => getRecordsMap(viewer.doc).has(id)), 'the Linear cards to arrive');
    const mob31 = getRecordsMap(viewer.doc).get(linear.cardIds[0]!)!['props'] as StoryCardProps;
    assert.deepEqual(mob31, {
      title: 'Push notification settings',
      description: 'Let users mute order updates.\nPer channel: push, e-mail.',
      estimate: '3',
      status: 'todo',
      assignee: 'kai@example.com',
      labels: ['Feature', 'Settings'],
      priority: 'high',
      votes: 0,
      externalKey: 'MOB-31',
    });
    const linearProps = linear.cardIds.map((id) => getRecordsMap(viewer.doc).get(id)!['props'] as StoryCardProps);
    assert.deepEqual(linearProps.map((p) => [p.externalKey, p.status, p.priority, p.estimate]), [
      ['MOB-31', 'todo', 'high', '3'],
      ['MOB-32', 'in-progress', 'urgent', '2'],
      ['MOB-33', 'todo', 'none', 'none'],
      ['MOB-35', 'done', 'medium', '5'],
    ]);
    // The second import found free slots: all twelve cards in the Inbox, none on top of another.
    assertInLaneWithoutOverlap(recordList(viewer.doc), 'Inbox', [...jira.cardIds, ...linear.cardIds]);
    assert.deepEqual(getRecordsMap(viewer.doc).toJSON(), getRecordsMap(editor.doc).toJSON());

    // Stored as it was sent: the disk holds what the clients hold.
    await waitFor(() => cardRecords(recordList(readStoredBoard(server.dataDir, board.id))).length === 12, 'twelve cards on disk');
    assert.deepEqual(getRecordsMap(readStoredBoard(server.dataDir, board.id)).toJSON(), getRecordsMap(editor.doc).toJSON());
  } finally {
    closeAll(editor.provider, viewer.provider);
  }
});

test('a Jira Sprint that names the sprint frame puts the card in it; the epic groups cards and becomes a label', async () => {
  const board = await createBoardWithLinks(server, 'Sprint 1 planning', 'sprint');
  const csv = [
    'Summary,Issue key,Sprint,Parent summary,Custom field (Story Points)',
    'Save cart,S-1,PB Sprint 1,Checkout,3',
    'Pay by card,S-2,Sprint 1,Checkout,5',
    'Search,S-3,,Discovery,2',
    'Old thing,S-4,Sprint 0,,1',
  ].join('\n');
  const result = await imported(server, board.id, board.links.edit.token, csv);
  assert.deepEqual(result.placed, [{ lane: 'Sprint 1', count: 2 }, { lane: 'Backlog', count: 2 }]);
  const client = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
  try {
    await waitForSync(client.provider);
    const model = derivePlanning(recordList(client.doc));
    const laneOf = (key: string) => model.lanes.find((l) => l.id === model.cards.find((c) => c.props.externalKey === key)!.laneId)?.name;
    assert.deepEqual(['S-1', 'S-2', 'S-3', 'S-4'].map(laneOf), ['Sprint 1', 'Sprint 1', 'Backlog', 'Backlog']);
    const sprint = model.lanes.find((l) => l.kind === 'sprint')!;
    assert.equal(model.laneTotals.get(sprint.id)!.points, 8, 'the sprint frame counts its cards');
    assert.deepEqual(model.cards.find((c) => c.props.externalKey === 'S-1')!.props.labels, ['Checkout']);
  } finally {
    closeAll(client.provider);
  }
});

test('on a board with no lane, imported cards go on the page, beside what is there', async () => {
  const board = await createBoardWithLinks(server, 'Loose cards', 'blank');
  // Nobody ever opened this board: the import adds the document and page the cards need.
  const result = await imported(server, board.id, board.links.edit.token, LINEAR_CSV);
  assert.equal(result.lane, null);
  assert.equal(result.imported, 4);
  const client = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
  try {
    await waitForSync(client.provider);
    const records = getRecordsMap(client.doc);
    assert.ok(records.has('document:document') && records.has('page:page'), 'document and page records');
    for (const id of result.cardIds) assert.equal(records.get(id)!['parentId'], 'page:page');
    const model = derivePlanning(recordList(client.doc));
    assert.equal(model.unplaced.count, 4);
    const again = await imported(server, board.id, board.links.edit.token, LINEAR_CSV);
    await waitFor(() => again.cardIds.every((id) => records.has(id)), 'the second batch to arrive');
    const centers = derivePlanning(recordList(client.doc)).cards.map((card) => card.center);
    assert.equal(centers.length, 8);
    for (let i = 0; i < centers.length; i++) {
      for (let j = i + 1; j < centers.length; j++) {
        assert.ok(Math.abs(centers[i]!.x - centers[j]!.x) >= STORY_CARD_SIZE.w || Math.abs(centers[i]!.y - centers[j]!.y) >= STORY_CARD_SIZE.h, `cards ${i} and ${j} overlap`);
      }
    }
  } finally {
    closeAll(client.provider);
  }
});

test('a file that cannot be imported is refused with 400 and a reason, and the board is left as it was', async () => {
  const board = await createBoardWithLinks(server, 'Untouched', 'backlog');
  const client = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  try {
    await waitForSync(client.provider);
    const before = getRecordsMap(client.doc).toJSON();
    const storedBefore = getRecordsMap(readStoredBoard(server.dataDir, board.id)).toJSON();
    assert.deepEqual(storedBefore, before);
    let changes = 0;
    client.doc.on('update', () => changes++);

    const cases: { csv: string; message: RegExp }[] = [
      { csv: 'Summary,Issue key\nGood row,WEB-1\n"Unclosed summary,WEB-2\nAnother row,WEB-3\n', message: /^line \d+: .*quote/i },
      { csv: 'Issue key,Status,Custom field (Story Points)\nWEB-1,To Do,3\n', message: /no title column.*"Issue key", "Status"/ },
      { csv: '', message: /the file is empty/ },
      { csv: '\n\n  \n', message: /the file is empty/ },
      { csv: 'Summary,Issue key\n', message: /no row could be imported: the file has no rows/ },
    ];
    for (const { csv, message } of cases) {
      const { status, body } = await importCsv(server, board.id, board.links.edit.token, csv);
      assert.equal(status, 400, `${JSON.stringify(csv)} → ${JSON.stringify(body)}`);
      assert.equal(body.statusCode, 400);
      assert.equal(body.error, 'Bad Request');
      assert.match(body.message, message);
    }
    // Rows but none usable: the reasons come back.
    const untitled = await importCsv(server, board.id, board.links.edit.token, 'Summary,Issue key\n,WEB-1\n  ,WEB-2\n');
    assert.equal(untitled.status, 400);
    assert.equal(untitled.body.message, 'no row could be imported (row 2: no title; row 3: no title)');
    assert.deepEqual(untitled.body.skipped, [
      { row: 2, reason: 'no title' },
      { row: 3, reason: 'no title' },
    ]);

    // Longer than a flush: nothing reached the peer or the disk.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(changes, 0, 'no update reached the client');
    assert.deepEqual(getRecordsMap(client.doc).toJSON(), before);
    assert.deepEqual(getRecordsMap(readStoredBoard(server.dataDir, board.id)).toJSON(), storedBefore);
  } finally {
    closeAll(client.provider);
  }
});

test('import needs an edit or owner link and a text/csv body', async () => {
  const board = await createBoardWithLinks(server, 'Guarded', 'backlog');
  const csv = 'Summary\nOne card\n';
  const viewer = await importCsv(server, board.id, board.links.view.token, csv);
  assert.equal(viewer.status, 403);
  assert.match(viewer.body.message, /editor/);
  assert.equal((await importCsv(server, board.id, null, csv)).status, 401);
  assert.equal((await importCsv(server, board.id, 'nope.nope', csv)).status, 401);
  assert.equal((await importCsv(server, 'zzzzzzzzzzzzzz', board.links.edit.token, csv)).status, 404);

  for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
    const body = type === 'application/json' ? JSON.stringify({ csv }) : csv;
    const { status, body: error } = await importCsv(server, board.id, board.links.edit.token, body, type);
    assert.equal(status, 415, type);
    assert.equal(error.error, 'Unsupported Media Type');
    assert.match(error.message, /Content-Type: text\/csv/);
    assert.match(error.message, new RegExp(type.replace('/', '\\/')));
  }
  // A browser's file upload (multipart) is not accepted either: the file is the body.
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'cards.csv');
  const multipart = await fetch(`${server.url}/api/boards/${board.id}/import`, { method: 'POST', headers: { authorization: `Bearer ${board.links.edit.token}` }, body: form });
  assert.equal(multipart.status, 415);
  // None of the refused requests changed the board.
  assert.equal(cardRecords(recordList(readStoredBoard(server.dataDir, board.id))).length, 0);

  // With a charset parameter, it is still CSV; editors and owners may import.
  assert.equal((await importCsv(server, board.id, board.links.edit.token, csv, 'text/csv; charset=utf-8')).status, 200);
  assert.equal((await importCsv(server, board.id, board.links.owner.token, csv)).status, 200);
  assert.equal(cardRecords(recordList(readStoredBoard(server.dataDir, board.id))).length, 2);
});

test('export.csv imported into a second board keeps every card field', async () => {
  const source = await createBoardWithLinks(server, 'Q3 grooming: web/checkout', 'backlog');
  const result = await imported(server, source.id, source.links.edit.token, JIRA_CSV);
  // Fields no Jira export carries, set on the canvas: votes, a "?" estimate.
  const client = connectClient(server.wsUrl, source.id, undefined, source.links.edit.token);
  try {
    await waitForSync(client.provider);
    const records = getRecordsMap(client.doc);
    const [a, b] = [records.get(result.cardIds[0]!)!, records.get(result.cardIds[1]!)!];
    client.doc.transact(() => {
      records.set(a.id, { ...a, props: { ...(a['props'] as StoryCardProps), votes: 4 } });
      records.set(b.id, { ...b, props: { ...(b['props'] as StoryCardProps), estimate: '?', votes: 1, labels: ['checkout', 'needs spike'] } });
    });
    await waitFor(() => cardRecords(recordList(readStoredBoard(server.dataDir, source.id))).some((r) => (r['props'] as StoryCardProps).votes === 4), 'the votes to reach the server');
    const expected = cardRecords(recordList(client.doc)).map((r) => r['props'] as StoryCardProps).sort(byKey);
    assert.equal(expected.length, JIRA_CARDS);

    const response = await exportFile(server, source.id, source.links.view.token, 'csv');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    const disposition = response.headers.get('content-disposition') ?? '';
    const filename = /^attachment; filename="([^"]+)"/.exec(disposition)?.[1];
    assert.ok(filename, disposition);
    assert.match(filename, /^Q3 grooming[A-Za-z0-9 ._-]*\.csv$/);
    assert.doesNotMatch(filename, /[/:\\]/);
    const csv = await response.text();
    assert.match(csv.split('\n')[0]!, /^Key,Title,Description,Estimate,Status,Assignee,Labels,Priority,Votes,Lane/);

    const target = await createBoardWithLinks(server, 'Copy', 'backlog');
    const copy = await imported(server, target.id, target.links.edit.token, csv);
    assert.equal(copy.imported, JIRA_CARDS);
    assert.deepEqual(copy.skipped, []);
    assert.deepEqual(copy.warnings, []);
    const copied = cardRecords(recordList(readStoredBoard(server.dataDir, target.id))).map((r) => r['props'] as StoryCardProps).sort(byKey);
    assert.deepEqual(copied, expected);
    assert.ok(copied.some((p) => p.votes === 4) && copied.some((p) => p.estimate === '?') && copied.some((p) => p.description.includes('\n')));
  } finally {
    closeAll(client.provider);
  }
});

test('export.md has a heading with the totals for every lane, and the cards as tables', async () => {
  const board = await createBoardWithLinks(server, 'Sprint | 42', 'backlog');
  await imported(server, board.id, board.links.edit.token, JIRA_CSV);
  const response = await exportFile(server, board.id, board.links.view.token, 'md');
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/markdown; charset=utf-8');
  assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="[A-Za-z0-9 ._-]+\.md"/);
  const markdown = await response.text();
  const lines = markdown.split('\n');
  assert.equal(lines[0], '# Sprint \\| 42');
  const headings = lines.filter((line) => line.startsWith('## '));
  assert.deepEqual(headings, [
    '## Inbox (8 cards · 37 pts + 1 unestimated)',
    '## Needs refinement (0 cards · 0 pts)',
    '## Ready for sprint (0 cards · 0 pts)',
    '## Out of scope (0 cards · 0 pts)',
  ]);
  // The same totals the board derives.
  const stored = readStoredBoard(server.dataDir, board.id);
  const model = derivePlanning(recordList(stored));
  for (const lane of model.lanes) assert.ok(headings.includes(`## ${lane.name} (${formatTotal(model.laneTotals.get(lane.id)!)})`), lane.name);
  assert.ok(lines.includes('| WEB-201 | Guest checkout without an account | 5 | To do | Priya Nair | checkout, guest |'), markdown);
  assert.ok(lines.includes('| WEB-203 | Refunds, including partial refunds | 13 | To do |  | payments, finance |'), markdown);
  assert.ok(lines.includes('8 cards, 37 points in all.'));
});

test('export.json is the whole document; exports need at least a view link', async () => {
  const board = await createBoardWithLinks(server, 'Sprint 7', 'sprint');
  const result = await imported(server, board.id, board.links.edit.token, LINEAR_CSV);
  const client = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
  try {
    await waitForSync(client.provider);
    const response = await exportFile(server, board.id, board.links.view.token, 'json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const exported = (await response.json()) as BoardExport;
    assert.deepEqual(exported.board, { id: board.id, title: 'Sprint 7', createdAt: board.createdAt });
    assert.equal(exported.layoutVersion, 1);
    // Written by the server alone, the board still records tldraw's schema, as a client would.
    assert.deepEqual(exported.schema, TLDRAW_SCHEMA);
    assert.deepEqual(exported.records, getRecordsMap(client.doc).toJSON());
    for (const id of result.cardIds) assert.equal((exported.records[id] as StoredRecord)['type'], STORY_CARD_TYPE);
    // The sprint template's backlog column took the cards, not the sprint.
    const model = derivePlanning(Object.values(exported.records) as StoredRecord[]);
    const backlog = model.lanes.find((lane) => lane.kind === 'backlog')!;
    assert.equal(model.laneTotals.get(backlog.id)!.count, 4);
  } finally {
    closeAll(client.provider);
  }
  for (const format of ['csv', 'md', 'json'] as const) {
    assert.equal((await exportFile(server, board.id, null, format)).status, 401, format);
    assert.equal((await exportFile(server, board.id, board.links.edit.token, format)).status, 200, format);
    assert.equal((await exportFile(server, board.id, board.links.owner.token, format)).status, 200, format);
    assert.equal((await exportFile(server, 'zzzzzzzzzzzzzz', board.links.view.token, format)).status, 404, format);
  }
});

test('an import is on disk when the answer comes: it survives kill -9 and a restart', async () => {
  const first = await startServer();
  let second: RunningServer | null = null;
  try {
    const board = await createBoardWithLinks(first, 'Durable', 'backlog');
    const result = await imported(first, board.id, board.links.edit.token, JIRA_CSV);
    // No waiting: the 200 came after the write.
    const stored = cardRecords(recordList(readStoredBoard(first.dataDir, board.id)));
    assert.deepEqual(stored.map((r) => r.id).sort(), [...result.cardIds].sort());
    await first.kill();

    second = await startServer({ dataDir: first.dataDir });
    // Exported from storage with nobody connected.
    const csv = await (await exportFile(second, board.id, board.links.view.token, 'csv')).text();
    assert.equal(csv.trim().split('\n').filter((line) => /^WEB-\d+,/.test(line)).length, JIRA_CARDS);
    const client = connectClient(second.wsUrl, board.id, undefined, board.links.view.token);
    try {
      await waitForSync(client.provider);
      assertInLaneWithoutOverlap(recordList(client.doc), 'Inbox', result.cardIds);
    } finally {
      closeAll(client.provider);
    }
  } finally {
    await first.kill();
    if (second) await second.stop();
    first.cleanup();
  }
});
