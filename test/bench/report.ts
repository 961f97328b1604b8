// Turns the rounds of every scenario into the Markdown table, the target verdicts and the JSON.
import { cpus } from 'node:os';
import { PEER_KINDS, SERVER_KINDS, type ServerKind } from './servers.js';

const cpuCount = cpus().length;

export type Row = Record<string, number | boolean | null>;

export interface ScenarioResults {
  id: number;
  name: string;
  /** One entry per round, per server. */
  rounds: Record<ServerKind, Row[]>;
}

/** Keys where the worst round, not the mean, is the honest summary. */
const WORST_OF = new Set(['max', 'failed', 'connectFailures', 'serverWarnings']);

/** Mean of the rounds; the worst for maxima and failure counts; booleans must all hold. */
export function combine(rounds: Row[]): Row {
  const out: Row = {};
  for (const key of Object.keys(rounds[0] ?? {})) {
    const values = rounds.map((r) => r[key]);
    if (values.some((v) => v === null || v === undefined)) out[key] = null;
    else if (typeof values[0] === 'boolean') out[key] = values.every(Boolean);
    else if (WORST_OF.has(key)) out[key] = Math.max(...(values as number[]));
    else out[key] = (values as number[]).reduce((a, b) => a + b, 0) / values.length;
  }
  return out;
}

interface Column {
  key: string;
  label: string;
  digits?: number;
  /** Lower is better: ours/peer ratios are printed for it. */
  ratio?: boolean;
}

const LOAD_COLUMNS: Column[] = [
  { key: 'p50', label: 'p50 ms', ratio: true },
  { key: 'p95', label: 'p95 ms', ratio: true },
  { key: 'p99', label: 'p99 ms', ratio: true },
  { key: 'max', label: 'max ms', ratio: true },
  { key: 'allP99', label: 'all-peers p99 ms', ratio: true },
  { key: 'cursorP99', label: 'cursor p99 ms', ratio: true },
  { key: 'offeredPerSec', label: 'changes/s sent', digits: 0 },
  { key: 'offeredDeliveriesPerSec', label: 'deliveries/s offered', digits: 0 },
  { key: 'deliveredPerSec', label: 'deliveries/s done', digits: 0 },
  { key: 'deliveredRatio', label: 'delivered', digits: 3 },
  { key: 'cpuUsPerDelivered', label: 'server CPU µs/msg', digits: 2, ratio: true },
  { key: 'serverCpuPct', label: 'server CPU %core', digits: 0 },
  { key: 'peakRssMb', label: 'peak RSS MB', ratio: true },
  { key: 'idleBoardRssMb', label: 'RSS/idle board MB', digits: 2, ratio: true },
  { key: 'converged', label: 'converged' },
  { key: 'generatorCpuPct', label: 'generator CPU %machine', digits: 0 },
  { key: 'generatorLagP99', label: 'generator lag p99 ms' },
  { key: 'serverWarnings', label: 'server warnings', digits: 0 },
];
const COLD_COLUMNS: Column[] = [
  { key: 'inMemoryMs', label: 'in memory ms', ratio: true },
  { key: 'fromStorageMs', label: 'from storage ms (warm process)' },
  { key: 'afterRestartMs', label: 'after restart ms' },
  { key: 'updateKb', label: 'board KB', digits: 0 },
  { key: 'allSynced', label: 'all joins complete' },
];
const STORM_COLUMNS: Column[] = [
  { key: 'p50', label: 'synced p50 ms', ratio: true },
  { key: 'p95', label: 'synced p95 ms', ratio: true },
  { key: 'max', label: 'all synced ms', ratio: true },
  { key: 'failed', label: 'failed', digits: 0 },
  { key: 'serverCpuMs', label: 'server CPU ms', ratio: true },
  { key: 'peakRssMb', label: 'peak RSS MB', ratio: true },
  { key: 'serverWarnings', label: 'server warnings', digits: 0 },
];

export function columnsFor(scenarioId: number): Column[] {
  return scenarioId === 4 ? COLD_COLUMNS : scenarioId === 5 ? STORM_COLUMNS : LOAD_COLUMNS;
}

