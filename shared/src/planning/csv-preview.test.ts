import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseCardsCsv, columnUseLabel, matchSprintFrame, planImport } from './csv-preview.js';
import { CsvFormatError } from './csv.js';
import { buildTemplate } from './templates.js';
import { derivePlanning, type LaneView } from './structure.js';

// Shaped like Jira Cloud's export: two Sprint columns (an issue carried over), an epic's name.
const JIRA = `Summary,Issue key,Issue Type,Status,Sprint,Sprint,Parent summary,Reporter
Save cart,SHOP-1,Story,To Do,PB Sprint 1,,Checkout,Grace
Pay with card,SHOP-2,Story,In Progress,PB Sprint 0,Sprint 1,Checkout,Grace
Search by name,SHOP-3,Story,To Do,,,Search,Grace
Fix footer,SHOP-4,Bug,Done,Sprint 9,,,Grace
,SHOP-5,Story,To Do,,,,Grace
`;

const lanes = (template: Parameters<typeof buildTemplate>[0]): LaneView[] => derivePlanning(buildTemplate(template)).lanes;

test('each column of a Jira file is named with what it becomes; Issue Type and Reporter are not used', () => {
  const analysis = analyseCardsCsv(JIRA);
  assert.deepEqual(
    analysis.columns.map((c) => [c.header, columnUseLabel(c.use)]),
    [
      ['Summary', 'Title'],
      ['Issue key', 'Key'],
      ['Issue Type', 'Not used'],
      ['Status', 'Status'],
      ['Sprint', 'Sprint frame of that name'],
      ['Parent summary', 'Groups cards by epic, as a label'],
      ['Reporter', 'Not used'],
    ],
  );
  assert.deepEqual(analysis.skipped, [{ row: 6, reason: 'no title' }]);
  assert.deepEqual(analysis.cards.map((c) => [c.row, c.sprint, c.group]), [
    [2, 'PB Sprint 1', 'Checkout'],
    [3, 'Sprint 1', 'Checkout'],
    [4, null, 'Search'],
    [5, 'Sprint 9', null],
  ]);
  assert.deepEqual(analysis.cards[0]!.props.labels, ['Checkout'], 'the epic becomes a label');
});

test('sprint names match a sprint frame exactly (case and spaces aside) or as the end of a Jira sprint name', () => {
  const sprintLanes = lanes('sprint');
  const frame = sprintLanes.find((l) => l.kind === 'sprint')!;
  assert.equal(frame.name, 'Sprint 1');
  assert.equal(matchSprintFrame('sprint  1', sprintLanes)?.id, frame.id);
  assert.equal(matchSprintFrame('PB Sprint 1', sprintLanes)?.id, frame.id);
  assert.equal(matchSprintFrame('Sprint 11', sprintLanes), null);
  assert.equal(matchSprintFrame('PBSprint 1', sprintLanes), null);
  assert.equal(matchSprintFrame('Backlog', sprintLanes), null, 'only sprint frames match');
  assert.equal(matchSprintFrame('', sprintLanes), null);
});

test('the plan puts matching cards into the sprint frame, the rest into the backlog, and says what is left out', () => {
  const sprintLanes = lanes('sprint');
  const plan = planImport(analyseCardsCsv(JIRA), sprintLanes);
  const backlog = sprintLanes.find((l) => l.kind === 'backlog')!;
  const frame = sprintLanes.find((l) => l.kind === 'sprint')!;
  assert.deepEqual(plan.laneIds, [frame.id, frame.id, backlog.id, backlog.id]);
  assert.deepEqual(
    plan.destinations.map((d) => [d.name, d.count, d.bySprint]),
    [['Sprint 1', 2, true], ['Backlog', 2, false]],
  );
  assert.deepEqual(plan.notes, [
    'No story points column: the cards start unestimated.',
    'Sprint: no sprint frame is named “Sprint 9”; those cards go into Backlog.',
    'Issue Type and Reporter are not used.',
  ]);
});

test('on a board without sprint frames the Sprint column is reported unused; without lanes cards go onto the page', () => {
  const plan = planImport(analyseCardsCsv(JIRA), lanes('backlog'));
  assert.deepEqual(plan.notes, [
    'No story points column: the cards start unestimated.',
    'Sprint not used: the board has no sprint frame.',
    'Issue Type and Reporter are not used.',
  ]);
  assert.equal(columnUseLabel(plan.columns.find((c) => c.header === 'Sprint')!.use), 'Not used');
  const emptySprints = planImport(analyseCardsCsv('Title,Sprint\nOne,\n'), lanes('story-map'));
  assert.deepEqual(emptySprints.notes, ['No story points column: the cards start unestimated.', 'No status column: the cards start as To do.', 'Sprint is not used.']);
  assert.deepEqual(plan.destinations.map((d) => [d.name, d.count]), [['Inbox', 4]]);
  const blank = planImport(analyseCardsCsv('Title,Estimate,Status\nOne,3,Done\n'), []);
  assert.deepEqual(blank.destinations, [{ laneId: null, name: null, count: 1, bySprint: false }]);
  assert.deepEqual(blank.notes, []);
});

test('Linear: Cycle Name is the sprint, Parent issue the group; a file without a title column is refused', () => {
  const analysis = analyseCardsCsv('ID,Title,Estimate,Cycle Name,Parent issue\nENG-1,Onboarding,3,Sprint 1,ENG-0\n');
  assert.deepEqual(analysis.cards.map((c) => [c.sprint, c.group]), [['Sprint 1', 'ENG-0']]);
  assert.throws(() => analyseCardsCsv('Key,Points\nA-1,3\n'), CsvFormatError);
});
