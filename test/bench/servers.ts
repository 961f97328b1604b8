import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServerKind = 'planboard' | 'hocuspocus' | 'y-websocket';
export const SERVER_KINDS: ServerKind[] = ['planboard', 'hocuspocus', 'y-websocket'];

export interface BenchServer {
  kind: ServerKind;
  pid: number;
  /** Base URL the clients connect to. */
  wsUrl: string;
  /** A board (room) to use, with the client parameters it needs. */
  newBoard(seedTitle: string): Promise<{ room: string; token?: string }>;
  cpuMicros(): number;
  rssBytes(): number;
  /** Planboard only: stop and start again on the same data (cold load from storage). */
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
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

export async function startBenchServer(kind: ServerKind): Promise<BenchServer> {
  const port = await freePort();
  if (kind === 'planboard') {
    const dataDir = mkdtempSync(join(tmpdir(), 'planboard-bench-'));
    const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', AUTH_FAILURES_PER_MINUTE: '100000', BOARD_IDLE_MS: '600000' };
    // Warnings only, so the benchmark measures the relay rather than request logging.
    const start = async () => {
      const started = spawn(process.execPath, [here('../../server/dist/main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
      for (let i = 0; i < 200; i++) {
        if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return started;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('planboard did not start');
    };
    let child = await start();
    const base = `http://127.0.0.1:${port}`;
    return {
      kind,
      get pid() {
        return child.pid!;
      },
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      async newBoard(title) {
        const response = await fetch(`${base}/api/boards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
        const board = (await response.json()) as { id: string; links: { edit: { token: string } } };
        return { room: board.id, token: board.links.edit.token };
      },
      cpuMicros: () => procCpuMicros(child.pid!),
      rssBytes: () => procRss(child.pid!),
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
  const script = kind === 'hocuspocus' ? here('peer-servers/hocuspocus.mjs') : here('peer-servers/y-websocket-classic.cjs');
  const child = await spawnAndWait(process.execPath, [script], { PORT: String(port) }, /listening on/);
  let rooms = 0;
  return {
    kind,
    pid: child.pid!,
    wsUrl: `ws://127.0.0.1:${port}`,
    newBoard: async (title) => ({ room: `${title.replace(/\W/g, '-')}-${++rooms}-${Date.now()}` }),
    cpuMicros: () => procCpuMicros(child.pid!),
    rssBytes: () => procRss(child.pid!),
    stop: () => stopChild(child),
  };
}
