import { stripControlCharacters, type CardStatus, type CardView, type Estimate, type PlanningModel, type Priority } from '@planboard/shared';

/**
 * The backlog table's rows: one per story card, with its lane's name, filtered and sorted. Pure
 * (no Svelte, no DOM) so that it runs under Node in the unit tests, and fast enough to run on
 * every model change of a 2,000-card board.
 *
 * Only `import type` from shared: the orders below mirror ESTIMATES, STATUSES and PRIORITIES.
 */

export interface BacklogRow {
  card: CardView;
  /** Name of the card's lane, '' when it is in none (or the lane has no name). */
  laneName: string;
  /** Position in the board's default order (the model's order), the tie-breaker of every sort. */
  order: number;
}

export const SORT_KEYS = ['key', 'title', 'lane', 'estimate', 'votes', 'status', 'assignee', 'labels', 'priority'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';
export interface BacklogSort {
  key: SortKey;
  direction: SortDirection;
}

/** A filter value of '' means "any". */
export const NONE = '\u0000none';

export interface BacklogFilters {
  /** Words that must all appear in the title, description, key or labels (case-insensitive). */
  text: string;
  /** A lane id, NONE for cards in no lane, or '' for any. */
  lane: string;
  status: CardStatus | '';
  /** An assignee, NONE for unassigned cards, or ''. */
  assignee: string;
  /** A label, NONE for cards without labels, or ''. */
  label: string;
  estimate: Estimate | '';
}

export const emptyFilters = (): BacklogFilters => ({ text: '', lane: '', status: '', assignee: '', label: '', estimate: '' });

export function hasFilters(filters: BacklogFilters): boolean {
  return Object.values(filters).some((value) => value.trim() !== '');
}

export function buildRows(model: Pick<PlanningModel, 'cards' | 'lanes'>): BacklogRow[] {
  const laneNames = new Map(model.lanes.map((lane) => [lane.id, lane.name]));
  return model.cards.map((card, order) => ({ card, laneName: card.laneId ? (laneNames.get(card.laneId) ?? '') : '', order }));
}

export function filterRows(rows: BacklogRow[], filters: BacklogFilters): BacklogRow[] {
  const words = filters.text.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const { lane, status, assignee, label, estimate } = filters;
  if (words.length === 0 && !lane && !status && !assignee && !label && !estimate) return rows;
  return rows.filter(({ card }) => {
    const props = card.props;
    if (lane && (lane === NONE ? card.laneId !== null : card.laneId !== lane)) return false;
    if (status && props.status !== status) return false;
    if (estimate && props.estimate !== estimate) return false;
    if (assignee && (assignee === NONE ? props.assignee.trim() !== '' : props.assignee !== assignee)) return false;
    if (label && (label === NONE ? props.labels.length > 0 : !props.labels.includes(label))) return false;
    if (words.length > 0) {
      const haystack = `${props.title}\n${props.description}\n${props.externalKey}\n${props.labels.join('\n')}`.toLocaleLowerCase();
      if (!words.every((word) => haystack.includes(word))) return false;
    }
    return true;
  });
}

const STATUS_ORDER: Record<CardStatus, number> = { todo: 0, 'in-progress': 1, blocked: 2, done: 3 };
/** Least to most pressing; "no priority" sorts last either way. */
const PRIORITY_ORDER: Record<Priority, number> = { low: 0, medium: 1, high: 2, urgent: 3, none: Number.NaN };
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** A sort value: a number or a string, or null for "empty", which sorts last in both directions. */
type SortValue = number | string | null;

function sortValue(row: BacklogRow, key: SortKey): SortValue {
  const props = row.card.props;
  const text = (value: string) => (value.trim() === '' ? null : value);
  switch (key) {
    case 'key':
      return text(props.externalKey);
    case 'title':
      return text(props.title);
    case 'lane':
      return text(row.laneName);
    case 'estimate': {
      // `none` and `?` are not numbers: they go last.
      const points = props.estimate === 'none' || props.estimate === '?' ? Number.NaN : Number(props.estimate);
      return Number.isFinite(points) ? points : null;
    }
    case 'votes':
      // A dot vote's results; cards nobody voted for go last.
      return props.votes > 0 ? props.votes : null;
    case 'status':
      return STATUS_ORDER[props.status] ?? null;
    case 'assignee':
      return text(props.assignee);
    case 'labels':
      return text(props.labels.join(', '));
    case 'priority': {
      const rank = PRIORITY_ORDER[props.priority];
      return Number.isFinite(rank) ? rank : null;
    }
  }
}

/** Sorts a copy; `null` keeps the board's order. Empty values go last, ties keep the board's order. */
export function sortRows(rows: BacklogRow[], sort: BacklogSort | null): BacklogRow[] {
  if (!sort) return rows;
  const sign = sort.direction === 'asc' ? 1 : -1;
  const keyed = rows.map((row) => ({ row, value: sortValue(row, sort.key) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value === b.value) return a.row.order - b.row.order;
      return a.value === null ? 1 : -1;
    }
    const compared =
      typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : collator.compare(String(a.value), String(b.value));
    return compared !== 0 ? sign * compared : a.row.order - b.row.order;
  });
  return keyed.map(({ row }) => row);
}

