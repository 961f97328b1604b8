import type { FastifyPluginAsync } from 'fastify';
import * as Y from 'yjs';
import {
  BOARD_TITLE_MAX_LENGTH,
  DEFAULT_BOARD_TITLE,
  TEMPLATE_IDS,
  newBoardId,
  seedTemplate,
  type BoardAccess,
  type BoardSummary,
  type ClientConfig,
  type CreateBoardRequest,
  type CreatedBoard,
  type TemplateId,
  type UpdateBoardRequest,
} from '@planboard/shared';
import type { BoardRecord } from '../extensions/persistence/store.js';
import { issueLink } from '../extensions/auth/issue-link.js';
import { requireRole } from '../extensions/auth/require-role.js';
import { boardIdParams, boardSchema, errorResponses, linkSchema } from './schemas.js';

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
      await app.store.createBoard(board);
      // The template's lanes are on disk before anyone can open the board.
      const seed = initialContent(request.body?.template ?? 'blank');
      if (seed) {
        try {
          await app.store.appendUpdates([{ boardId: board.id, updates: [seed] }]);
        } catch (error) {
          await app.store.deleteBoard(board.id).catch(() => undefined);
          throw error;
        }
      }
      const links = {
        owner: await issueLink(app.store, board.id, 'owner', { label: 'Owner' }),
        edit: await issueLink(app.store, board.id, 'editor', { label: 'Edit link' }),
        view: await issueLink(app.store, board.id, 'viewer', { label: 'View link' }),
      };
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
      // Its peers are closed and its content deleted (on every instance).
      await app.relay.deleteBoard(id);
      request.log.info({ board: id }, 'board deleted');
      return reply.status(204).send();
    },
  );

  app.get('/config', async (): Promise<ClientConfig> => ({ tldrawLicenseKey: app.config.tldrawLicenseKey }));
};
