import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CardStatus, CardView, Estimate, LaneView, Priority, StoryCardProps } from '@planboard/shared';
import {
  NONE,
  buildRows,
  emptyFilters,
  filterOptions,
  filterRows,
  hasFilters,
  parseLabels,
  sortRows,
  summarize,
  toggleSort,
  type BacklogRow,
} from './backlog-rows.js';

function card(id: string, props: Partial<StoryCardProps>, laneId: string | null = null): CardView {
  return {
    id,
    props: { title: '', description: '', estimate: 'none', status: 'todo', assignee: '', labels: [], priority: 'none', votes: 0, externalKey: '', ...props },
    center: { x: 0, y: 0 },
    laneId,
    activityId: null,
    themeId: null,
    index: `a${id}`,
  };
}

const lane = (id: string, name: string): LaneView => ({ id, kind: 'column', name, box: { x: 0, y: 0, w: 100, h: 100 }, capacity: null });

const lanes = [lane('shape:todo', 'To do'), lane('shape:doing', 'Doing')];
const cards = [
  card('shape:1', { title: 'Login page', externalKey: 'PROJ-10', estimate: '5', status: 'in-progress', assignee: 'Ada', labels: ['auth', 'web'], priority: 'high' }, 'shape:doing'),
  card('shape:2', { title: 'Password reset', externalKey: 'PROJ-2', estimate: '?', status: 'todo', labels: ['auth'], priority: 'low', description: 'Email a magic link' }, 'shape:todo'),
  card('shape:3', { title: 'billing export', externalKey: 'PROJ-3', estimate: '13', status: 'done', assignee: 'Grace', priority: 'urgent' }),
  card('shape:4', { title: 'Audit log', externalKey: '', estimate: 'none', status: 'blocked', assignee: 'Ada', labels: ['ops'] }, 'shape:todo'),
  card('shape:5', { title: 'Dark mode', externalKey: 'PROJ-1', estimate: '1', status: 'todo', priority: 'medium' }, 'shape:doing'),
];
const rows = buildRows({ cards, lanes });
const ids = (list: BacklogRow[]) => list.map((row) => row.card.id.slice('shape:'.length)).join(',');

test('rows carry the lane name, or nothing for cards in no lane', () => {
  assert.deepEqual(rows.map((row) => row.laneName), ['Doing', 'To do', '', 'To do', 'Doing']);
  assert.deepEqual(rows.map((row) => row.order), [0, 1, 2, 3, 4]);
});

test('no sort keeps the board order', () => {
  assert.equal(sortRows(rows, null), rows);
});

test('estimate sorts numerically with none and ? last in both directions', () => {
  assert.equal(ids(sortRows(rows, { key: 'estimate', direction: 'asc' })), '5,1,3,2,4');
  assert.equal(ids(sortRows(rows, { key: 'estimate', direction: 'desc' })), '3,1,5,2,4');
});

test('keys sort naturally (PROJ-2 before PROJ-10), empty keys last', () => {
  assert.equal(ids(sortRows(rows, { key: 'key', direction: 'asc' })), '5,2,3,1,4');
  assert.equal(ids(sortRows(rows, { key: 'key', direction: 'desc' })), '1,3,2,5,4');
});

test('titles sort case-insensitively; lanes and assignees put the empty ones last', () => {
  assert.equal(ids(sortRows(rows, { key: 'title', direction: 'asc' })), '4,3,5,1,2');
  assert.equal(ids(sortRows(rows, { key: 'lane', direction: 'asc' })), '1,5,2,4,3');
  assert.equal(ids(sortRows(rows, { key: 'assignee', direction: 'asc' })), '1,4,3,2,5');
  assert.equal(ids(sortRows(rows, { key: 'assignee', direction: 'desc' })), '3,1,4,2,5');
});

test('status sorts in workflow order and priority by urgency, no priority last', () => {
  assert.equal(ids(sortRows(rows, { key: 'status', direction: 'asc' })), '2,5,1,4,3');
  assert.equal(ids(sortRows(rows, { key: 'priority', direction: 'asc' })), '2,5,1,3,4');
  assert.equal(ids(sortRows(rows, { key: 'priority', direction: 'desc' })), '3,1,5,2,4');
});

test('clicking a column sorts it ascending, clicking again flips it', () => {
  const first = toggleSort(null, 'title');
  assert.deepEqual(first, { key: 'title', direction: 'asc' });
  const second = toggleSort(first, 'title');
  assert.deepEqual(second, { key: 'title', direction: 'desc' });
  assert.deepEqual(toggleSort(second, 'title'), { key: 'title', direction: 'asc' });
  assert.deepEqual(toggleSort(second, 'status'), { key: 'status', direction: 'asc' });
});

