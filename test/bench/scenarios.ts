// The five relay scenarios. Each takes a running server, drives it with headless clients spread
// over forked generator processes, and returns flat numbers (averaged over rounds by run.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startPlanboardCluster, type BenchCluster, type BenchServer, type ServerKind, type StartOptions } from './servers.js';
import { ascending, median, monotonicMs, quantile } from './stats.js';
import type { ClientSpec, WorkerReply, WorkerRequest } from './worker.js';
import type { ScaleRow } from './report.js';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
/** Time after the last send for the last changes to arrive; part of the measured window. */
const DRAIN_MS = 1500;
/** Settle time after connecting, before idle memory is read and the load starts. */
const SETTLE_MS = 1500;

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One forked generator process. */
class Generator {
  readonly child: ChildProcess;
  #waiting: ((reply: WorkerReply) => void)[] = [];
  constructor() {
    this.child = fork(here('worker.ts'), [], { execArgv: ['--import', 'tsx'], cwd: here('..'), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: WorkerReply) => this.#waiting.shift()?.(reply));
    this.child.on('exit', (code) => {
      if (code !== 0 && this.#waiting.length > 0) throw new Error(`generator process exited with ${code}`);
    });
  }
  request<T extends WorkerReply['type']>(request: WorkerRequest): Promise<Extract<WorkerReply, { type: T }>> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve as (reply: WorkerReply) => void);
      this.child.send(request);
    });
  }
}

class Generators {
  constructor(readonly all: Generator[]) {}
  ask<T extends WorkerReply['type']>(request: WorkerRequest): Promise<Extract<WorkerReply, { type: T }>[]> {
    return Promise.all(this.all.map((g) => g.request<T>(request)));
  }
  async close(): Promise<void> {
    await this.ask<'closed'>({ type: 'close' });
  }
}

function spread<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => out[i % parts]!.push(item));
  return out.filter((part) => part.length > 0);
}

/** Connects the clients, spread over the generator processes; times each until synced. */
function connectAll(server: BenchServer, specs: ClientSpec[], timeoutMs = 60_000) {
  return connectSpecs(server.kind, server.wsUrl, specs, timeoutMs);
}

/** The same, for clients that each name their instance (`spec.wsUrl`). */
async function connectSpecs(kind: ServerKind, wsUrl: string, specs: ClientSpec[], timeoutMs = 60_000) {
  const parts = spread(specs, Math.min(WORKERS, specs.length));
  const generators = new Generators(parts.map(() => new Generator()));
  const replies = await Promise.all(
    generators.all.map((g, i) => g.request<'connected'>({ type: 'connect', kind, wsUrl, clients: parts[i]!, timeoutMs })),
  );
  return { generators, connectMs: replies.flatMap((r) => r.connectMs), failed: replies.reduce((n, r) => n + r.failed, 0) };
}

/** Samples the server's RSS until stopped; returns the peak. */
function peakRss(server: BenchServer, everyMs: number): () => number {
  let peak = server.rssBytes();
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, server.rssBytes());
    } catch {
      // The process is gone; the run will report it.
    }
  }, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

async function convergence(generators: Generators): Promise<boolean> {
  const digests = (await generators.ask<'digest'>({ type: 'digest' })).flatMap((r) => r.digests);
  const byRoom = new Map<string, Set<string>>();
  for (const d of digests) byRoom.set(d.room, (byRoom.get(d.room) ?? new Set()).add(d.digest));
  return [...byRoom.values()].every((set) => set.size === 1);
}

