import type { FastifyError, FastifyPluginAsync } from 'fastify';
import {
  BOARD_ID_PATTERN,
  BOARD_TITLE_MAX_LENGTH,
  DEFAULT_BOARD_TITLE,
  newBoardId,
  type BoardSummary,
  type ClientConfig,
  type CreateBoardRequest,
} from '@planboard/shared';
import type { BoardRecord } from '../storage/board-store.js';

const boardSchema = {
  type: 'object',
  required: ['id', 'title', 'createdAt'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

export const boardIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: BOARD_ID_PATTERN } },
} as const;

const toSummary = (board: BoardRecord): BoardSummary => ({ id: board.id, title: board.title, createdAt: board.createdAt });

/** Boards as REST resources: `/api/boards`. */
export const boardRoutes: FastifyPluginAsync = async (app) => {
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    if (error.validation) {
      const detail = error.validation[0];
      const message =
        detail?.instancePath.startsWith('/id') || (detail?.params as { missingProperty?: string } | undefined)?.missingProperty === 'id'
          ? 'invalid board id'
          : error.message;
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

  app.post<{ Body: CreateBoardRequest | undefined }>(
    '/boards',
    {
      schema: {
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { title: { type: 'string', maxLength: BOARD_TITLE_MAX_LENGTH } },
        },
        response: { 201: boardSchema, 400: errorSchema },
      },
    },
    async (request, reply) => {
      const title = request.body?.title?.trim() || DEFAULT_BOARD_TITLE;
      const board: BoardRecord = { id: newBoardId(), title, createdAt: new Date().toISOString() };
      await app.store.createBoard(board);
      request.log.info({ board: board.id }, 'board created');
      return reply.status(201).send(toSummary(board));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/boards/:id',
    { schema: { params: boardIdParams, response: { 200: boardSchema, 404: errorSchema } } },
    async (request, reply) => {
      const board = await app.store.getBoard(request.params.id);
      if (!board) return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'board not found' });
      return toSummary(board);
    },
  );

  app.get('/config', async (): Promise<ClientConfig> => ({ tldrawLicenseKey: app.config.tldrawLicenseKey }));
};
