import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import websocket from '@fastify/websocket';
import type { Config } from './config.js';
import { WS_SUBPROTOCOL } from '@planboard/shared';
import { createMetrics, type Metrics } from './extensions/metrics/metrics.js';
import { metricsExtension } from './extensions/metrics/extension.js';
import { Relay } from './relay/relay.js';
import type { Extension } from './relay/hooks.js';
import { openStore, type BoardStore } from './extensions/persistence/store.js';
import { persistence } from './extensions/persistence/extension.js';
import { boardRecords, type BoardRecords } from './extensions/persistence/boards.js';
import { storeBoardData, type BoardData } from './extensions/facilitation/board-data.js';
import { Access } from './extensions/auth/access.js';
import { auth } from './extensions/auth/extension.js';
import { recordValidation } from './extensions/validation/extension.js';
import { facilitationDeadlines, facilitationGuard } from './extensions/facilitation/extension.js';
import { Facilitation } from './extensions/facilitation/facilitation.js';
import { boardDocsOf } from './extensions/facilitation/board-docs.js';
import { presentingGuard } from './extensions/presenting/extension.js';
import { boardRoutes } from './routes/boards.js';
import { linkRoutes } from './routes/links.js';
import { planningRoutes } from './routes/planning.js';
import { healthRoutes } from './routes/health.js';
import { webRoutes } from './routes/web.js';
import { wsRoutes } from './routes/ws.js';
import { facilitationRoutes } from './routes/facilitation.js';
import { History } from './extensions/history/history.js';
import { historyExtension } from './extensions/history/extension.js';
import { historyRoutes } from './routes/history.js';
import { presentingRoutes } from './routes/presenting.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** Board records (title, creation); documents go through `relay`, links through `access`. */
    boards: BoardRecords;
    /** Per-board server-side data (facilitation's secret and authoritative state). */
    boardData: BoardData;
    relay: Relay;
    metrics: Metrics;
    access: Access;
    history: History;
    facilitation: Facilitation;
  }
}

/**
 * Relay limits that protect the server rather than express a policy (the policies, such as the
 * board size, are settings in config.ts).
 */
/** Updates waiting for changes the board lacks: a legitimate client has at most a few. */
const PENDING_BYTES_PER_BOARD = 2 * 1024 * 1024;
const PENDING_BYTES_PER_CONNECTION = 512 * 1024;
const PENDING_UPDATES_PER_CONNECTION = 64;
/** One participant's presence (cursor, name, selection of a few thousand shapes). */
const AWARENESS_STATE_BYTES = 128 * 1024;
/**
 * Presence goes out at the end of the event-loop turn it arrived in while the server is not busy;
 * while it is (its event loop mostly running), a board sends at most one presence message per
 * this window, its changes meanwhile going out together (see relay/broadcast.ts).
 */
const AWARENESS_WINDOW_MS = 20;

/** Trusts the nearest `hops` proxies (e.g. 1: the one reverse proxy in front). */
function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

export interface AppOptions {
  config: Config;
  /** Defaults to the store the configuration names: PostgreSQL at `databaseUrl`, else SQLite in `dataDir`. */
  store?: BoardStore;
  /** More extensions of the relay, after persistence, auth and metrics (e.g. fan-out). */
  extensions?: Extension[];
}

export async function buildApp({ config, store: givenStore, extensions = [] }: AppOptions): Promise<FastifyInstance> {
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
    // Behind a reverse proxy, the client's address comes from X-Forwarded-For as set by these proxies.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : (config.trustProxy ?? false),
    // Refuse what does not match a schema instead of quietly coercing or dropping it.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  const store =
    givenStore ??
    (await openStore(config, {
      onError: (error) => app.log.warn({ err: error }, 'database connection lost; writes are kept in memory and retried'),
    }));
  const metrics = createMetrics();
  const access = new Access(store, { failuresPerMinute: config.authFailuresPerMinute });
  const stored = persistence({
    store,
    log: app.log,
    flushIntervalMs: config.flushIntervalMs,
    compactAfterUpdates: config.compactAfterUpdates,
    onWrite: (seconds, failed) => {
      metrics.storeFlushSeconds.observe(seconds);
      if (failed) metrics.storeErrors.inc();
    },
  });
  // REDIS_URL: updates, presence and control messages cross to the other instances. The Redis
  // client is only loaded then (a single instance does not carry its ~5 MB).
  const fanout = config.redisUrl
    ? (await import('./extensions/fanout/extension.js')).fanoutExtension({
        redisUrl: config.redisUrl,
        failuresPerMinute: config.authFailuresPerMinute,
        log: app.log,
        access,
        persistence: stored,
      })
    : null;
  const boardData = storeBoardData(store);
  const history = new History({ store, log: app.log, intervalMs: config.versionIntervalMs, retentionDays: config.versionRetentionDays });
  // Reads and changes boards through app.relay, which exists by the time anyone calls it.
  const facilitation = new Facilitation(boardDocsOf(app), boardData, Date.now, (error, boardId) =>
    app.log.warn({ err: error, board: boardId }, 'automatic dot vote reveal failed'),
  );
  const relay = new Relay({
    log: app.log,
    // In this order: fan-out hands persistence what it must still store before a board unloads.
    extensions: [auth(access), recordValidation(app.log), facilitationGuard(app.log), presentingGuard(app.log), metricsExtension(metrics), ...(fanout ? [fanout] : []), stored, historyExtension(history), facilitationDeadlines(facilitation, app.log), ...extensions],
    limits: {
      maxBufferedBytes: config.maxBufferedBytes,
      maxEarlyFrames: 256,
      maxBoardBytes: config.maxBoardBytes,
      maxPendingBytesPerBoard: PENDING_BYTES_PER_BOARD,
      maxPendingBytesPerConnection: PENDING_BYTES_PER_CONNECTION,
      maxPendingUpdatesPerConnection: PENDING_UPDATES_PER_CONNECTION,
      maxAwarenessIdsPerConnection: 8,
      maxAwarenessStateBytes: AWARENESS_STATE_BYTES,
      awarenessWindowMs: AWARENESS_WINDOW_MS,
    },
    boardIdleMs: config.boardIdleMs,
    pingIntervalMs: config.pingIntervalMs,
  });
  app.decorate('config', config);
  // Routes reach storage only through these public functions (and the relay), never the store.
  app.decorate('boards', boardRecords(store));
  app.decorate('boardData', boardData);
  app.decorate('relay', relay);
  app.decorate('metrics', metrics);
  app.decorate('access', access);
  app.decorate('history', history);
  history.startPruning();
  app.decorate('facilitation', facilitation);
  app.decorateRequest('link', null);

  // Runs before @fastify/websocket's own onClose, which would drop sockets without a reason:
  // every peer is told, every board is written, then the store is closed (by persistence).
  app.addHook('preClose', async () => {
    await relay.close();
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
      // A client may carry its link token as a second subprotocol; the answer is always the fixed
      // protocol name, so that the token is never echoed back in a response header.
      handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
    },
  });
  await app.register(healthRoutes);
  await app.register(boardRoutes, { prefix: '/api' });
  await app.register(linkRoutes, { prefix: '/api' });
  await app.register(planningRoutes, { prefix: '/api' });
  await app.register(facilitationRoutes, { prefix: '/api' });
  await app.register(historyRoutes, { prefix: '/api' });
  await app.register(presentingRoutes, { prefix: '/api' });
  await app.register(wsRoutes);
  await app.register(webRoutes);
  return app;
}