export interface LoadResult {
  /** Per receipt: send → received by one other client (ms). */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Per change: send → received by every other client of its board (ms). */
  allP50: number;
  allP99: number;
  /** Changes offered (sent) per second, and receipts expected / achieved per second. */
  offeredPerSec: number;
  offeredDeliveriesPerSec: number;
  deliveredPerSec: number;
  deliveredRatio: number;
  cursorP50: number | null;
  cursorP99: number | null;
  cursorDeliveredRatio: number | null;
  /** Server user+system CPU per delivered message (changes and cursors), µs. */
  cpuUsPerDelivered: number;
  /** Server CPU while under load, % of one core. */
  serverCpuPct: number;
  peakRssMb: number;
  /** RSS growth per board with its clients connected and synced, before the load. */
  idleBoardRssMb: number;
  converged: boolean;
  connectFailures: number;
  /** Generator processes' CPU, % of the whole machine. */
  generatorCpuPct: number;
  /** The worst generator process's 99th percentile send lag behind schedule (ms). */
  generatorLagP99: number;
  serverWarnings: number;
}

export async function loadScenario(server: BenchServer, boards: number, perBoard: number, changesPerSecond: number, cursorsPerSecond: number): Promise<LoadResult> {
  const rssBefore = server.rssBytes();
  const specs: ClientSpec[] = [];
  for (let b = 0; b < boards; b++) {
    const { room, token } = await server.newBoard(`bench-${b}`);
    for (let c = 0; c < perBoard; c++) specs.push({ room, token, id: `b${b}c${c}` });
  }
  const { generators, failed } = await connectAll(server, specs);
  try {
    await sleep(SETTLE_MS);
    const idleBoardRssMb = (server.rssBytes() - rssBefore) / boards / 2 ** 20;
    const stopRss = peakRss(server, 100);
    const cpuBefore = server.cpuMicros();
    const started = monotonicMs();
    const durationMs = SECONDS * 1000;
    const ran = await generators.ask<'ran'>({ type: 'run', changesPerSecond, cursorsPerSecond, durationMs, drainMs: DRAIN_MS });
    const wallMs = monotonicMs() - started;
    const serverCpu = server.cpuMicros() - cpuBefore;
    const peak = stopRss();
    const converged = await convergence(generators);

    const latencies = ascending(ran.flatMap((r) => r.latencies));
    const cursorLatencies = ascending(ran.flatMap((r) => r.cursorLatencies));
    const sends = ran.reduce((n, r) => n + r.sends, 0);
    const cursorSends = ran.reduce((n, r) => n + r.cursorSends, 0);
    // A change is fully delivered once every other client of its board has it.
    const perChange = new Map<string, [number, number]>();
    for (const [key, count, maxMs] of ran.flatMap((r) => r.receipts)) {
      const entry = perChange.get(key);
      if (entry) {
        entry[0] += count;
        entry[1] = Math.max(entry[1], maxMs);
      } else perChange.set(key, [count, maxMs]);
    }
    // Changes never fully delivered count as infinitely late.
    const fanout = [...perChange.values()].filter(([count]) => count >= perBoard - 1).map(([, maxMs]) => maxMs);
    for (let missing = sends - fanout.length; missing > 0; missing--) fanout.push(Infinity);
    const all = ascending(fanout);
    const delivered = latencies.length + cursorLatencies.length;
    const generatorCpu = ran.reduce((n, r) => n + r.cpuMicros, 0);
    return {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      allP50: quantile(all, 0.5),
      allP99: quantile(all, 0.99),
      offeredPerSec: sends / SECONDS,
      offeredDeliveriesPerSec: (sends * (perBoard - 1)) / SECONDS,
      deliveredPerSec: latencies.length / SECONDS,
      deliveredRatio: latencies.length / Math.max(1, sends * (perBoard - 1)),
      cursorP50: cursorsPerSecond > 0 ? quantile(cursorLatencies, 0.5) : null,
      cursorP99: cursorsPerSecond > 0 ? quantile(cursorLatencies, 0.99) : null,
      cursorDeliveredRatio: cursorsPerSecond > 0 ? cursorLatencies.length / Math.max(1, cursorSends * (perBoard - 1)) : null,
      cpuUsPerDelivered: serverCpu / Math.max(1, delivered),
      serverCpuPct: (serverCpu / 1000 / wallMs) * 100,
      peakRssMb: peak / 2 ** 20,
      idleBoardRssMb,
      converged: converged && failed === 0,
      connectFailures: failed,
      generatorCpuPct: (generatorCpu / 1000 / wallMs / cpus().length) * 100,
      generatorLagP99: Math.max(...ran.map((r) => r.generatorLagP99)),
      serverWarnings: server.problems.count,
    };
  } finally {
    await generators.close();
  }
}

