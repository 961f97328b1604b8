import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import websocket from '@fastify/websocket';
import type { Config } from './config.js';
import { createMetrics, type Metrics } from './extensions/metrics/metrics.js';
import { Rooms } from './relay/rooms.js';
import { openStore, type BoardStore } from './extensions/persistence/store.js';
import { Access } from './extensions/auth/access.js';
import { fanoutExtension } from './extensions/fanout/extension.js';
import type { Fanout } from './extensions/fanout/fanout.js';
import { boardRoutes } from './routes/boards.js';
import { linkRoutes } from './routes/links.js';
import { planningRoutes } from './routes/planning.js';
import { healthRoutes } from './routes/health.js';
import { webRoutes } from './routes/web.js';
import { wsRoutes } from './routes/ws.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    store: BoardStore;
    rooms: Rooms;
    metrics: Metrics;
    access: Access;
    /** Cross-instance fan-out (REDIS_URL), or null when this instance runs alone. */
    fanout: Fanout | null;
  }
}

export interface AppOptions {
  config: Config;
  /** Defaults to the store the configuration names: PostgreSQL at `databaseUrl`, else SQLite in `dataDir`. */
  store?: BoardStore;
}

export async function buildApp({ config, store: givenStore }: AppOptions): Promise<FastifyInstance> {
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
  const store =
    givenStore ??
    (await openStore(config, {
      onError: (error) => app.log.warn({ err: error }, 'database connection lost; writes are kept in memory and retried'),
    }));
  const metrics = createMetrics();
  const fanoutWiring = config.redisUrl
    ? fanoutExtension({ redisUrl: config.redisUrl, failuresPerMinute: config.authFailuresPerMinute, log: app.log })
    : null;
  const rooms = new Rooms({
    store,
    metrics,
    log: app.log,
    boardIdleMs: config.boardIdleMs,
    flushIntervalMs: config.flushIntervalMs,
    compactAfterUpdates: config.compactAfterUpdates,
    maxPendingBytes: config.maxMessageBytes,
    events: fanoutWiring?.events,
  });
  const access = new Access(store, { failuresPerMinute: config.authFailuresPerMinute });
  const fanout = fanoutWiring?.start(rooms, access) ?? null;
  app.decorate('config', config);
  app.decorate('store', store);
  app.decorate('rooms', rooms);
  app.decorate('metrics', metrics);
  app.decorate('access', access);
  app.decorate('fanout', fanout);
  app.decorateRequest('link', null);

  // Runs before @fastify/websocket's own onClose, which would drop sockets without a reason:
  // every peer is told, every board is written, then the store is closed.
  app.addHook('preClose', async () => {
    await rooms.closeAll();
  });
  app.addHook('onClose', async () => {
    await fanout?.close();
    await store.close();
  });

  // One shape for every error: { statusCode, error, message }, with a message a person can act on.
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    if (error.validation) {
      const detail = error.validation[0];
      let message = detail?.instancePath.startsWith('/id') ? 'invalid board id' : error.message;
      // "body/template must be equal to one of the allowed values" names them, too.
      const allowed = detail?.keyword === 'enum' ? (detail.params as { allowedValues?: unknown[] }).allowedValues : undefined;
      if (allowed) message += `: ${allowed.join(', ')}`;
      return reply.status(400).send({ statusCode: 400, error: 'Bad Request', message });
    }
    const statusCode = error.statusCode ?? 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(statusCode).send({
      statusCode,
      error: statusCode >= 500 ? 'Internal Server Error' : error.name,
      message: statusCode >= 500 ? 'the server could not complete the request' : error.message,
    });
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // tldraw positions and themes its elements with inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Pasted images are data URLs; exports are blobs.
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: config.frameAncestors,
      },
    },
    // Embedding is governed by frame-ancestors above.
    frameguard: false,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(websocket, {
    options: {
      maxPayload: config.maxMessageBytes,
      // A client may carry its link token as the websocket subprotocol; accept it as offered.
      handleProtocols: (protocols) => protocols.values().next().value ?? false,
    },
  });
  await app.register(healthRoutes);
  await app.register(boardRoutes, { prefix: '/api' });
  await app.register(linkRoutes, { prefix: '/api' });
  await app.register(planningRoutes, { prefix: '/api' });
  await app.register(wsRoutes);
  await app.register(webRoutes);
  return app;
}