export function fmt(value: unknown, digits = 1): string {
  if (typeof value === 'boolean') return value ? 'yes' : '**NO**';
  if (typeof value === 'number') return Number.isFinite(value) ? value.toFixed(digits) : value > 0 ? '∞' : '—';
  return value === null || value === undefined ? '—' : String(value);
}

interface Target {
  what: string;
  scenarios: number[];
  key: string;
  /** The peers' figure it is compared with (defaults to the same key). */
  peerKey?: string;
  limit: number;
}

/** Issue 5's targets: Planboard over the better peer of the same run. */
const TARGETS: Target[] = [
  { what: 'server CPU per delivered message', scenarios: [1, 2, 3], key: 'cpuUsPerDelivered', limit: 0.5 },
  { what: 'update p99 latency', scenarios: [1, 2, 3], key: 'p99', limit: 0.7 },
  { what: 'RSS per idle board', scenarios: [2], key: 'idleBoardRssMb', limit: 0.7 },
  { what: 'cold load, board in memory', scenarios: [4], key: 'inMemoryMs', limit: 0.9 },
  { what: "cold load from storage vs the peers' in-memory", scenarios: [4], key: 'fromStorageMs', peerKey: 'inMemoryMs', limit: 1.2 },
];

export interface Verdict {
  target: string;
  scenario: number;
  ours: number;
  betterPeer: ServerKind;
  peer: number;
  ratio: number;
  limit: number;
  met: boolean;
  /** Why the comparison is not trustworthy, if it is not. */
  caveat: string | null;
}

/** Past this send lag (p99), and a quarter of the p99 latency, the generator's own queueing
 * (or CPU contention on the machine) weighs on the latencies as much as the server does. */
const GENERATOR_BOUND_MS = 10;

/** A load run whose clients did not all receive everything: its latencies leave the losses out. */
function incomplete(row: Row | undefined): string | null {
  if (!row) return 'not run';
  if (row.converged === false) return 'did not converge';
  if (typeof row.deliveredRatio === 'number' && row.deliveredRatio < 0.99) return `delivered ${(row.deliveredRatio * 100).toFixed(1)}%`;
  if (row.allSynced === false) return 'a join was incomplete';
  const lag = row.generatorLagP99;
  if (typeof lag === 'number' && typeof row.p99 === 'number' && lag > GENERATOR_BOUND_MS && lag > row.p99 / 4) return `generator-bound (sends ${lag.toFixed(0)} ms late at p99)`;
  return null;
}

export function verdicts(combined: Map<number, Record<ServerKind, Row>>): Verdict[] {
  const out: Verdict[] = [];
  for (const target of TARGETS) {
    for (const scenario of target.scenarios) {
      const rows = combined.get(scenario);
      if (!rows?.planboard) continue;
      const ours = rows.planboard[target.key];
      const peers = PEER_KINDS.filter((k) => typeof rows[k]?.[target.peerKey ?? target.key] === 'number');
      if (typeof ours !== 'number' || peers.length === 0) continue;
      const betterPeer = peers.reduce((a, b) => ((rows[a]![target.peerKey ?? target.key] as number) <= (rows[b]![target.peerKey ?? target.key] as number) ? a : b));
      const peer = rows[betterPeer]![target.peerKey ?? target.key] as number;
      const ratio = ours / peer;
      const caveats = [incomplete(rows.planboard) && `Planboard ${incomplete(rows.planboard)}`, incomplete(rows[betterPeer]) && `${betterPeer} ${incomplete(rows[betterPeer])}`].filter(Boolean);
      out.push({ target: target.what, scenario, ours, betterPeer, peer, ratio, limit: target.limit, met: ratio <= target.limit, caveat: caveats.length > 0 ? caveats.join('; ') : null });
    }
  }
  return out;
}

export interface FloorRatio {
  target: string;
  scenario: number;
  ours: number;
  floor: number;
  ratio: number;
  caveat: string | null;
}

/** The same target figures over the floor relay (peer-servers/floor.mjs): what Planboard spends
 * beyond the least a ws relay must. No limit: a yardstick, not a target. */
