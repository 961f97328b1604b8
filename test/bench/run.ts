// `pnpm bench`: the same scenarios against Planboard, Hocuspocus and the classic y-websocket
// server, alternating the order (A B C, then C B A) so drift of the machine cancels out.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SERVER_KINDS, startBenchServer, type BenchServer, type ServerKind } from './servers.js';
import type { ClientSpec, WorkerReply, WorkerRequest } from './worker.js';
import { canvasBench } from './browser-canvas.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? '1,2,3,4,5,6').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

class Worker {
  readonly child: ChildProcess;
  #waiting: ((reply: WorkerReply) => void)[] = [];
  constructor() {
    this.child = fork(here('worker.ts'), [], { execArgv: ['--import', 'tsx'], cwd: here('..'), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: WorkerReply) => this.#waiting.shift()?.(reply));
  }
  request<T extends WorkerReply['type']>(request: WorkerRequest): Promise<Extract<WorkerReply, { type: T }>> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve as (reply: WorkerReply) => void);
      this.child.send(request);
    });
  }
  async close(): Promise<void> {
    await this.request({ type: 'close' });
  }
}

function spread<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => out[i % parts]!.push(item));
  return out.filter((part) => part.length > 0);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface LoadResult {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  offeredPerSecond: number;
  deliveredPerSecond: number;
  deliveredRatio: number;
  cpuMicrosPerDelivered: number;
  peakRssMb: number;
  idleBoardRssMb: number;
  converged: boolean;
  generatorCpuPercent: number;
  connectFailures: number;
}

async function connectAll(server: BenchServer, specs: ClientSpec[], timeoutMs = 60_000) {
  const workers = spread(specs, Math.min(WORKERS, specs.length)).map((part) => ({ worker: new Worker(), part }));
  const replies = await Promise.all(
    workers.map(({ worker, part }) => worker.request<'connected'>({ type: 'connect', kind: server.kind, wsUrl: server.wsUrl, clients: part, timeoutMs })),
  );
  return { workers: workers.map((w) => w.worker), connectMs: replies.flatMap((r) => r.connectMs), failed: replies.reduce((n, r) => n + r.failed, 0) };
}

async function loadScenario(server: BenchServer, boards: number, perBoard: number, changesPerSecond: number, cursorsPerSecond: number): Promise<LoadResult> {
  const rssStart = server.rssBytes();
  const specs: ClientSpec[] = [];
  for (let b = 0; b < boards; b++) {
    const { room, token } = await server.newBoard(`bench-${b}`);
    for (let c = 0; c < perBoard; c++) specs.push({ room, token, id: `b${b}c${c}` });
  }
  const { workers, failed } = await connectAll(server, specs);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const idleBoardRssMb = (server.rssBytes() - rssStart) / boards / 2 ** 20;
  let peakRss = server.rssBytes();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssBytes())), 200);
  const cpuBefore = server.cpuMicros();
  const durationMs = SECONDS * 1000;
  const ran = await Promise.all(workers.map((w) => w.request<'ran'>({ type: 'run', changesPerSecond, cursorsPerSecond, durationMs, drainMs: 1500 })));
  const serverCpu = server.cpuMicros() - cpuBefore;
  clearInterval(sampler);
  const digests = (await Promise.all(workers.map((w) => w.request<'digest'>({ type: 'digest' })))).flatMap((r) => r.digests);
  const byRoom = new Map<string, Set<string>>();
  for (const d of digests) byRoom.set(d.room, (byRoom.get(d.room) ?? new Set()).add(d.digest));
  await Promise.all(workers.map((w) => w.close()));
  const latencies = ran.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const sends = ran.reduce((n, r) => n + r.sends, 0);
  const offeredDeliveries = sends * (perBoard - 1);
  return {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1) ?? NaN,
    offeredPerSecond: sends / SECONDS,
    deliveredPerSecond: latencies.length / SECONDS,
    deliveredRatio: latencies.length / offeredDeliveries,
    cpuMicrosPerDelivered: serverCpu / Math.max(1, latencies.length),
    peakRssMb: peakRss / 2 ** 20,
    idleBoardRssMb,
    converged: [...byRoom.values()].every((set) => set.size === 1) && failed === 0,
    generatorCpuPercent: (ran.reduce((n, r) => n + r.cpuMicros, 0) / ((durationMs + 1500) * 1000) / cpus().length) * 100,
    connectFailures: failed,
  };
}

