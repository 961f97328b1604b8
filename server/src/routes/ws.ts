import type { FastifyPluginAsync } from 'fastify';
import type { RawData } from 'ws';
import { CloseCode, WS_PATH, WS_TOKEN_PARAM, hasRole, isBoardId } from '@planboard/shared';
import { Connection } from '../relay/connection.js';
import { ProtocolError, type Room } from '../relay/room.js';
import { UnknownBoardError } from '../relay/rooms.js';

/** Frames a peer may send before its board has finished loading. */
const MAX_EARLY_FRAMES = 256;

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/**
 * The y-websocket endpoint: `/ws/:boardId`, the standard protocol, so the stock client works
 * unchanged (`new WebsocketProvider(origin + '/ws', boardId, doc)`).
 */
export const wsRoutes: FastifyPluginAsync = async (app) => {
  const { rooms, metrics, config } = app;

  // Liveness: a peer that has not answered the previous ping is dropped.
  const heartbeat = setInterval(() => {
    for (const client of app.websocketServer.clients) {
      const state = client as typeof client & { planboardAlive?: boolean };
      if (state.planboardAlive === false) {
        metrics.connectionsRejected.inc({ reason: String(CloseCode.timeout) });
        client.terminate();
        continue;
      }
      state.planboardAlive = false;
      client.ping();
    }
  }, config.pingIntervalMs);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));

  app.get<{ Params: { boardId: string }; Querystring: Record<string, string | undefined> }>(`${WS_PATH}/:boardId`, { websocket: true }, (socket, request) => {
    const { boardId } = request.params;
    const connection = new Connection(socket, metrics, { maxBufferedBytes: config.maxBufferedBytes });
    const log = request.log.child({ board: boardId });
    (socket as typeof socket & { planboardAlive?: boolean }).planboardAlive = true;
    socket.on('pong', () => {
      (socket as typeof socket & { planboardAlive?: boolean }).planboardAlive = true;
    });

    if (!isBoardId(boardId)) {
      connection.close(CloseCode.badBoardId, 'invalid board id');
      return;
    }
    if (!originAllowed(request.headers.origin, request.headers.host, config.allowedOrigins)) {
      connection.close(CloseCode.forbidden, 'this origin may not open board connections');
      return;
    }
    const token = request.query[WS_TOKEN_PARAM] ?? request.headers['sec-websocket-protocol']?.split(',')[0]?.trim();

    metrics.connections.inc();
    let room: Room | null = null;
    let closed = false;
    let untrack: (() => void) | null = null;
    const early: Uint8Array[] = [];

    const receive = (frame: Uint8Array): void => {
      if (!room) return;
      try {
        room.receive(connection, frame);
      } catch (error) {
        if (!(error instanceof ProtocolError)) log.error({ err: error }, 'unexpected error handling a frame');
        log.warn({ reason: (error as Error).message }, 'closing connection after a malformed frame');
        connection.close(CloseCode.malformed, truncateReason((error as Error).message));
      }
    };

    // Handlers are attached before any await so that no early frame is missed.
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const frame = toBytes(data);
      metrics.messagesReceived.inc();
      metrics.bytesReceived.inc(frame.byteLength);
      if (!isBinary) {
        connection.close(CloseCode.malformed, 'text frames are not part of the protocol');
        return;
      }
      if (room) receive(frame);
      else if (early.length < MAX_EARLY_FRAMES) early.push(frame);
      else connection.close(CloseCode.slowConsumer, 'too many frames before the board loaded');
    });
    socket.on('close', () => {
      closed = true;
      untrack?.();
      metrics.connections.dec();
      if (room) rooms.release(room, connection);
    });
    socket.on('error', (error) => log.debug({ err: error }, 'websocket error'));

    const admitted = app.access.authorize(boardId, token, 'viewer', request.ip).then((decision) => {
      if (!decision.ok) {
        connection.close(decision.closeCode, decision.message);
        return false;
      }
      if (closed) return false;
      connection.role = decision.link.role;
      connection.canWrite = hasRole(decision.link.role, 'editor');
      untrack = app.access.track(decision.link, connection);
      return true;
    });

    admitted.then((ok) => (ok ? rooms.acquire(boardId) : null)).then(
      (loaded) => {
        if (!loaded) return;
        if (closed) {
          rooms.release(loaded);
          return;
        }
        room = loaded;
        room.join(connection);
        for (const frame of early.splice(0)) {
          if (!connection.isOpen) break;
          receive(frame);
        }
      },
      (error: unknown) => {
        if (error instanceof UnknownBoardError) {
          connection.close(CloseCode.unknownBoard, 'board not found');
        } else {
          log.error({ err: error }, 'could not load board');
          connection.close(CloseCode.storageError, 'the server could not load this board');
        }
      },
    );
  });
};

/**
 * Browsers always send Origin; other clients (Node, CLI) send none and are judged by their token
 * alone. Without ALLOWED_ORIGINS only the server's own origin is accepted.
 */
function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[] | null): boolean {
  if (!origin) return true;
  if (allowed) return allowed.includes(origin);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Close reasons are limited to 123 bytes by RFC 6455. */
function truncateReason(reason: string): string {
  return Buffer.byteLength(reason) <= 120 ? reason : `${reason.slice(0, 110)}…`;
}