export interface ColdResult {
  records: number;
  updateKb: number;
  /** New client → fully synced, the board held in memory by the server (median of 3). */
  inMemoryMs: number;
  /** Planboard: the board unloaded to storage, the server process warm (median of 3). */
  fromStorageMs: number | null;
  /** Planboard: the first join after a server restart (median of 3). */
  afterRestartMs: number | null;
  allSynced: boolean;
}

/** Planboard unloads a board this long after its last peer leaves, in this scenario. */
export const COLD_IDLE_MS = 500;
export const coldServerOptions: StartOptions = { boardIdleMs: COLD_IDLE_MS };

export async function coldScenario(server: BenchServer, shapes = 10_000): Promise<ColdResult> {
  const { room, token } = await server.newBoard('cold');
  const seeder = await connectAll(server, [{ room, token, id: 'seeder' }]);
  const { updateBytes } = (await seeder.generators.ask<'seeded'>({ type: 'seed', shapes }))[0]!;
  let allSynced = true;
  const join = async (n: number, counted = true) => {
    const joiner = await connectAll(server, [{ room, token, id: `joiner-${n}` }]);
    const digest = (await joiner.generators.ask<'digest'>({ type: 'digest' }))[0]!;
    await joiner.generators.close();
    const complete = joiner.failed === 0 && digest.digests[0]!.records === shapes;
    if (counted && !complete) allSynced = false;
    return { ms: joiner.connectMs[0] ?? NaN, complete };
  };
  // Warm-up joins, not counted: until one finds the whole seed on the server.
  for (let i = 0; i < 50 && !(await join(i, false)).complete; i++) await sleep(200);
  const inMemory = [(await join(1)).ms, (await join(2)).ms, (await join(3)).ms];
  await seeder.generators.close();
  let fromStorageMs: number | null = null;
  let afterRestartMs: number | null = null;
  if (server.boardsLoaded && server.restart) {
    const unloaded = async () => {
      for (let i = 0; i < 100 && (await server.boardsLoaded!()) !== 0; i++) await sleep(100);
    };
    const fromStorage = [];
    for (let i = 0; i < 3; i++) {
      await unloaded();
      fromStorage.push((await join(10 + i)).ms);
    }
    fromStorageMs = median(fromStorage);
    const afterRestart = [];
    for (let i = 0; i < 3; i++) {
      await server.restart();
      afterRestart.push((await join(20 + i)).ms);
    }
    afterRestartMs = median(afterRestart);
  }
  return { records: shapes, updateKb: updateBytes / 1024, inMemoryMs: median(inMemory), fromStorageMs, afterRestartMs, allSynced };
}

export interface StormResult {
  clients: number;
  /** Each client: connect → synced (ms). */
  p50: number;
  p95: number;
  max: number;
  failed: number;
  serverCpuMs: number;
  peakRssMb: number;
  serverWarnings: number;
}

export async function stormScenario(server: BenchServer, clients = 500, boards = 10): Promise<StormResult> {
  const specs: ClientSpec[] = [];
  for (let b = 0; b < boards; b++) {
    const { room, token } = await server.newBoard(`storm-${b}`);
    for (let c = 0; c < clients / boards; c++) specs.push({ room, token, id: `s${b}-${c}` });
  }
  const stopRss = peakRss(server, 50);
  const cpuBefore = server.cpuMicros();
  const { generators, connectMs, failed } = await connectAll(server, specs, 60_000);
  const serverCpu = server.cpuMicros() - cpuBefore;
  const peak = stopRss();
  await generators.close();
  const sorted = ascending(connectMs);
  return {
    clients,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted.at(-1) ?? NaN,
    failed,
    serverCpuMs: serverCpu / 1000,
    peakRssMb: peak / 2 ** 20,
    serverWarnings: server.problems.count,
  };
}