export function floorRatios(combined: Map<number, Record<ServerKind, Row>>): FloorRatio[] {
  const out: FloorRatio[] = [];
  for (const target of TARGETS) {
    for (const scenario of target.scenarios) {
      const rows = combined.get(scenario);
      const ours = rows?.planboard?.[target.key];
      const floor = rows?.floor?.[target.peerKey ?? target.key];
      if (typeof ours !== 'number' || typeof floor !== 'number') continue;
      const caveats = [incomplete(rows!.planboard) && `Planboard ${incomplete(rows!.planboard)}`, incomplete(rows!.floor) && `floor ${incomplete(rows!.floor)}`].filter(Boolean);
      out.push({ target: target.what, scenario, ours, floor, ratio: ours / floor, caveat: caveats.length > 0 ? caveats.join('; ') : null });
    }
  }
  return out;
}

export function markdown(header: string[], scenarios: ScenarioResults[], combined: Map<number, Record<ServerKind, Row>>, found: Verdict[], notes: string[], overFloor: FloorRatio[] = []): string {
  const lines = [...header, ''];
  for (const scenario of scenarios) {
    const rows = combined.get(scenario.id)!;
    const kinds = SERVER_KINDS.filter((k) => rows[k]);
    const columns = columnsFor(scenario.id).filter((c) => kinds.some((k) => rows[k]![c.key] !== null && rows[k]![c.key] !== undefined));
    lines.push(`## ${scenario.id}. ${scenario.name}`, '');
    lines.push(`| server | ${columns.map((c) => c.label).join(' | ')} |`, `| --- | ${columns.map(() => '---:').join(' | ')} |`);
    for (const kind of kinds) lines.push(`| ${kind} | ${columns.map((c) => fmt(rows[kind]![c.key], c.digits ?? 1)).join(' | ')} |`);
    if (rows.planboard) {
      for (const peer of kinds.filter((k) => k !== 'planboard')) {
        const cells = columns.map((c) => {
          const ours = rows.planboard![c.key];
          const theirs = rows[peer]![scenario.id === 4 ? 'inMemoryMs' : c.key];
          const comparable = c.ratio || (scenario.id === 4 && (c.key === 'fromStorageMs' || c.key === 'afterRestartMs'));
          return comparable && typeof ours === 'number' && typeof theirs === 'number' ? `${fmt(ours / theirs, 2)}×` : '';
        });
        lines.push(`| ours / ${peer} | ${cells.join(' | ')} |`);
      }
    }
    lines.push('');
  }
  if (found.length > 0) {
    lines.push('## Targets (issue 5): Planboard ÷ the better peer of this run', '');
    lines.push('| target | scenario | Planboard | better peer | peer | ratio | limit | verdict |', '| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |');
    for (const v of found) {
      const verdict = v.met ? 'met' : '**missed**';
      lines.push(`| ${v.target} | ${v.scenario} | ${fmt(v.ours, 2)} | ${v.betterPeer} | ${fmt(v.peer, 2)} | ${fmt(v.ratio, 2)}× | ≤ ${v.limit}× | ${verdict}${v.caveat ? ` (${v.caveat})` : ''} |`);
    }
    lines.push('');
  }
  if (overFloor.length > 0) {
    lines.push('## Planboard ÷ the floor relay (the least a ws relay spends; a yardstick, no limit)', '');
    lines.push('| figure | scenario | Planboard | floor | ratio |', '| --- | ---: | ---: | ---: | ---: |');
    for (const r of overFloor) lines.push(`| ${r.target} | ${r.scenario} | ${fmt(r.ours, 2)} | ${fmt(r.floor, 2)} | ${fmt(r.ratio, 2)}×${r.caveat ? ` (${r.caveat})` : ''} |`);
    lines.push('');
  }
  lines.push(...notes);
  return lines.join('\n');
}

// --- Scale-out scenarios (7, 8): Planboard alone, one row per number of instances -------------

export type ScaleRow = Record<string, number | boolean | null | number[]>;

