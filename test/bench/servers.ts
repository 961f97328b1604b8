import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreatedBoard } from '@planboard/shared';

export type ServerKind = 'planboard' | 'hocuspocus' | 'y-websocket' | 'floor';
export const SERVER_KINDS: ServerKind[] = ['planboard', 'hocuspocus', 'y-websocket', 'floor'];
/** Real servers Planboard's targets are judged against; the floor is a yardstick, not a peer. */
export const PEER_KINDS: ServerKind[] = ['hocuspocus', 'y-websocket'];

export interface BenchServer {
  kind: ServerKind;
  pid: number;
  /** Base URL the clients connect to. */
  wsUrl: string;
  /** A board (room) to use, with the client parameters it needs. */
  newBoard(seedTitle: string): Promise<{ room: string; token?: string }>;
  cpuMicros(): number;
  rssBytes(): number;
  /** Warnings and errors the server printed (count, and the first few lines). */
  problems: { count: number; first: string[] };
  /** Planboard only: stop and start again on the same data (cold load from storage). */
  restart?(): Promise<void>;
  /** Planboard only: how many boards it holds in memory (from /metrics). */
  boardsLoaded?(): Promise<number>;
  stop(): Promise<void>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** The Planboard build under test; point it at a patched copy to measure a server change. */
export const PLANBOARD_MAIN = process.env.BENCH_PLANBOARD_MAIN ?? here('../../server/dist/main.js');
const TICK_MICROS = 1_000_000 / 100; // Linux USER_HZ

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function spawnAndWait(command: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: here('..') });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${output}`)));
  });
}

export function procCpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
}

export function procRss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Keeps the first few warnings or errors a server prints, and counts them. */
function watchOutput(child: ChildProcess, problems: { count: number; first: string[] }): void {
  let partial = '';
  const onData = (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      // Planboard logs pino JSON (level 40 = warn, 50 = error); the peers print plain text.
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (line.trim() === '' || (level !== undefined && Number(level) < 40)) continue;
      // A build measured from outside the repository (BENCH_PLANBOARD_MAIN) has no web app beside it.
      if (line.includes('web app not built')) continue;
      problems.count++;
      if (problems.first.length < 3) problems.first.push(line.slice(0, 300));
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
}

export interface StartOptions {
  /** Planboard only: how long a board stays in memory after its last peer left. */
  boardIdleMs?: number;
}

/**
 * Planboard's environment in the bench: warnings only, so the benchmark measures the relay rather
 * than request logging. Durable storage stays on with its default flush interval: that is what
 * users run.
 */
function planboardEnv(port: number, dataDir: string): Record<string, string> {
  return { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', AUTH_FAILURES_PER_MINUTE: '100000', BOARD_CREATIONS_PER_MINUTE: '1000000' };
}

/** Starts one Planboard process and waits until /healthz answers. */
async function spawnPlanboard(port: number, env: Record<string, string>, problems: { count: number; first: string[] }): Promise<ChildProcess> {
  // BENCH_CPU_PROF=<dir>: every Planboard process writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const started = spawn(process.execPath, [...profile, PLANBOARD_MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  watchOutput(started, problems);
  for (let i = 0; i < 300 && started.exitCode === null; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  started.kill('SIGKILL');
  throw new Error(`planboard did not start: ${problems.first.join('\n')}`);
}

async function createPlanboardBoard(base: string, title: string): Promise<CreatedBoard> {
  const response = await fetch(`${base}/api/boards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
  if (response.status !== 201) throw new Error(`create board: ${response.status} ${await response.text()}`);
  return (await response.json()) as CreatedBoard;
}

export interface BenchInstance {
  pid: number;
  wsUrl: string;
  cpuMicros(): number;
  rssBytes(): number;
}