// --- Scale-out (issue 9): Planboard instances on one PostgreSQL and one Redis -------------------

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The first warnings the instances of the last scale-out run printed (run.ts shows them). */
export let lastClusterWarnings: string[] = [];

/** Per-instance user+system CPU (µs) from now until the returned function is called, with the wall time. */
function clusterCpu(cluster: BenchCluster): () => { cpuMicros: number[]; wallMs: number } {
  const before = cluster.instances.map((instance) => instance.cpuMicros());
  const started = monotonicMs();
  return () => ({ cpuMicros: cluster.instances.map((instance, i) => instance.cpuMicros() - before[i]!), wallMs: monotonicMs() - started });
}

/** What one measured run on a cluster gives the scenario that reads it. */
interface ClusterRun {
  ran: Extract<WorkerReply, { type: 'ran' }>[];
  /** Each instance's CPU over the run, and the run's wall time. */
  cpuMicros: number[];
  wallMs: number;
}

/**
 * One scale-out layout: a fresh cluster of `instances`, one board, the clients `specsOf` gives
 * connected (each to its instance) and settled, one measured run of the load, then the row
 * `measure` makes of it, with the fields every scale-out row shares (convergence, the
 * generator's CPU and lateness, the machine's load, the instances' warnings).
 */
async function onCluster(
  instances: number,
  title: string,
  specsOf: (board: { room: string; editToken: string; viewToken: string }, at: (n: number) => { instance: number; wsUrl: string }) => ClientSpec[],
  load: { changesPerSecond: number; cursorsPerSecond: number; connectTimeoutMs?: number },
  measure: (run: ClusterRun) => ScaleRow,
): Promise<ScaleRow> {
  const cluster = await startPlanboardCluster(instances);
  try {
    const board = await cluster.newBoard(title);
    const at = (n: number) => ({ instance: n % instances, wsUrl: cluster.instances[n % instances]!.wsUrl });
    const { generators, failed } = await connectSpecs('planboard', cluster.instances[0]!.wsUrl, specsOf(board, at), load.connectTimeoutMs);
    try {
      await sleep(SETTLE_MS);
      const cpu = clusterCpu(cluster);
      const ran = await generators.ask<'ran'>({ type: 'run', changesPerSecond: load.changesPerSecond, cursorsPerSecond: load.cursorsPerSecond, durationMs: SECONDS * 1000, drainMs: DRAIN_MS });
      const { cpuMicros, wallMs } = cpu();
      const converged = await convergence(generators);
      return {
        instances,
        ...measure({ ran, cpuMicros, wallMs }),
        serverCpuPctByInstance: cpuMicros.map((micros) => (micros / 1000 / wallMs) * 100),
        converged: converged && failed === 0,
        connectFailures: failed,
        generatorCpuPct: (sum(ran.map((r) => r.cpuMicros)) / 1000 / wallMs / cpus().length) * 100,
        generatorLagP99: Math.max(...ran.map((r) => r.generatorLagP99)),
        load1: loadavg()[0]!,
        serverWarnings: cluster.problems.count,
      };
    } finally {
      await generators.close();
    }
  } finally {
    lastClusterWarnings = cluster.problems.first;
    await cluster.stop();
  }
}

/**
 * Scenario 7, the workshop over several instances: 100 stock clients on one board, client i on
 * instance i mod n, each 1 change/s and 1 cursor move/s. Every receipt is timed and split by
 * whether sender and receiver share an instance, so the cross-instance hop is measured in the
 * same run, under the same generator, as the same-instance path.
 */
