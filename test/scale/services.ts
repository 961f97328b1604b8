/**
 * The real services the scale-out tests run on: PostgreSQL (a fresh database per test file) and
 * Redis (the machine's, or a private redis-server a test may restart). When one cannot be
 * reached, `requireServices` fails the test under CI and skips it loudly elsewhere.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Redis } from 'ioredis';
import * as Y from 'yjs';

export const baseDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const sharedRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: baseDatabaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${new URL(baseDatabaseUrl).host}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisProblem(): Promise<string | null> {
  const redis = new Redis(sharedRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return `Redis at ${new URL(sharedRedisUrl).host}: ${(error as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

async function problemsWith(needs: { postgres?: boolean; redis?: boolean }): Promise<string[]> {
  return (await Promise.all([needs.postgres ? postgresProblem() : null, needs.redis ? redisProblem() : null])).filter(
    (problem): problem is string => problem !== null,
  );
}

/**
 * For a whole file: `false` when the services are there, else the reason to skip its suites.
 * Under CI a missing service instead registers a failing test; elsewhere it prints a loud line.
 */
export async function servicesGate(needs: { postgres?: boolean; redis?: boolean }, what: string): Promise<string | false> {
  const problems = await problemsWith(needs);
  if (problems.length === 0) return false;
  const message = `${what} needs ${problems.join('; ')}`;
  if (process.env.CI) {
    test(what, () => assert.fail(`${message} (CI is set, so this fails). Start the service or set DATABASE_URL / REDIS_URL.`));
  } else {
    process.stderr.write(`\n!!! SCALE TESTS DID NOT RUN: ${message}\n\n`);
  }
  return `did not run: ${problems.join('; ')}`;
}

/**
 * True when the services are there. Otherwise: under CI the test fails; elsewhere it is skipped
 * with a loud line on stderr naming what did not run and why.
 */
export async function requireServices(t: TestContext, needs: { postgres?: boolean; redis?: boolean }): Promise<boolean> {
  const problems = await problemsWith(needs);
  if (problems.length === 0) return true;
  const message = `"${t.name}" needs ${problems.join('; ')}`;
  if (process.env.CI) assert.fail(`${message} (CI is set, so this fails). Start the service or set DATABASE_URL / REDIS_URL.`);
  process.stderr.write(`\n!!! SCALE TEST DID NOT RUN: ${message}\n\n`);
  t.skip(`did not run: ${problems.join('; ')}`);
  return false;
}

export interface TestDatabase {
  url: string;
  /** Runs SQL on the test database behind the servers' backs. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The board as stored: every row applied to a fresh document. */
  storedBoard(boardId: string): Promise<Y.Doc>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `planboard_scale_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const parsed = new URL(baseDatabaseUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    url,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async storedBoard(boardId) {
      const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM board_updates WHERE board_id = $1 ORDER BY seq', [boardId]);
      const doc = new Y.Doc();
      for (const row of rows) Y.applyUpdate(doc, new Uint8Array(row.data));
      return doc;
    },
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: baseDatabaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops it (SIGKILL: everything in it is gone, as with a crashed Redis that keeps nothing on disk). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/** A redis-server of this test's own on a free port, so restarting it touches nobody else. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
}

export interface TcpProxy {
  port: number;
  /** Drops every connection and refuses new ones, as a database that went away. */
  cut(): Promise<void>;
  /** Accepts connections again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A plain TCP forwarder that a test can cut, to take a service away from a server and give it back. */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await listen();
  return { port, cut: stop, restore: listen, close: stop };
}