interface ColdResult {
  inMemoryMs: number;
  fromStorageMs: number | null;
  records: number;
}

async function coldScenario(server: BenchServer, shapes = 10_000): Promise<ColdResult> {
  const { room, token } = await server.newBoard('cold');
  const seeder = await connectAll(server, [{ room, token, id: 'seeder' }]);
  await seeder.workers[0]!.request<'seeded'>({ type: 'seed', shapes });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const timeJoin = async () => {
    const joiner = await connectAll(server, [{ room, token, id: `joiner-${Date.now()}` }]);
    const digest = await joiner.workers[0]!.request<'digest'>({ type: 'digest' });
    await joiner.workers[0]!.close();
    return { ms: joiner.connectMs[0] ?? NaN, records: digest.digests[0]!.records };
  };
  const inMemory = [];
  for (let i = 0; i < 3; i++) inMemory.push(await timeJoin());
  await seeder.workers[0]!.close();
  let fromStorageMs: number | null = null;
  if (server.restart) {
    await server.restart();
    const times = [];
    for (let i = 0; i < 3; i++) {
      // Each join after the first finds the board in memory again; the first is the cold one.
      if (i > 0) {
        await server.restart();
      }
      times.push((await timeJoin()).ms);
    }
    fromStorageMs = times.sort((a, b) => a - b)[1]!;
  }
  const sorted = inMemory.map((r) => r.ms).sort((a, b) => a - b);
  return { inMemoryMs: sorted[1]!, fromStorageMs, records: inMemory[0]!.records };
}

interface StormResult {
  clients: number;
  p50: number;
  p95: number;
  max: number;
  failed: number;
  peakRssMb: number;
}

async function stormScenario(server: BenchServer, clients = 500): Promise<StormResult> {
  const specs: ClientSpec[] = [];
  for (let b = 0; b < 10; b++) {
    const { room, token } = await server.newBoard(`storm-${b}`);
    for (let c = 0; c < clients / 10; c++) specs.push({ room, token, id: `s${b}-${c}` });
  }
  let peakRss = server.rssBytes();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssBytes())), 100);
  const { workers, connectMs, failed } = await connectAll(server, specs, 60_000);
  clearInterval(sampler);
  await Promise.all(workers.map((w) => w.close()));
  const sorted = connectMs.sort((a, b) => a - b);
  return { clients, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted.at(-1) ?? NaN, failed, peakRssMb: peakRss / 2 ** 20 };
}

type Scenario = { id: number; name: string; run: (server: BenchServer) => Promise<LoadResult | ColdResult | StormResult> };
const scenarios: Scenario[] = [
  { id: 1, name: 'workshop: 1 board × 100 clients, 1 change/s + 1 cursor/s each', run: (s) => loadScenario(s, 1, 100, 1, 1) },
  { id: 2, name: 'many boards: 20 boards × 10 clients × 2 changes/s', run: (s) => loadScenario(s, 20, 10, 2, 0) },
  { id: 3, name: 'burst: 1 board × 30 clients × 20 changes/s', run: (s) => loadScenario(s, 1, 30, 20, 0) },
  { id: 4, name: 'cold load: a board of 10,000 shapes, time to fully synced', run: (s) => coldScenario(s) },
  { id: 5, name: 'connection storm: 500 clients at once (10 boards × 50)', run: (s) => stormScenario(s) },
];

/** Averages numeric fields of several rounds (booleans: all must hold). */
function average<T extends object>(rounds: T[]): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(rounds[0]!)) {
    const values = rounds.map((r) => (r as Record<string, unknown>)[key]);
    if (typeof values[0] === 'boolean') out[key] = values.every(Boolean);
    else if (values.every((v) => typeof v === 'number')) out[key] = (values as number[]).reduce((a, b) => a + b, 0) / values.length;
    else out[key] = values[0];
  }
  return out as T;
}