export function scaleWorkshopScenario(instances: number, clients = 100, changesPerSecond = 1, cursorsPerSecond = 1): Promise<ScaleRow> {
  return onCluster(
    instances,
    'scale workshop',
    ({ room, editToken }, at) => Array.from({ length: clients }, (_, c) => ({ room, token: editToken, id: `w${c}`, ...at(c) })),
    { changesPerSecond, cursorsPerSecond },
    ({ ran, cpuMicros }) => {
      const all = ascending(ran.flatMap((r) => r.latencies));
      const same = ascending(ran.flatMap((r) => r.sameLatencies));
      const cross = ascending(ran.flatMap((r) => r.crossLatencies));
      const cursors = ascending(ran.flatMap((r) => r.cursorLatencies));
      const cursorSame = ascending(ran.flatMap((r) => r.cursorSameLatencies));
      const cursorCross = ascending(ran.flatMap((r) => r.cursorCrossLatencies));
      const delivered = Array.from({ length: instances }, (_, i) => sum(ran.map((r) => r.deliveredByInstance[i] ?? 0)));
      const sends = sum(ran.map((r) => r.sends));
      const cursorSends = sum(ran.map((r) => r.cursorSends));
      const crossOrNull = (value: number) => (instances > 1 ? value : null);
      return {
        p50: quantile(all, 0.5),
        p99: quantile(all, 0.99),
        sameP50: quantile(same, 0.5),
        sameP99: quantile(same, 0.99),
        crossP50: crossOrNull(quantile(cross, 0.5)),
        crossP99: crossOrNull(quantile(cross, 0.99)),
        hopP50: crossOrNull(quantile(cross, 0.5) - quantile(same, 0.5)),
        hopP99: crossOrNull(quantile(cross, 0.99) - quantile(same, 0.99)),
        cursorP50: quantile(cursors, 0.5),
        cursorP99: quantile(cursors, 0.99),
        cursorHopP99: crossOrNull(quantile(cursorCross, 0.99) - quantile(cursorSame, 0.99)),
        deliveredRatio: all.length / Math.max(1, sends * (clients - 1)),
        cursorDeliveredRatio: cursors.length / Math.max(1, cursorSends * (clients - 1)),
        cpuUsPerDelivered: sum(cpuMicros) / Math.max(1, sum(delivered)),
        cpuUsPerDeliveredByInstance: cpuMicros.map((micros, i) => micros / Math.max(1, delivered[i]!)),
      };
    },
  );
}

/**
 * Scenario 8, the big room: one board, `editors` stock clients (1 change/s each) and `viewers`
 * light viewers (see worker.ts: a raw websocket that counts frames), all spread i mod n over the
 * instances. The figure is each instance's CPU per wall second, to be compared with the single
 * instance carrying the whole room.
 */
export function bigRoomScenario(instances: number, editors = 100, viewers = 900, changesPerSecond = 1): Promise<ScaleRow> {
  return onCluster(
    instances,
    'big room',
    ({ room, editToken, viewToken }, at) => [
      ...Array.from({ length: editors }, (_, c) => ({ room, token: editToken, id: `e${c}`, ...at(c) })),
      ...Array.from({ length: viewers }, (_, c) => ({ room, token: viewToken, id: `v${c}`, light: true, ...at(editors + c) })),
    ],
    { changesPerSecond, cursorsPerSecond: 0, connectTimeoutMs: 120_000 },
    ({ ran, cpuMicros, wallMs }) => {
      const latencies = ascending(ran.flatMap((r) => r.latencies));
      const sends = sum(ran.map((r) => r.sends));
      const viewerBytes = sum(ran.map((r) => r.viewerBytes));
      return {
        serverCpuPctTotal: (sum(cpuMicros) / 1000 / wallMs) * 100,
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
        editorDeliveredRatio: latencies.length / Math.max(1, sends * (editors - 1)),
        viewerFramesPerSec: sum(ran.map((r) => r.viewerFrames)) / SECONDS,
        /** What each viewer received per second: the same in every layout when nothing is lost. */
        viewerKBPerSec: viewerBytes / 1024 / SECONDS / Math.max(1, viewers),
      };
    },
  );
}