export interface ScaleResults {
  id: number;
  name: string;
  /** Per number of instances, one row per round. */
  layouts: Record<number, ScaleRow[]>;
  /** Why it did not run (e.g. no PostgreSQL), if it did not. */
  skipped: string | null;
}

/** `combine` for scale rows: lists (per instance) are averaged element by element. */
export function combineScale(rounds: ScaleRow[]): ScaleRow {
  const lists: ScaleRow = {};
  const plain: Row[] = rounds.map(() => ({}));
  for (const key of Object.keys(rounds[0] ?? {})) {
    const first = rounds[0]![key];
    if (Array.isArray(first)) {
      const arrays = rounds.map((r) => r[key] as number[]);
      lists[key] = first.map((_, i) => arrays.reduce((a, array) => a + (array[i] ?? 0), 0) / arrays.length);
    } else rounds.forEach((r, i) => (plain[i]![key] = r[key] as number | boolean | null));
  }
  return { ...combine(plain), ...lists };
}

/** Issue 9's targets. */
export const HOP_P99_LIMIT_MS = 5;
export const BIG_ROOM_CPU_LIMIT = 0.45;

export interface ScaleVerdict {
  target: string;
  scenario: number;
  instances: number;
  value: string;
  limit: string;
  /** null: not judged, the run did not deliver everything (its figures leave the losses out). */
  met: boolean | null;
  caveat: string | null;
}

/** Why a run's figures cannot be judged at all: it lost messages or did not converge. */
function scaleIncomplete(row: ScaleRow | undefined): string | null {
  if (!row) return 'not run';
  if (row.converged === false) return 'did not converge';
  const ratio = (row.deliveredRatio ?? row.editorDeliveredRatio) as number | null | undefined;
  if (typeof ratio === 'number' && ratio < 0.99) return `delivered ${(ratio * 100).toFixed(1)}%`;
  return null;
}

function scaleCaveat(row: ScaleRow): string | null {
  const problems: string[] = [];
  const incomplete = scaleIncomplete(row);
  if (incomplete) problems.push(incomplete);
  const lag = row.generatorLagP99;
  if (typeof lag === 'number' && lag > GENERATOR_BOUND_MS) problems.push(`generator sends ${lag.toFixed(0)} ms late at p99`);
  if (typeof row.load1 === 'number' && row.load1 > cpuCount) problems.push(`machine load ${row.load1.toFixed(1)} on ${cpuCount} cores`);
  return problems.length > 0 ? problems.join('; ') : null;
}

export function scaleVerdicts(combined: Map<number, Record<number, ScaleRow>>): ScaleVerdict[] {
  const out: ScaleVerdict[] = [];
  const workshop = combined.get(7);
  for (const [instances, row] of Object.entries(workshop ?? {})) {
    if (typeof row.hopP99 !== 'number') continue;
    out.push({
      target: 'cross-instance hop, added p99 (cross − same instance receivers)',
      scenario: 7,
      instances: Number(instances),
      value: `${fmt(row.hopP99)} ms`,
      limit: `≤ ${HOP_P99_LIMIT_MS} ms`,
      met: scaleIncomplete(row) ? null : row.hopP99 <= HOP_P99_LIMIT_MS,
      caveat: scaleCaveat(row),
    });
  }
  const bigRoom = combined.get(8);
  const single = bigRoom?.[1]?.serverCpuPctByInstance;
  for (const [instances, row] of Object.entries(bigRoom ?? {})) {
    if (Number(instances) === 1 || !Array.isArray(single) || !Array.isArray(row.serverCpuPctByInstance)) continue;
    const ratios = row.serverCpuPctByInstance.map((pct) => pct / single[0]!);
    out.push({
      target: 'big room: each instance’s CPU ÷ the single instance’s',
      scenario: 8,
      instances: Number(instances),
      value: ratios.map((r) => `${fmt(r, 2)}×`).join(' / '),
      limit: `each ≤ ${BIG_ROOM_CPU_LIMIT}×`,
      met: scaleIncomplete(row) || scaleIncomplete(bigRoom![1]) ? null : ratios.every((r) => r <= BIG_ROOM_CPU_LIMIT),
      caveat: [scaleCaveat(row), scaleCaveat(bigRoom![1]!)].filter(Boolean).join('; ') || null,
    });
  }
  return out;
}

