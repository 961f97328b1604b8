import Papa from 'papaparse';
import { parseCardsCsv, type CsvImport, type SkippedRow } from './csv.js';
import { STORY_CARD_LIMITS, type StoryCardProps } from './story-card.js';
import type { LaneView } from './structure.js';

/**
 * What a CSV import will do, before it does it: which columns of the file are used and how, which
 * are not, and where each card goes. The import dialog shows this as a preview; the server's
 * import route runs the same analysis, so the preview is what happens.
 *
 * Beyond the card fields `parseCardsCsv` reads, a Jira or Linear file knows two things about
 * where a card belongs: its sprint (Jira `Sprint`, Linear `Cycle Name`), which puts the card into
 * the sprint frame of that name, and its epic or parent, which keeps the cards of one epic
 * together (a row of the grid each) and becomes one of the card's labels.
 */

export type CardField = CsvImport['columns'][string];

export const FIELD_NAMES: Record<CardField, string> = {
  title: 'Title',
  description: 'Description',
  estimate: 'Estimate (points)',
  status: 'Status',
  assignee: 'Assignee',
  labels: 'Labels',
  priority: 'Priority',
  votes: 'Votes',
  externalKey: 'Key',
};

/** Lower-case headers naming a card's sprint; when a file repeats one (Jira does), the last filled cell wins. */
const SPRINT_HEADERS = ['sprint', 'custom field (sprint)', 'cycle name', 'cycle'];
/** Lower-case headers naming a card's epic or parent, best first: a name reads better than a key. */
const GROUP_HEADERS = ['parent summary', 'epic link summary', 'epic link', 'custom field (epic link)', 'parent issue', 'parent', 'epic'];

export type ColumnUse = { kind: 'field'; field: CardField } | { kind: 'sprint' } | { kind: 'group' } | { kind: 'ignored' };

export interface PreviewColumn {
  header: string;
  use: ColumnUse;
}

export interface ImportCard {
  props: StoryCardProps;
  /** The card's row in the file (the header is row 1). */
  row: number;
  sprint: string | null;
  /** The epic or parent the card belongs to. */
  group: string | null;
}

export interface CsvAnalysis {
  cards: ImportCard[];
  skipped: SkippedRow[];
  warnings: SkippedRow[];
  /** Every column of the file, in file order (a repeated header appears once). */
  columns: PreviewColumn[];
}

/** Reads a CSV export into cards with their sprint and epic. Throws `CsvFormatError` like `parseCardsCsv`. */
export function analyseCardsCsv(text: string): CsvAnalysis {
  const parsed = parseCardsCsv(text);
  // Same options as parseCardsCsv, so that data index `row - 1` is the file row `row`.
  const data = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' }).data;
  const header = (data[0] ?? []).map((cell) => cell.trim());
  const lower = header.map((cell) => cell.toLowerCase());

  const sprintColumns = lower.flatMap((cell, i) => (SPRINT_HEADERS.includes(cell) ? [i] : []));
  const groupHeader = GROUP_HEADERS.find((name) => lower.includes(name));
  const groupColumn = groupHeader === undefined ? -1 : lower.indexOf(groupHeader);

  const columns: PreviewColumn[] = [];
  const seen = new Set<string>();
  header.forEach((cell, i) => {
    if (cell === '' || seen.has(cell.toLowerCase())) return;
    seen.add(cell.toLowerCase());
    const field = parsed.columns[cell];
    const use: ColumnUse = field
      ? { kind: 'field', field }
      : sprintColumns.includes(i) ? { kind: 'sprint' }
      : i === groupColumn ? { kind: 'group' }
      : { kind: 'ignored' };
    columns.push({ header: cell, use });
  });

  const cards = parsed.cards.map((props, i): ImportCard => {
    const row = parsed.cardRows[i]!;
    const cells = data[row - 1] ?? [];
    const sprint = sprintColumns.map((column) => cells[column]?.trim() ?? '').filter(Boolean).at(-1) ?? null;
    const group = groupColumn >= 0 ? cells[groupColumn]?.trim() || null : null;
    return { props: group ? withLabel(props, group) : props, row, sprint, group };
  });
  return { cards, skipped: parsed.skipped, warnings: parsed.warnings, columns };
}

/** The epic becomes a label (so the backlog table can filter by it), within the card's label limits. */
function withLabel(props: StoryCardProps, group: string): StoryCardProps {
  const label = group.slice(0, STORY_CARD_LIMITS.label);
  if (props.labels.includes(label) || props.labels.length >= STORY_CARD_LIMITS.labels) return props;
  return { ...props, labels: [...props.labels, label] };
}

const normalise = (name: string) => name.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * The sprint frame a Jira sprint belongs in: the one of the same name (case and spacing aside),
 * or else the one whose name ends the sprint's ("PB Sprint 4" goes into a frame named "Sprint 4").
 */
