import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import * as Y from 'yjs';
import {
  BOARD_TITLE_MAX_LENGTH,
  DEFAULT_BOARD_TITLE,
  TEMPLATE_IDS,
  newBoardId,
  seedTemplate,
  stripControlCharacters,
  type BoardAccess,
  type BoardSummary,
  type ClientConfig,
  type CreateBoardRequest,
  type CreatedBoard,
  type TemplateId,
  type UpdateBoardRequest,
} from '@planboard/shared';
import type { BoardRecord } from '../extensions/persistence/store.js';
import { newLink } from '../extensions/auth/issue-link.js';
import { requireRole } from '../extensions/auth/require-role.js';
import { boardIdParams, boardSchema, errorResponses, errorSchema, linkSchema } from './schemas.js';
import { bearerSecretCheck, isOwnOrigin } from './instance-secret.js';

/**
 * A new board's first content from its template (a pure change from shared/, run on a fresh
 * document), as one update to be stored with the board; null for `blank`.
 */
function initialContent(template: TemplateId): Uint8Array | null {
  if (template === 'blank') return null;
  const doc = new Y.Doc();
  try {
    doc.transact(() => seedTemplate(doc, template));
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

const toSummary = (board: BoardRecord): BoardSummary => ({ id: board.id, title: board.title, createdAt: board.createdAt });

const titleSchema = { type: 'string', minLength: 1, maxLength: BOARD_TITLE_MAX_LENGTH, pattern: '\\S' } as const;

/** A board title as stored: control characters (NUL, ESC, line breaks, bidi overrides) removed, trimmed. */
const cleanTitle = (title: string) => stripControlCharacters(title).trim();

const refuse = (reply: FastifyReply, statusCode: 401 | 403 | 415, message: string) =>
  reply.status(statusCode).send({ statusCode, error: { 401: 'Unauthorized', 403: 'Forbidden', 415: 'Unsupported Media Type' }[statusCode], message });

/** Boards as REST resources: `/api/boards`. Every route of a board needs a link token. */
export const boardRoutes: FastifyPluginAsync = async (app) => {
  const { config } = app;
  // Only routes that ask for it are limited (board creation); keyed by client address, which
  // TRUST_PROXY makes the real client's behind a proxy.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`too many boards created from this address; try again in ${context.after}`), { statusCode: context.statusCode, name: 'Too Many Requests' }),
  });
  const creationTokenCheck = config.boardCreationToken ? bearerSecretCheck(config.boardCreationToken) : null;

  /**
   * Board creation is refused unless it is a deliberate API call: a JSON body (a cross-site HTML
   * form can only send form encodings or text/plain), a same-origin Origin when a browser sends
   * one, and the creation token when the instance requires it.
   */
  async function admitCreation(request: FastifyRequest, reply: FastifyReply) {
    const origin = request.headers.origin;
    if (origin !== undefined && !(config.allowedOrigins?.includes(origin) ?? false) && !isOwnOrigin(request, origin)) {
      request.log.warn({ origin }, 'cross-site board creation refused');
      return refuse(reply, 403, 'boards can only be created from this server\'s own pages');
    }
    const type = request.headers['content-type'];
    if (!type || !/^application\/json\s*(;|$)/i.test(type)) {
      return refuse(reply, 415, `send a JSON body with Content-Type: application/json (an empty object {} creates an untitled blank board)${type ? `; got ${type}` : ''}`);
    }
    if (creationTokenCheck) {
      const check = creationTokenCheck(request);
      if (check === 'missing') return refuse(reply, 401, 'this server only creates boards for people with its board creation token: send it as Authorization: Bearer <token>');
      if (check === 'wrong') return refuse(reply, 403, 'the board creation token is not right');
    }
  }

  app.post<{ Body: CreateBoardRequest }>(
    '/boards',
    {
      config: { rateLimit: { max: config.boardCreationsPerMinute, timeWindow: '1 minute' } },
      // Before the body is read: a refused request costs no parsing (and a title fits in far less).
      onRequest: admitCreation,
      bodyLimit: 16 * 1024,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            title: { type: 'string', maxLength: BOARD_TITLE_MAX_LENGTH },
            template: { type: 'string', enum: TEMPLATE_IDS },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['id', 'title', 'createdAt', 'links'],
            properties: {
              ...boardSchema.properties,
              links: { type: 'object', properties: { owner: linkSchema, edit: linkSchema, view: linkSchema } },
            },
          },
          ...errorResponses,
          415: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const title = cleanTitle(request.body.title ?? '') || DEFAULT_BOARD_TITLE;
      const board: BoardRecord = { id: newBoardId(), title, createdAt: new Date().toISOString() };
      const owner = newLink(board.id, 'owner', { label: 'Owner' });
      const edit = newLink(board.id, 'editor', { label: 'Edit link' });
      const view = newLink(board.id, 'viewer', { label: 'View link' });
      // The board, its links and the template's lanes are stored in one transaction: nobody can
      // open a board without its content, and a failure leaves nothing half-created.
      const seed = initialContent(request.body.template ?? 'blank');
      await app.boards.create(board, [owner.record, edit.record, view.record], seed);
      const links = { owner: owner.created, edit: edit.created, view: view.created };
      request.log.info({ board: board.id, template: request.body.template ?? 'blank' }, 'board created');
      const created: CreatedBoard = { ...toSummary(board), links };
      return reply.status(201).send(created);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/boards/:id',
    { schema: { params: boardIdParams, response: { 200: boardSchema, ...errorResponses } }, preHandler: requireRole(app, 'viewer') },
    async (request, reply) => {
      const board = await app.boards.get(request.params.id);
      if (!board) return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'board not found' });
      const access: BoardAccess = { ...toSummary(board), role: request.link!.role };
      return access;
    },
  );

  app.patch<{ Params: { id: string }; Body: UpdateBoardRequest }>(
    '/boards/:id',
    {
      schema: {
        params: boardIdParams,
        body: { type: 'object', required: ['title'], additionalProperties: false, properties: { title: titleSchema } },
        response: { 200: boardSchema, ...errorResponses },
      },
      preHandler: requireRole(app, 'editor'),
    },
    async (request, reply) => {
      const title = cleanTitle(request.body.title);
      if (!title) return reply.status(400).send({ statusCode: 400, error: 'Bad Request', message: 'a board title needs at least one visible character' });
      const board = await app.boards.rename(request.params.id, title);
      if (!board) return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'board not found' });
      return { ...toSummary(board), role: request.link!.role };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/boards/:id',
    { schema: { params: boardIdParams, response: errorResponses }, preHandler: requireRole(app, 'owner') },
    async (request, reply) => {
      const { id } = request.params;
      // Its peers are closed and its content deleted (on every instance).
      await app.relay.deleteBoard(id);
      request.log.info({ board: id }, 'board deleted');
      return reply.status(204).send();
    },
  );

  app.get('/config', async (): Promise<ClientConfig> => ({ tldrawLicenseKey: config.tldrawLicenseKey, boardCreation: config.boardCreation }));
};
