import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { Config } from './config.js';
import { createMetrics, type Metrics } from './metrics.js';
import { Rooms } from './rooms/rooms.js';
import type { BoardStore } from './storage/board-store.js';
import { SqliteBoardStore } from './storage/sqlite-store.js';
import { boardRoutes } from './routes/boards.js';
import { healthRoutes } from './routes/health.js';
import { webRoutes } from './routes/web.js';
import { wsRoutes } from './routes/ws.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    store: BoardStore;
    rooms: Rooms;
    metrics: Metrics;
  }
}

export interface AppOptions {
  config: Config;
  /** Defaults to the embedded SQLite store in `config.dataDir`. */
  store?: BoardStore;
}

export async function buildApp({ config, store = SqliteBoardStore.open(config.dataDir) }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["sec-websocket-protocol"]'], censor: '[redacted]' },
      serializers: {
        // Query strings can carry tokens: only the path is ever logged.
        req: (request) => ({
          method: request.method,
          url: request.url.split('?')[0],
          remoteAddress: request.ip,
        }),
      },
    },
    bodyLimit: config.maxMessageBytes,
    // Refuse what does not match a schema instead of quietly coercing or dropping it.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  const metrics = createMetrics();
  const rooms = new Rooms({
    store,
    metrics,
    log: app.log,
    boardIdleMs: config.boardIdleMs,
    flushIntervalMs: config.flushIntervalMs,
    compactAfterUpdates: config.compactAfterUpdates,
  });
  app.decorate('config', config);
  app.decorate('store', store);
  app.decorate('rooms', rooms);
  app.decorate('metrics', metrics);

  // Runs before @fastify/websocket's own onClose, which would drop sockets without a reason:
  // every peer is told, every board is written, then the store is closed.
  app.addHook('preClose', async () => {
    await rooms.closeAll();
  });
  app.addHook('onClose', async () => {
    await store.close();
  });

  await app.register(websocket, { options: { maxPayload: config.maxMessageBytes } });
  await app.register(healthRoutes);
  await app.register(boardRoutes, { prefix: '/api' });
  await app.register(wsRoutes);
  await app.register(webRoutes);
  return app;
}