export function matchSprintFrame(sprint: string, lanes: readonly LaneView[]): LaneView | null {
  const wanted = normalise(sprint);
  if (!wanted) return null;
  const frames = lanes.filter((lane) => lane.kind === 'sprint' && normalise(lane.name) !== '');
  return (
    frames.find((lane) => normalise(lane.name) === wanted) ??
    frames.find((lane) => wanted.endsWith(` ${normalise(lane.name)}`)) ??
    null
  );
}

/** Where new cards go when nothing in the file says otherwise: the backlog lane, else the first lane that is not a sprint. */
export function defaultImportLane(lanes: readonly LaneView[]): LaneView | null {
  return lanes.find((l) => l.kind === 'backlog') ?? lanes.find((l) => l.kind !== 'sprint') ?? lanes[0] ?? null;
}

export interface ImportDestination {
  /** The lane, or null for the page of a board without lanes. */
  laneId: string | null;
  name: string | null;
  count: number;
  /** True for a sprint frame the file's Sprint column chose. */
  bySprint: boolean;
}

export interface ImportPlan extends CsvAnalysis {
  /** The lane of each card (same order as `cards`); null for the page of a board without lanes. */
  laneIds: (string | null)[];
  destinations: ImportDestination[];
  /** Plain sentences on what the file has that will not be used, or lacks. */
  notes: string[];
}

/** Decides where each analysed card goes on a board with these lanes, and says what is left out. */
export function planImport(analysis: CsvAnalysis, lanes: readonly LaneView[]): ImportPlan {
  const fallback = defaultImportLane(lanes);
  const destinations = new Map<string | null, ImportDestination>();
  const unmatched = new Set<string>();
  const laneIds = analysis.cards.map((card) => {
    const frame = card.sprint ? matchSprintFrame(card.sprint, lanes) : null;
    if (card.sprint && !frame) unmatched.add(card.sprint);
    const lane = frame ?? fallback;
    const id = lane?.id ?? null;
    const destination = destinations.get(id) ?? { laneId: id, name: lane ? lane.name || 'Untitled lane' : null, count: 0, bySprint: frame !== null };
    destination.count++;
    destinations.set(id, destination);
    return id;
  });

  // Without a sprint frame on the board, the file's Sprint column has nothing to do.
  const hasSprintFrames = lanes.some((lane) => lane.kind === 'sprint');
  const columns = hasSprintFrames ? analysis.columns : analysis.columns.map((c): PreviewColumn => (c.use.kind === 'sprint' ? { ...c, use: { kind: 'ignored' } } : c));
  const notes: string[] = [];
  const used = (kind: ColumnUse['kind'], field?: CardField) =>
    columns.some((c) => c.use.kind === kind && (field === undefined || (c.use.kind === 'field' && c.use.field === field)));
  if (!used('field', 'estimate')) notes.push('No story points column: the cards start unestimated.');
  if (!used('field', 'status')) notes.push('No status column: the cards start as To do.');
  const sprintHeader = analysis.columns.find((c) => c.use.kind === 'sprint')?.header;
  if (sprintHeader && unmatched.size > 0) {
    const names = [...unmatched].slice(0, 3).map((name) => `“${name}”`).join(', ');
    const more = unmatched.size > 3 ? ` and ${unmatched.size - 3} more` : '';
    notes.push(
      hasSprintFrames
        ? `${sprintHeader}: no sprint frame is named ${names}${more}; those cards go into ${fallback?.name || 'the board'}.`
        : `${sprintHeader} not used: the board has no sprint frame.`,
    );
  }
  // A Sprint column already explained above is not listed again.
  const explained = sprintHeader && unmatched.size > 0 ? sprintHeader : null;
  const ignored = columns.filter((c) => c.use.kind === 'ignored' && c.header !== explained).map((c) => c.header);
  if (ignored.length > 0) notes.push(`${listOf(ignored, 6)} ${ignored.length === 1 ? 'is' : 'are'} not used.`);
  return { ...analysis, columns, laneIds, destinations: [...destinations.values()], notes };
}

/** "A", "A and B", "A, B and C", "A, B, C and 4 more". */
function listOf(items: string[], limit: number): string {
  if (items.length === 1) return items[0]!;
  if (items.length <= limit) return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

/** What a column is used for, in words: "Title", "Sprint frame", "Epic: groups cards", "Not used". */
export function columnUseLabel(use: ColumnUse): string {
  switch (use.kind) {
    case 'field':
      return FIELD_NAMES[use.field];
    case 'sprint':
      return 'Sprint frame of that name';
    case 'group':
      return 'Groups cards by epic, as a label';
    case 'ignored':
      return 'Not used';
  }
}
