// `pnpm bench`: the same scenarios against Planboard, Hocuspocus, the classic y-websocket server
// and the floor relay (peer-servers/floor.mjs: bare ws, frames forwarded unparsed), each server in
// its own process, alternating the order (A B C, then C B A) so that the machine's drift cancels
// out. Prints the table and writes it to results/ as Markdown and JSON.
//
// BENCH_SCENARIOS=1,3   run only these (1-5 relay, 6 canvas in Chromium, 7-8 Planboard on several
//                       instances on PostgreSQL + Redis; default all)
// BENCH_WORKSHOP_CLIENTS=100          scenarios 1 and 7's clients (fewer where the generator cannot keep up)
// BENCH_BIG_ROOM=100,900              scenario 8's editors and viewers
// BENCH_SECONDS=10      steady-state seconds of each load run
// BENCH_ROUNDS=2        rounds per scenario (the order alternates every round)
// BENCH_WORKERS=2       generator processes
// BENCH_SERVERS=planboard,floor   a subset of the servers (planboard, hocuspocus, y-websocket, floor)
// BENCH_PLANBOARD_MAIN=/path/to/server/dist/main.js   measure another Planboard build
// BENCH_CPU_PROF=/some/dir              Planboard processes write V8 CPU profiles there (node --cpu-prof)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { canvasBench } from './browser-canvas.js';
import { combine, combineScale, floorRatios, markdown, scaleMarkdown, scaleVerdicts, verdicts, type Row, type ScaleResults, type ScaleRow, type ScenarioResults } from './report.js';
import { bigRoomScenario, COLD_IDLE_MS, lastClusterWarnings, coldScenario, coldServerOptions, loadScenario, scaleWorkshopScenario, SECONDS, stormScenario, WORKERS } from './scenarios.js';
import { PLANBOARD_MAIN, SERVER_KINDS, startBenchServer, type BenchServer, type ServerKind, type StartOptions } from './servers.js';
import { CHROMIUM } from '../e2e/browser.js';

const SCENARIOS = (process.env.BENCH_SCENARIOS ?? '1,2,3,4,5,6,7,8').split(',').map(Number);
const WORKSHOP_CLIENTS = Number(process.env.BENCH_WORKSHOP_CLIENTS ?? 100);
const [BIG_ROOM_EDITORS, BIG_ROOM_VIEWERS] = (process.env.BENCH_BIG_ROOM ?? '100,900').split(',').map(Number) as [number, number];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SERVERS = (process.env.BENCH_SERVERS?.split(',') as ServerKind[] | undefined) ?? SERVER_KINDS;
for (const kind of SERVERS) if (!SERVER_KINDS.includes(kind)) throw new Error(`BENCH_SERVERS: unknown server ${kind}`);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Scenario {
  id: number;
  name: string;
  options?: StartOptions;
  run: (server: BenchServer) => Promise<object>;
}

const scenarios: Scenario[] = [
  { id: 1, name: `workshop: 1 board × ${WORKSHOP_CLIENTS} clients, each 1 change/s + 1 cursor/s`, run: (s) => loadScenario(s, 1, WORKSHOP_CLIENTS, 1, 1) },
  { id: 2, name: 'many boards: 20 boards × 10 clients, each 2 changes/s', run: (s) => loadScenario(s, 20, 10, 2, 0) },
  { id: 3, name: 'burst: 1 board × 30 clients, each 20 changes/s', run: (s) => loadScenario(s, 1, 30, 20, 0) },
  { id: 4, name: 'cold load: a board of 10,000 shapes, new client → fully synced', options: coldServerOptions, run: (s) => coldScenario(s) },
  { id: 5, name: 'connection storm: 500 clients at once (10 boards × 50)', run: (s) => stormScenario(s) },
];

/** Planboard alone on 1…n instances (one PostgreSQL, one Redis): one run per layout per round. */
interface ScaleScenario {
  id: number;
  name: string;
  layouts: number[];
  run: (instances: number) => Promise<ScaleRow>;
}

const scaleScenarios: ScaleScenario[] = [
  {
    id: 7,
    name: `workshop over instances: 1 board × ${WORKSHOP_CLIENTS} clients spread over 1, 2, 3 instances, each 1 change/s + 1 cursor/s`,
    layouts: [1, 2, 3],
    run: (n) => scaleWorkshopScenario(n, WORKSHOP_CLIENTS),
  },
  {
    id: 8,
    name: `big room: 1 board × ${BIG_ROOM_EDITORS} editors (1 change/s each) + ${BIG_ROOM_VIEWERS} viewers, on 1 and on 3 instances`,
    layouts: [1, 3],
    run: (n) => bigRoomScenario(n, BIG_ROOM_EDITORS, BIG_ROOM_VIEWERS),
  },
];