/** Clicking a column: a new column sorts ascending (votes: descending), the sorted one flips. */
export function toggleSort(current: BacklogSort | null, key: SortKey): BacklogSort {
  if (current?.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  // After a dot vote the question is "what got the most": votes sort most first.
  return { key, direction: key === 'votes' ? 'desc' : 'asc' };
}

export interface FilterOption {
  value: string;
  label: string;
}

export interface FilterOptions {
  lanes: FilterOption[];
  statuses: CardStatus[];
  assignees: FilterOption[];
  labels: FilterOption[];
  estimates: Estimate[];
}

const ESTIMATE_ORDER: readonly Estimate[] = ['none', '0', '1', '2', '3', '5', '8', '13', '21', '?'];
const STATUS_LIST: readonly CardStatus[] = ['todo', 'in-progress', 'done', 'blocked'];
const byLabel = (a: FilterOption, b: FilterOption) => collator.compare(a.label, b.label);

/**
 * The choices of the filter selects: only values some card has, in a stable order, plus the
 * values chosen in `current` (so that a filter stays readable when its last card changes).
 */
export function filterOptions(rows: BacklogRow[], current?: BacklogFilters): FilterOptions {
  const lanes = new Map<string, string>();
  const statuses = new Set<CardStatus>();
  const assignees = new Set<string>();
  const labels = new Set<string>();
  const estimates = new Set<Estimate>();
  let laneless = false;
  let unassigned = false;
  let unlabelled = false;
  for (const { card, laneName } of rows) {
    if (card.laneId) lanes.set(card.laneId, laneName || 'Untitled lane');
    else laneless = true;
    statuses.add(card.props.status);
    estimates.add(card.props.estimate);
    if (card.props.assignee.trim()) assignees.add(card.props.assignee);
    else unassigned = true;
    if (card.props.labels.length === 0) unlabelled = true;
    for (const label of card.props.labels) labels.add(label);
  }
  if (current) {
    if (current.lane && current.lane !== NONE && !lanes.has(current.lane)) lanes.set(current.lane, 'Removed lane');
    if (current.lane === NONE) laneless = true;
    if (current.status) statuses.add(current.status);
    if (current.estimate) estimates.add(current.estimate);
    if (current.assignee === NONE) unassigned = true;
    else if (current.assignee) assignees.add(current.assignee);
    if (current.label === NONE) unlabelled = true;
    else if (current.label) labels.add(current.label);
  }
  const options = (values: Iterable<string>) => [...values].map((value) => ({ value, label: value })).sort(byLabel);
  return {
    lanes: [...[...lanes].map(([value, label]) => ({ value, label })).sort(byLabel), ...(laneless ? [{ value: NONE, label: 'No lane' }] : [])],
    statuses: STATUS_LIST.filter((status) => statuses.has(status)),
    assignees: [...options(assignees), ...(unassigned ? [{ value: NONE, label: 'Unassigned' }] : [])],
    labels: [...options(labels), ...(unlabelled ? [{ value: NONE, label: 'No labels' }] : [])],
    estimates: ESTIMATE_ORDER.filter((estimate) => estimates.has(estimate)),
  };
}

/** Numeric points of an estimate (`none` and `?` count as 0), as in the board's totals. */
export function points(estimate: Estimate): number {
  const value = Number(estimate);
  return Number.isFinite(value) ? value : 0;
}

/** "12 of 40 cards · 34 pts" for the footer. */
export function summarize(shown: BacklogRow[], total: number): string {
  const sum = shown.reduce((acc, { card }) => acc + points(card.props.estimate), 0);
  return `${shown.length} of ${total} ${total === 1 ? 'card' : 'cards'} · ${sum} pts`;
}

/** "a, b ,,a, c" → ["a", "b", "c"]: a comma always separates labels, so none can contain one. */
export function parseLabels(text: string, max = 20, maxLength = 60): string[] {
  const labels = stripControlCharacters(text)
    .split(',')
    .map((label) => label.trim().slice(0, maxLength).trim())
    .filter(Boolean);
  return [...new Set(labels)].slice(0, max);
}