/** What every scale-out row ends with: whether it converged, and how much to trust its run. */
const RUN_COLUMNS: Column[] = [
  { key: 'converged', label: 'converged' },
  { key: 'generatorLagP99', label: 'generator lag p99 ms' },
  { key: 'generatorCpuPct', label: 'generator CPU %machine', digits: 0 },
  { key: 'load1', label: 'load (1 min)' },
  { key: 'serverWarnings', label: 'server warnings', digits: 0 },
];

const SCALE_COLUMNS: Record<number, Column[]> = {
  7: [
    { key: 'p50', label: 'p50 ms' },
    { key: 'p99', label: 'p99 ms' },
    { key: 'sameP99', label: 'same-instance p99 ms' },
    { key: 'crossP99', label: 'cross-instance p99 ms' },
    { key: 'hopP50', label: 'hop p50 ms' },
    { key: 'hopP99', label: 'hop p99 ms' },
    { key: 'cursorP50', label: 'cursor p50 ms' },
    { key: 'cursorP99', label: 'cursor p99 ms' },
    { key: 'cursorHopP99', label: 'cursor hop p99 ms' },
    { key: 'deliveredRatio', label: 'delivered', digits: 3 },
    { key: 'cpuUsPerDelivered', label: 'server CPU µs/msg (all)', digits: 2 },
    { key: 'cpuUsPerDeliveredByInstance', label: 'server CPU µs/msg per instance', digits: 2 },
    { key: 'serverCpuPctByInstance', label: 'server CPU %core per instance', digits: 0 },
    ...RUN_COLUMNS,
  ],
  8: [
    { key: 'serverCpuPctByInstance', label: 'server CPU %core per instance', digits: 0 },
    { key: 'serverCpuPctTotal', label: 'server CPU %core, sum', digits: 0 },
    { key: 'p50', label: 'editors p50 ms' },
    { key: 'p99', label: 'editors p99 ms' },
    { key: 'editorDeliveredRatio', label: 'editors delivered', digits: 3 },
    { key: 'viewerFramesPerSec', label: 'viewer frames/s', digits: 0 },
    { key: 'viewerKBPerSec', label: 'KB/s per viewer', digits: 1 },
    ...RUN_COLUMNS,
  ],
};

const fmtCell = (value: unknown, digits = 1) => (Array.isArray(value) ? value.map((v) => fmt(v, digits)).join(' / ') : fmt(value, digits));

export function scaleMarkdown(results: ScaleResults[], combined: Map<number, Record<number, ScaleRow>>, found: ScaleVerdict[]): string {
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`## ${result.id}. ${result.name} (Planboard only, PostgreSQL + Redis)`, '');
    if (result.skipped) {
      lines.push(`Not run: ${result.skipped}`, '');
      continue;
    }
    const rows = combined.get(result.id) ?? {};
    const columns = SCALE_COLUMNS[result.id]!.filter((c) => Object.values(rows).some((row) => row[c.key] !== null && row[c.key] !== undefined));
    lines.push(`| instances | ${columns.map((c) => c.label).join(' | ')} |`, `| ---: | ${columns.map(() => '---:').join(' | ')} |`);
    for (const [instances, row] of Object.entries(rows)) lines.push(`| ${instances} | ${columns.map((c) => fmtCell(row[c.key], c.digits ?? 1)).join(' | ')} |`);
    lines.push('');
  }
  if (found.length > 0) {
    lines.push('## Targets (issue 9): scale-out', '');
    lines.push('| target | scenario | instances | value | limit | verdict |', '| --- | ---: | ---: | ---: | ---: | --- |');
    for (const v of found) lines.push(`| ${v.target} | ${v.scenario} | ${v.instances} | ${v.value} | ${v.limit} | ${v.met === null ? 'not judged' : v.met ? 'met' : '**missed**'}${v.caveat ? ` (${v.caveat})` : ''} |`);
    lines.push('');
  }
  return lines.join('\n');
}
