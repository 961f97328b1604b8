/**
 * The wire contract between the relay and every client. Message types are y-websocket's; the
 * close codes are Planboard's (4000-4999 is the application range of RFC 6455), shaped like
 * HTTP statuses so a reader can guess them.
 */

/** The websocket endpoint: `new WebsocketProvider(origin + WS_PATH, boardId, doc)`. */
export const WS_PATH = '/ws';

/** y-websocket message types (first varint of every frame). */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const;

export const CloseCode = {
  /** Server going away (shutdown). Standard code; clients reconnect. */
  goingAway: 1001,
  /** A frame larger than the configured maximum. Standard code. */
  messageTooBig: 1009,
  /** A frame that is not a valid y-websocket message, or carries an invalid Yjs update. */
  malformed: 4400,
  /** Missing or invalid credentials. */
  unauthorized: 4401,
  /** Valid credentials of too low a role. */
  forbidden: 4403,
  /** The board id is well formed but no such board exists. */
  unknownBoard: 4404,
  /** The peer did not answer pings in time. */
  timeout: 4408,
  /** The board id in the URL is not a valid board id. */
  badBoardId: 4422,
  /** Too many failed token checks from this address; try again later. */
  rateLimited: 4420,
  /** The peer read too slowly: its unsent data passed the server's bound. */
  slowConsumer: 4429,
  /** The board was deleted. */
  boardDeleted: 4410,
  /** The board has reached its size limit; the change that would pass it was not saved. */
  boardTooLarge: 4413,
  /** The server could not load or store the board. */
  storageError: 4500,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client should stop reconnecting and show the reason instead. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.malformed,
  CloseCode.unauthorized,
  CloseCode.forbidden,
  CloseCode.unknownBoard,
  CloseCode.badBoardId,
  CloseCode.boardDeleted,
  CloseCode.boardTooLarge,
]);

/** Query parameter that carries a link token on the websocket (the stock client's `params`). */
export const WS_TOKEN_PARAM = 'token';

/**
 * The websocket subprotocol the server answers with. A client may carry its link token as a
 * second offered subprotocol (`new WebSocket(url, [WS_SUBPROTOCOL, token])`); the server never
 * echoes the token back.
 */
export const WS_SUBPROTOCOL = 'planboard';