test('text search matches title, description, key and labels, every word', () => {
  const search = (text: string) => ids(filterRows(rows, { ...emptyFilters(), text }));
  assert.equal(search('LOGIN'), '1');
  assert.equal(search('magic'), '2');
  assert.equal(search('proj-3'), '3');
  assert.equal(search('ops'), '4');
  assert.equal(search('auth'), '1,2');
  assert.equal(search('auth  web'), '1');
  assert.equal(search('nothing-like-this'), '');
  assert.equal(filterRows(rows, emptyFilters()), rows);
});

test('select filters: lane, no lane, status, assignee, unassigned, label, estimate, combined', () => {
  const only = (patch: Partial<ReturnType<typeof emptyFilters>>) => ids(filterRows(rows, { ...emptyFilters(), ...patch }));
  assert.equal(only({ lane: 'shape:todo' }), '2,4');
  assert.equal(only({ lane: NONE }), '3');
  assert.equal(only({ status: 'todo' }), '2,5');
  assert.equal(only({ assignee: 'Ada' }), '1,4');
  assert.equal(only({ assignee: NONE }), '2,5');
  assert.equal(only({ label: 'auth' }), '1,2');
  assert.equal(only({ label: NONE }), '3,5');
  assert.equal(only({ estimate: '?' }), '2');
  assert.equal(only({ lane: 'shape:doing', assignee: 'Ada', text: 'login' }), '1');
  assert.equal(hasFilters(emptyFilters()), false);
  assert.equal(hasFilters({ ...emptyFilters(), text: 'x' }), true);
});

test('filter options list only values present, in a stable order', () => {
  const options = filterOptions(rows);
  assert.deepEqual(options.lanes, [{ value: 'shape:doing', label: 'Doing' }, { value: 'shape:todo', label: 'To do' }, { value: NONE, label: 'No lane' }]);
  assert.deepEqual(options.statuses, ['todo', 'in-progress', 'done', 'blocked']);
  assert.deepEqual(options.assignees.map((o) => o.label), ['Ada', 'Grace', 'Unassigned']);
  assert.deepEqual(options.labels.map((o) => o.value), ['auth', 'ops', 'web', NONE]);
  assert.deepEqual(options.estimates, ['none', '1', '5', '13', '?']);
  assert.deepEqual(filterOptions([]), { lanes: [], statuses: [], assignees: [], labels: [], estimates: [] });
});

test('a chosen filter value stays among the options after its last card changed', () => {
  const current = { text: '', lane: 'shape:gone', status: 'done' as const, assignee: 'Linus', label: 'legacy', estimate: '21' as const };
  const options = filterOptions(rows.slice(0, 2), current);
  assert.deepEqual(options.lanes.map((o) => o.label), ['Doing', 'Removed lane', 'To do']);
  assert.deepEqual(options.statuses, ['todo', 'in-progress', 'done']);
  assert.deepEqual(options.estimates, ['5', '21', '?']);
  assert.ok(options.assignees.some((o) => o.value === 'Linus'));
  assert.ok(options.labels.some((o) => o.value === 'legacy'));
  const none = filterOptions(rows.slice(0, 1), { ...emptyFilters(), lane: NONE, assignee: NONE, label: NONE });
  assert.equal(none.lanes.at(-1)!.value, NONE);
  assert.equal(none.assignees.at(-1)!.label, 'Unassigned');
  assert.equal(none.labels.at(-1)!.label, 'No labels');
});

test('the footer counts filtered cards and their points (none and ? count 0)', () => {
  assert.equal(summarize(rows, rows.length), '5 of 5 cards · 19 pts');
  assert.equal(summarize(filterRows(rows, { ...emptyFilters(), lane: 'shape:todo' }), 5), '2 of 5 cards · 0 pts');
  assert.equal(summarize([], 1), '0 of 1 card · 0 pts');
});

test('labels split on commas, trimmed, deduplicated and bounded', () => {
  assert.deepEqual(parseLabels(' a, b ,,a, c '), ['a', 'b', 'c']);
  assert.deepEqual(parseLabels(''), []);
  assert.deepEqual(parseLabels('x'.repeat(80)), ['x'.repeat(60)]);
  assert.deepEqual(parseLabels(Array.from({ length: 30 }, (_, i) => `l${i}`).join(',')).length, 20);
});