/** Several Planboard instances on one PostgreSQL database and one Redis, as in production. */
export interface BenchCluster {
  instances: BenchInstance[];
  /** A board with its edit and view tokens. */
  newBoard(title: string): Promise<{ room: string; editToken: string; viewToken: string }>;
  problems: { count: number; first: string[] };
  stop(): Promise<void>;
}

/**
 * Starts `count` Planboard instances on a fresh PostgreSQL database and a private redis-server
 * (test/scale/services.ts: DATABASE_URL / REDIS_URL name the PostgreSQL server, default local).
 * Throws with the reason when PostgreSQL or redis-server is not there.
 */
export async function startPlanboardCluster(count: number): Promise<BenchCluster> {
  const { createTestDatabase, startPrivateRedis } = await import('../scale/services.js');
  const database = await createTestDatabase();
  let redis: Awaited<ReturnType<typeof startPrivateRedis>> | null = null;
  const problems = { count: 0, first: [] as string[] };
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  const instances: BenchInstance[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await redis?.kill();
    await database.drop();
  };
  try {
    redis = await startPrivateRedis();
    // One at a time: the first runs the migrations; the others would wait on its lock anyway.
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'planboard-bench-'));
      dirs.push(dataDir);
      const child = await spawnPlanboard(port, { ...planboardEnv(port, dataDir), DATABASE_URL: database.url, REDIS_URL: redis.url, BOARD_IDLE_MS: '600000' }, problems);
      children.push(child);
      instances.push({ pid: child.pid!, wsUrl: `ws://127.0.0.1:${port}/ws`, cpuMicros: () => procCpuMicros(child.pid!), rssBytes: () => procRss(child.pid!) });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const base = instances[0]!.wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
  return {
    instances,
    problems,
    async newBoard(title) {
      const board = await createPlanboardBoard(base, title);
      return { room: board.id, editToken: board.links.edit.token, viewToken: board.links.view.token };
    },
    stop,
  };
}

export async function startBenchServer(kind: ServerKind, options: StartOptions = {}): Promise<BenchServer> {
  const port = await freePort();
  const problems = { count: 0, first: [] as string[] };
  if (kind === 'planboard') {
    const dataDir = mkdtempSync(join(tmpdir(), 'planboard-bench-'));
    const env = { ...planboardEnv(port, dataDir), BOARD_IDLE_MS: String(options.boardIdleMs ?? 600_000) };
    const start = () => spawnPlanboard(port, env, problems);
    let child = await start();
    const base = `http://127.0.0.1:${port}`;
    return {
      kind,
      get pid() {
        return child.pid!;
      },
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      async newBoard(title) {
        const board = await createPlanboardBoard(base, title);
        return { room: board.id, token: board.links.edit.token };
      },
      cpuMicros: () => procCpuMicros(child.pid!),
      rssBytes: () => procRss(child.pid!),
      problems,
      async boardsLoaded() {
        const text = await (await fetch(`${base}/metrics`)).text();
        return Number(/^planboard_boards_loaded (\d+)/m.exec(text)?.[1] ?? NaN);
      },
      async restart() {
        await stopChild(child);
        child = await start();
      },
      async stop() {
        await stopChild(child);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const scripts: Record<Exclude<ServerKind, 'planboard'>, string> = {
    hocuspocus: 'peer-servers/hocuspocus.mjs',
    'y-websocket': 'peer-servers/y-websocket-classic.cjs',
    floor: 'peer-servers/floor.mjs',
  };
  const script = here(scripts[kind]);
  const child = await spawnAndWait(process.execPath, [script], { PORT: String(port) }, /listening on/);
  watchOutput(child, problems);
  let rooms = 0;
  return {
    kind,
    pid: child.pid!,
    wsUrl: `ws://127.0.0.1:${port}`,
    newBoard: async (title) => ({ room: `${title.replace(/\W/g, '-')}-${++rooms}-${Date.now()}` }),
    cpuMicros: () => procCpuMicros(child.pid!),
    rssBytes: () => procRss(child.pid!),
    problems,
    stop: () => stopChild(child),
  };
}
