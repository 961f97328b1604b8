/**
 * Several real Planboard instances (server/dist/main.js) on one PostgreSQL database and one
 * Redis of the test's own, behind the round-robin balancer, as an operator would run them.
 */
import { startServer, type RunningServer } from '../support/server.js';
import { startBalancer, type Balancer } from './balancer.js';
import { createTestDatabase, startPrivateRedis, type PrivateRedis, type TestDatabase } from './services.js';

export interface Cluster {
  database: TestDatabase;
  redis: PrivateRedis;
  instances: RunningServer[];
  balancer: Balancer;
  /** Starts one more instance on the same database and Redis (not behind the balancer). */
  startInstance(env?: Record<string, string>): Promise<RunningServer>;
  stop(): Promise<void>;
}

export async function startCluster(count: number, env: Record<string, string> = {}): Promise<Cluster> {
  const database = await createTestDatabase();
  const redis = await startPrivateRedis();
  const extra: RunningServer[] = [];
  const startInstance = async (more: Record<string, string> = {}) => {
    const server = await startServer({ env: { DATABASE_URL: database.url, REDIS_URL: redis.url, BOARD_IDLE_MS: '2000', ...env, ...more } });
    extra.push(server);
    return server;
  };
  const instances: RunningServer[] = [];
  try {
    // One at a time: the first runs the migrations; the others would wait on its lock anyway.
    for (let i = 0; i < count; i++) instances.push(await startInstance());
  } catch (error) {
    // Leave nothing running behind a failed start (a live child keeps the test process alive).
    await Promise.all(extra.map((server) => server.kill()));
    for (const server of extra) server.cleanup();
    await redis.kill();
    await database.drop();
    throw error;
  }
  const balancer = await startBalancer(instances.map((instance) => instance.port));
  return {
    database,
    redis,
    instances,
    balancer,
    startInstance,
    async stop() {
      await balancer.close();
      await Promise.all(extra.map((server) => server.stop()));
      for (const server of extra) server.cleanup();
      await redis.kill();
      await database.drop();
    },
  };
}
