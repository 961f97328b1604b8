import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreatedBoard, TemplateId } from '@planboard/shared';

const serverMain = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed, for assertions on logs. */
  output: () => string;
  /** SIGTERM, waits for a clean exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no flush, no goodbye. */
  kill(): Promise<void>;
  /** Removes the data directory (after stop/kill). */
  cleanup(): void;
}

export interface StartOptions {
  /** Reuse a data directory (e.g. to restart on the same store). */
  dataDir?: string;
  /** Reuse a port (e.g. so reconnecting clients find the restarted server). */
  port?: number;
  env?: Record<string, string>;
}

/** Starts the real server (server/dist/main.js) in its own process on a free port. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'planboard-test-'));
  // Below `info` the server does not log where it listens: give it a port and ask /healthz instead.
  const quiet = options.env?.LOG_LEVEL !== undefined && !['info', 'debug', 'trace'].includes(options.env.LOG_LEVEL);
  if (quiet && options.port === undefined) options = { ...options, port: await freePort() };
  const child = spawn(process.execPath, [serverMain], {
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
    if (quiet) void waitForHealth(options.port!).then(() => resolve(options.port!));
    const timer = setTimeout(() => {
      // A server that never came up must not outlive the test (it would keep the process alive).
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 15 s:\n${output}`));
    }, 15_000);
    timer.unref();
    child.stdout!.on('data', () => {
      if (/Server listening at/.test(output)) clearTimeout(timer);
    });
    if (quiet) void waitForHealth(options.port!).then(() => clearTimeout(timer));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dataDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The links of every board a test created, by board id. */
const boardLinks = new Map<string, CreatedBoard['links']>();

/** Creates a board through the API; its links are kept for `tokenFor`. */
export async function createBoard(server: { url: string }, title = 'Test board'): Promise<string> {
  return (await createBoardWithLinks(server, title)).id;
}

export async function createBoardWithLinks(server: { url: string }, title = 'Test board', template?: TemplateId): Promise<CreatedBoard> {
  const response = await fetch(`${server.url}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title, template }),
  });
  if (response.status !== 201) throw new Error(`create board: ${response.status} ${await response.text()}`);
  const board = (await response.json()) as CreatedBoard;
  boardLinks.set(board.id, board.links);
  return board;
}

/** The token of one of the three links a test board was created with. */
export function tokenFor(boardId: string, link: keyof CreatedBoard['links'] = 'edit'): string {
  const links = boardLinks.get(boardId);
  if (!links) throw new Error(`board ${boardId} was not created by this test process`);
  return links[link].token;
}

/** The websocket address of a board, with a link token. */
export function boardSocketUrl(server: { wsUrl: string }, boardId: string, link: keyof CreatedBoard['links'] = 'edit'): string {
  return `${server.wsUrl}/${boardId}?token=${encodeURIComponent(tokenFor(boardId, link))}`;
}
