import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CloseCode, WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_PARAM, isBoardId } from '@planboard/shared';

/**
 * The y-websocket endpoint: `/ws/:boardId`, the standard protocol, so the stock client works
 * unchanged (`new WebsocketProvider(origin + '/ws', boardId, doc, { params: { token } })`).
 * The route checks what HTTP can (board id, browser origin) and hands the socket to the relay,
 * whose extensions decide who may join.
 */
export const wsRoutes: FastifyPluginAsync = async (app) => {
  const { relay, config } = app;

  app.get<{ Params: { boardId: string }; Querystring: Record<string, string | undefined> }>(`${WS_PATH}/:boardId`, { websocket: true }, (socket, request) => {
    const { boardId } = request.params;
    if (!isBoardId(boardId)) {
      socket.close(CloseCode.badBoardId, 'invalid board id');
      return;
    }
    if (!originAllowed(request, config.allowedOrigins)) {
      socket.close(CloseCode.forbidden, 'this origin may not open board connections');
      return;
    }
    relay.connect(socket, {
      boardId,
      token: request.query[WS_TOKEN_PARAM] ?? subprotocolToken(request.headers['sec-websocket-protocol']),
      address: request.ip,
      log: request.log.child({ board: boardId }),
    });
  });
};

/** The token a client offered as a subprotocol beside `planboard` (`[WS_SUBPROTOCOL, token]`). */
function subprotocolToken(header: string | undefined): string | undefined {
  return header
    ?.split(',')
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol !== WS_SUBPROTOCOL && protocol !== '');
}

/**
 * Browsers always send Origin; other clients (Node, CLI) send none and are judged by their token
 * alone. Without ALLOWED_ORIGINS only the server's own origin is accepted: scheme, host and port
 * (as the client reached it, through trusted proxies).
 */
function originAllowed(request: FastifyRequest, allowed: string[] | null): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  if (allowed) return allowed.includes(origin);
  try {
    return new URL(origin).origin === new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return false;
  }
}