const fmt = (value: unknown, digits = 1) => (typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(digits) : '—') : value === null ? '—' : String(value));

async function main() {
  const results: Record<number, Record<ServerKind, unknown[]>> = {};
  for (const scenario of scenarios.filter((s) => SCENARIOS.includes(s.id))) {
    results[scenario.id] = { planboard: [], hocuspocus: [], 'y-websocket': [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? SERVER_KINDS : [...SERVER_KINDS].reverse();
      for (const kind of order) {
        process.stdout.write(`scenario ${scenario.id} round ${round + 1}: ${kind} … `);
        const server = await startBenchServer(kind);
        try {
          const result = await scenario.run(server);
          results[scenario.id]![kind].push(result);
          console.log('done');
        } finally {
          await server.stop();
        }
      }
    }
  }

  const lines: string[] = [`# Planboard relay benchmark`, ``, `${new Date().toISOString()} · ${cpus().length} cores · ${SECONDS} s per load run · ${ROUNDS} rounds (A B C, C B A) · ${WORKERS} generator processes`, ``];
  const json: Record<string, unknown> = {};
  for (const scenario of scenarios.filter((s) => SCENARIOS.includes(s.id))) {
    const averaged = Object.fromEntries(SERVER_KINDS.map((kind) => [kind, average(results[scenario.id]![kind] as object[])])) as Record<ServerKind, Record<string, number | boolean | null>>;
    json[scenario.id] = { name: scenario.name, ...averaged };
    lines.push(`## ${scenario.id}. ${scenario.name}`, '');
    const keys = Object.keys(averaged.planboard);
    lines.push(`| server | ${keys.join(' | ')} |`, `| --- | ${keys.map(() => '---').join(' | ')} |`);
    for (const kind of SERVER_KINDS) lines.push(`| ${kind} | ${keys.map((k) => fmt(averaged[kind][k], k.startsWith('cpu') || k.endsWith('Mb') ? 2 : 1)).join(' | ')} |`);
    const ratioKeys = keys.filter((k) => typeof averaged.planboard[k] === 'number' && !['offeredPerSecond', 'clients', 'records', 'failed', 'connectFailures', 'deliveredRatio', 'generatorCpuPercent'].includes(k));
    lines.push(`| ours / hocuspocus | ${keys.map((k) => (ratioKeys.includes(k) ? fmt((averaged.planboard[k] as number) / (averaged.hocuspocus[k] as number), 2) : '')).join(' | ')} |`);
    lines.push(`| ours / y-websocket | ${keys.map((k) => (ratioKeys.includes(k) ? fmt((averaged.planboard[k] as number) / (averaged['y-websocket'][k] as number), 2) : '')).join(' | ')} |`, '');
  }
  if (SCENARIOS.includes(6)) {
    console.log('scenario 6: canvas in Chromium …');
    const canvas = await canvasBench();
    json[6] = { name: 'canvas in Chromium (Planboard only)', planboard: canvas };
    lines.push('## 6. Canvas in Chromium: 2,000 shapes, 50 remote changes/s (Planboard)', '');
    lines.push(`| ${Object.keys(canvas).join(' | ')} |`, `| ${Object.keys(canvas).map(() => '---').join(' | ')} |`);
    lines.push(`| ${Object.values(canvas).map((v) => fmt(v)).join(' | ')} |`, '');
  }
  lines.push(
    'Latencies in ms, send → received by each other client (one sample per receipt). cpuMicrosPerDelivered: server user+system CPU µs per delivered change. idleBoardRssMb: RSS growth per board with its clients connected and idle. Cold load from storage: Planboard only (the peers keep documents in memory only). Hocuspocus clients use @hocuspocus/provider; the others the stock y-websocket client.',
  );
  const report = lines.join('\n');
  const dir = here('results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(`${dir}/bench-${stamp}.md`, report + '\n');
  writeFileSync(`${dir}/bench-${stamp}.json`, JSON.stringify(json, null, 2) + '\n');
  console.log('\n' + report);
}

await main();
process.exit(0);