async function runScaleScenario(scenario: ScaleScenario): Promise<ScaleResults> {
  const layouts: Record<number, ScaleRow[]> = Object.fromEntries(scenario.layouts.map((n) => [n, [] as ScaleRow[]]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? scenario.layouts : [...scenario.layouts].reverse();
    for (const instances of order) {
      const started = Date.now();
      process.stdout.write(`scenario ${scenario.id} round ${round + 1}/${ROUNDS}: ${instances} instance${instances > 1 ? 's' : ''} (load ${loadavg()[0]!.toFixed(1)}) … `);
      try {
        const row = await scenario.run(instances);
        layouts[instances]!.push(row);
        console.log(`${((Date.now() - started) / 1000).toFixed(0)} s${row.serverWarnings ? `, ${row.serverWarnings} server warnings, first: ${lastClusterWarnings[0]}` : ''}`);
      } catch (error) {
        // No PostgreSQL or redis-server here: the other scenarios still report.
        const reason = (error as Error).message.split('\n')[0]!;
        console.log(`not run: ${reason}`);
        return { id: scenario.id, name: scenario.name, layouts: {}, skipped: `${reason} (needs PostgreSQL at DATABASE_URL and redis-server on the PATH)` };
      }
    }
  }
  return { id: scenario.id, name: scenario.name, layouts, skipped: null };
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(here(`../node_modules/${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

async function runScenario(scenario: Scenario): Promise<ScenarioResults> {
  const rounds = Object.fromEntries(SERVERS.map((k) => [k, [] as Row[]])) as Record<ServerKind, Row[]>;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse();
    for (const kind of order) {
      const started = Date.now();
      process.stdout.write(`scenario ${scenario.id} round ${round + 1}/${ROUNDS}: ${kind} … `);
      const server = await startBenchServer(kind, scenario.options);
      try {
        rounds[kind].push((await scenario.run(server)) as Row);
        console.log(`${((Date.now() - started) / 1000).toFixed(0)} s${server.problems.count > 0 ? `, ${server.problems.count} server warnings, first: ${server.problems.first[0]}` : ''}`);
      } finally {
        await server.stop();
      }
    }
  }
  return { id: scenario.id, name: scenario.name, rounds };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const results: ScenarioResults[] = [];
  for (const scenario of scenarios.filter((s) => SCENARIOS.includes(s.id))) results.push(await runScenario(scenario));
  const combined = new Map(results.map((r) => [r.id, Object.fromEntries(Object.entries(r.rounds).map(([k, rows]) => [k, combine(rows)])) as Record<ServerKind, Row>]));
  const found = verdicts(combined);
  const overFloor = floorRatios(combined);
  const scaleResults: ScaleResults[] = [];
  for (const scenario of scaleScenarios.filter((s) => SCENARIOS.includes(s.id))) scaleResults.push(await runScaleScenario(scenario));
  const scaleCombined = new Map(scaleResults.map((r) => [r.id, Object.fromEntries(Object.entries(r.layouts).map(([n, rows]) => [n, combineScale(rows)])) as Record<number, ScaleRow>]));
  const scaleFound = scaleVerdicts(scaleCombined);

  let canvas: object | null = null;
  let canvasNote = '';
  if (SCENARIOS.includes(6)) {
    if (existsSync(CHROMIUM)) {
      process.stdout.write('scenario 6: canvas in Chromium (Planboard) … ');
      try {
        canvas = await canvasBench();
        console.log('done');
      } catch (error) {
        // The relay results above still get written.
        canvasNote = `Scenario 6 failed: ${(error as Error).message.split('\n')[0]}`;
        console.log(canvasNote);
      }
    } else canvasNote = `Scenario 6 skipped: no Chromium at ${CHROMIUM} (set PLANBOARD_CHROMIUM).`;
  }

  const versions = {
    node: process.versions.node,
    yjs: version('yjs'),
    'y-websocket client': version('y-websocket'),
    'y-websocket server (classic)': version('y-websocket-v1'),
    '@hocuspocus/server': version('@hocuspocus/server'),
    '@hocuspocus/provider': version('@hocuspocus/provider'),
  };
  const header = [
    '# Planboard relay benchmark',
    '',
    `${startedAt.toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${(totalmem() / 2 ** 30).toFixed(0)} GB · ${SECONDS} s per load run · ${ROUNDS} rounds (order alternating) · ${WORKERS} generator processes · load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}, at end ${loadavg().map((l) => l.toFixed(2)).join(', ')}`,
    '',
    Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(' · '),
    PLANBOARD_MAIN.endsWith('server/dist/main.js') && !process.env.BENCH_PLANBOARD_MAIN ? '' : `Planboard build: ${PLANBOARD_MAIN}`,
  ];
  const notes = [
    '## How to read this',
    '',
    '- Latency: send → received, per receipt by each other client of the board (p50 … max), and per change until *every* other client has it (all-peers p99; a change some client never got counts as ∞). Send times are CLOCK_MONOTONIC, shared by the generator processes.',
    '- A change superseded on the way (a relay that merges updates delivers only the record\'s latest version) still counts as delivered at the moment its successor arrived: each record carries the send times of its three previous versions.',
    '- Server CPU µs/msg: the server process\'s user+system CPU (/proc/<pid>/stat) during the run, over every delivered message (document changes and cursor updates each count once per receiving client). RSS/idle board: RSS growth per board once its clients are connected and synced, before any edit (so it includes those connections).',
    '- Clients: the stock y-websocket client (`WebsocketProvider`, `WebSocketPolyfill: ws`, `disableBc: true`) for Planboard and the classic server; Hocuspocus speaks its own multiplexed protocol, so its clients use `@hocuspocus/provider`. The stock client re-sends every awareness change it receives (it does not filter by origin), the Hocuspocus provider does not: in scenario 1 the servers fed by the stock client receive ~100× more awareness frames.',
    '- Floor: `peer-servers/floor.mjs`, bare `ws` with no Y.Doc: document updates forwarded byte for byte to the board\'s other peers; a joiner\'s sync step 1 forwarded to one synced peer and its step 2 back to the joiner only (an empty step 2 in an empty room); awareness frames dropped unless they carry a clock newer than the room has seen. No heartbeat, limits, auth or storage. Ratios over it show what Planboard spends beyond the least a ws relay must; the targets are judged against the two real peers only.',
    '- Classic y-websocket server: `setupWSConnection` from `y-websocket@1.5.4`\'s `bin/utils` (installed as `y-websocket-v1`), in memory, its Yjs resolved to the same 13.x as the clients. `@y/websocket-server` 0.1.5 is not used: it needs a Yjs 14 pre-release.',
    '- Planboard runs as shipped: every change durably appended to SQLite (default 50 ms flush), which the peers in their default setup do not do. Cold load from storage: the board unloaded after its last peer left (BOARD_IDLE_MS=' + COLD_IDLE_MS + ') on a warm process; "after restart": a fresh process.',
    '- Scale-out (7, 8): Planboard alone, as `server/dist/main.js` processes on one fresh PostgreSQL database and a private `redis-server`, clients connected straight to their instance (client i on instance i mod n). Hop = a percentile of receipts whose sender is on another instance minus the same percentile for receivers on the sender\'s own instance, in the same run. Per-instance CPU µs/msg = that instance\'s CPU over the messages its own clients received. Big-room viewers are light protocol clients (worker.ts `LightViewer`): the server serves them as any client, the generator does not decode their 1,000 × 100 changes/s. The verdicts name the machine load (1-minute average) when it exceeds the core count: numbers from a shared machine are indications.',
    canvasNote,
  ];
  const report = markdown(header.filter(Boolean), results, combined, found, notes.filter(Boolean), overFloor);
  const canvasSection = canvas
    ? ['', '## 6. Canvas and backlog table in Chromium: 2,000 story cards, 50 remote changes/s (Planboard only)', '', `| ${Object.keys(canvas).join(' | ')} |`, `| ${Object.keys(canvas).map(() => '---:').join(' | ')} |`, `| ${Object.values(canvas).map((v: unknown) => (typeof v === 'number' ? v.toFixed(1) : String(v))).join(' | ')} |`]
    : [];
  const full = [report, ...canvasSection, ...(scaleResults.length > 0 ? ['', scaleMarkdown(scaleResults, scaleCombined, scaleFound)] : [])].join('\n') + '\n';

  const dir = here('results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const json = {
    startedAt: startedAt.toISOString(),
    settings: { seconds: SECONDS, rounds: ROUNDS, workers: WORKERS, servers: SERVERS, planboardMain: PLANBOARD_MAIN, cpus: cpus().length },
    versions,
    scenarios: results.map((r) => ({ ...r, combined: combined.get(r.id) })),
    targets: found,
    overFloor,
    scaleOut: scaleResults.map((r) => ({ ...r, combined: scaleCombined.get(r.id) })),
    scaleTargets: scaleFound,
    canvas,
  };
  writeFileSync(`${dir}/bench-${stamp}.md`, full);
  writeFileSync(`${dir}/bench-${stamp}.json`, JSON.stringify(json, null, 2) + '\n');
  writeFileSync(`${dir}/latest.md`, full);
  writeFileSync(`${dir}/latest.json`, JSON.stringify(json, null, 2) + '\n');
  console.log('\n' + full);
  console.log(`written to ${dir}/bench-${stamp}.{md,json} and latest.{md,json}`);
}

await main();
process.exit(0);