test('2,000 generated cards sort and filter correctly', () => {
  const estimates: Estimate[] = ['none', '0', '1', '2', '3', '5', '8', '13', '21', '?'];
  const statuses: CardStatus[] = ['todo', 'in-progress', 'done', 'blocked'];
  const priorities: Priority[] = ['none', 'low', 'medium', 'high', 'urgent'];
  const manyLanes = Array.from({ length: 8 }, (_, i) => lane(`shape:lane${i}`, `Sprint ${i + 1}`));
  const many = Array.from({ length: 2000 }, (_, i) =>
    card(
      `shape:c${String(i).padStart(4, '0')}`,
      {
        title: `Story ${(i * 7919) % 2000}`,
        externalKey: `PROJ-${i + 1}`,
        estimate: estimates[i % estimates.length]!,
        status: statuses[i % statuses.length]!,
        priority: priorities[i % priorities.length]!,
        assignee: i % 3 === 0 ? '' : `person${i % 11}`,
        labels: i % 5 === 0 ? [] : [`team-${i % 4}`],
      },
      i % 9 === 0 ? null : `shape:lane${i % 8}`,
    ),
  );
  const all = buildRows({ cards: many, lanes: manyLanes });
  assert.equal(all.length, 2000);

  // Numeric estimates in order, ties in board order, then the 400 unestimated ones in board order.
  const byEstimate = sortRows(all, { key: 'estimate', direction: 'asc' });
  assert.equal(byEstimate.length, 2000);
  const numeric = byEstimate.slice(0, 1600).map((row) => Number(row.card.props.estimate));
  assert.ok(numeric.every((value, i) => i === 0 || numeric[i - 1]! <= value));
  assert.ok(byEstimate.slice(1600).every((row) => row.card.props.estimate === 'none' || row.card.props.estimate === '?'));
  for (let i = 1; i < byEstimate.length; i++) {
    const [a, b] = [byEstimate[i - 1]!, byEstimate[i]!];
    if (a.card.props.estimate === b.card.props.estimate || i > 1600) assert.ok(a.order < b.order, 'ties keep the board order');
  }
  const descending = sortRows(all, { key: 'estimate', direction: 'desc' });
  assert.equal(descending[0]!.card.props.estimate, '21');
  assert.ok(descending.slice(1600).every((row) => row.card.props.estimate === 'none' || row.card.props.estimate === '?'));

  // Natural key order: PROJ-1 … PROJ-2000.
  const byKey = sortRows(all, { key: 'key', direction: 'asc' });
  assert.deepEqual(byKey.map((row) => row.card.props.externalKey), many.map((c) => c.props.externalKey));
  assert.equal(sortRows(all, { key: 'key', direction: 'desc' })[0]!.card.props.externalKey, 'PROJ-2000');

  // The input is never reordered in place.
  assert.deepEqual(all.map((row) => row.order), Array.from({ length: 2000 }, (_, i) => i));

  // Filters agree with a plain count.
  const filters = { ...emptyFilters(), lane: 'shape:lane3', status: 'blocked' as const };
  const expected = many.filter((c) => c.laneId === 'shape:lane3' && c.props.status === 'blocked');
  assert.ok(expected.length > 0);
  assert.deepEqual(filterRows(all, filters).map((row) => row.card.id), expected.map((c) => c.id));
  assert.equal(filterRows(all, { ...emptyFilters(), lane: NONE }).length, many.filter((c) => c.laneId === null).length);
  const found = filterRows(all, { ...emptyFilters(), text: 'STORY 1999' });
  assert.deepEqual(
    found.map((row) => row.card.id),
    many.filter((c) => `${c.props.title} ${c.props.externalKey}`.toLowerCase().includes('1999')).map((c) => c.id),
  );
  assert.ok(found.some((row) => row.card.props.title === 'Story 1999'));
  assert.equal(filterRows(all, { ...emptyFilters(), label: 'team-2' }).length, many.filter((c) => c.props.labels.includes('team-2')).length);

  const options = filterOptions(all);
  assert.equal(options.lanes.length, 9);
  assert.deepEqual(options.estimates, estimates);
  assert.equal(options.assignees.at(-1)!.value, NONE);
  const points = many.reduce((sum, c) => sum + (Number(c.props.estimate) || 0), 0);
  assert.equal(summarize(all, 2000), `2000 of 2000 cards · ${points} pts`);
});

test('labels typed in the panel or the table lose control characters (NUL, ESC, bidi overrides)', () => {
  assert.deepEqual(parseLabels('ur\u0000gent, \u202Eevil\u001b, ok'), ['urgent', 'evil', 'ok']);
});

test('votes sort most first on the first click, cards without votes last', () => {
  const voted = buildRows({ cards: [card('shape:a', { votes: 2 }), card('shape:b', {}), card('shape:c', { votes: 5 }), card('shape:d', { votes: 1 })], lanes });
  const sort = toggleSort(null, 'votes');
  assert.deepEqual(sort, { key: 'votes', direction: 'desc' });
  assert.equal(sortRows(voted, sort).map((row) => row.card.id).join(','), 'shape:c,shape:a,shape:d,shape:b');
});
