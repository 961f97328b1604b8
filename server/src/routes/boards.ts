import type { FastifyPluginAsync } from 'fastify';
import {
  BOARD_TITLE_MAX_LENGTH,
  CloseCode,
  DEFAULT_BOARD_TITLE,
  TEMPLATE_IDS,
  newBoardId,
  type BoardAccess,
  type BoardSummary,
  type ClientConfig,
  type CreateBoardRequest,
  type CreatedBoard,
  type UpdateBoardRequest,
} from '@planboard/shared';
import type { BoardRecord } from '../extensions/persistence/store.js';
import { newLink } from '../extensions/auth/issue-link.js';
import { requireRole } from '../extensions/auth/require-role.js';
import { templateUpdate } from '../planning/seed-template.js';
import { boardIdParams, boardSchema, errorResponses, linkSchema } from './schemas.js';

const toSummary = (board: BoardRecord): BoardSummary => ({ id: board.id, title: board.title, createdAt: board.createdAt });

const titleSchema = { type: 'string', minLength: 1, maxLength: BOARD_TITLE_MAX_LENGTH, pattern: '\\S' } as const;

/** Boards as REST resources: `/api/boards`. Every route of a board needs a link token. */
export const boardRoutes: FastifyPluginAsync = async (app) => {
  app.post<{ Body: CreateBoardRequest | undefined }>(
    '/boards',
    {
      schema: {
        body: {
          type: ['object', 'null'],
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
        },
      },
    },
    async (request, reply) => {
      const title = request.body?.title?.trim() || DEFAULT_BOARD_TITLE;
      const board: BoardRecord = { id: newBoardId(), title, createdAt: new Date().toISOString() };
      const owner = newLink(board.id, 'owner', { label: 'Owner' });
      const edit = newLink(board.id, 'editor', { label: 'Edit link' });
      const view = newLink(board.id, 'viewer', { label: 'View link' });
      // The board, its links and the template's lanes are stored in one transaction: nobody can
      // open a board without its content, and a failure leaves nothing half-created.
      const seed = templateUpdate(request.body?.template ?? 'blank');
      await app.store.createBoard(board, [owner.record, edit.record, view.record], seed);
      const links = { owner: owner.created, edit: edit.created, view: view.created };
      request.log.info({ board: board.id, template: request.body?.template ?? 'blank' }, 'board created');
      const created: CreatedBoard = { ...toSummary(board), links };
      return reply.status(201).send(created);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/boards/:id',
    { schema: { params: boardIdParams, response: { 200: boardSchema, ...errorResponses } }, preHandler: requireRole(app, 'viewer') },
    async (request, reply) => {
      const board = await app.store.getBoard(request.params.id);
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
      const board = await app.store.updateBoardTitle(request.params.id, request.body.title.trim());
      if (!board) return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'board not found' });
      return { ...toSummary(board), role: request.link!.role };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/boards/:id',
    { schema: { params: boardIdParams, response: errorResponses }, preHandler: requireRole(app, 'owner') },
    async (request, reply) => {
      const { id } = request.params;
      await app.rooms.evict(id, CloseCode.boardDeleted, 'this board was deleted');
      await app.store.deleteBoard(id);
      request.log.info({ board: id }, 'board deleted');
      return reply.status(204).send();
    },
  );

  app.get('/config', async (): Promise<ClientConfig> => ({ tldrawLicenseKey: app.config.tldrawLicenseKey }));
};
