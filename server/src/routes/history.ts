import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import * as Y from 'yjs';
import {
  BOARD_TITLE_MAX_LENGTH,
  VERSION_KINDS,
  VERSION_NAME_MAX_LENGTH,
  newBoardId,
  readVersion,
  seedFromVersion,
  stripControlCharacters,
  versionLabel,
  type CreateVersionRequest,
  type CreatedBoard,
  type RestoreResult,
  type VersionList,
  type VersionSummary,
} from '@planboard/shared';
import { requireRole } from '../extensions/auth/require-role.js';
import { newLink } from '../extensions/auth/issue-link.js';
import { VersionNotFoundError } from '../extensions/history/history.js';
import type { BoardRecord, VersionRecord } from '../extensions/persistence/store.js';
import { NotStoredError } from '../relay/relay.js';
import { boardIdParams, boardSchema, errorResponses, errorSchema, linkSchema } from './schemas.js';

const versionParams = {
  type: 'object',
  required: ['id', 'versionId'],
  properties: { ...boardIdParams.properties, versionId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
} as const;

const versionSchema = {
  type: 'object',
  required: ['id', 'kind', 'name', 'createdAt', 'people', 'bytes', 'restoredVersionId'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: VERSION_KINDS },
    name: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    people: { type: 'array', items: { type: 'string' } },
    bytes: { type: 'integer' },
    restoredVersionId: { type: ['string', 'null'] },
  },
} as const;

const nameSchema = { type: 'string', minLength: 1, maxLength: VERSION_NAME_MAX_LENGTH, pattern: '\\S' } as const;

const responses = { ...errorResponses, 503: errorSchema } as const;

const toSummary = ({ boardId: _boardId, ...version }: VersionRecord): VersionSummary => version;

/** A name as stored: control characters removed, trimmed. */
const cleanName = (name: string) => stripControlCharacters(name).trim();

const badRequest = (reply: FastifyReply, message: string) => reply.status(400).send({ statusCode: 400, error: 'Bad Request', message });
const notFound = (reply: FastifyReply, message = 'board not found') => reply.status(404).send({ statusCode: 404, error: 'Not Found', message });

type Params = { id: string };
type VersionParams = { id: string; versionId: string };

/**
 * A board's versions, `/api/boards/:id/history/...`: list, take a named one, read one (its Yjs
 * state, for the read-only view), restore, undo a restore, copy to a new board. Owners and
 * editors only: a viewer (a stakeholder's link) gets 403 on every one of them, and versions
 * never travel over the board's websocket.
 */
export const historyRoutes: FastifyPluginAsync = async (app) => {
  const { history, config } = app;
  const editor = requireRole(app, 'editor');
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`too many boards created from this address; try again in ${context.after}`), { statusCode: context.statusCode, name: 'Too Many Requests' }),
  });

  app.setErrorHandler<FastifyError>((error, request, reply) => {
    if (error instanceof VersionNotFoundError) return notFound(reply, error.message);
    if (error instanceof NotStoredError) {
      request.log.error({ err: error }, 'history change not stored yet');
      return reply.status(503).send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'the board was changed, but the server cannot save it right now; it keeps retrying',
      });
    }
    throw error;
  });

  app.get<{ Params: Params }>(
    '/boards/:id/history',
    {
      schema: {
        params: boardIdParams,
        response: { 200: { type: 'object', required: ['versions', 'retentionDays'], properties: { versions: { type: 'array', items: versionSchema }, retentionDays: { type: 'integer' } } }, ...responses },
      },
      preHandler: editor,
    },
    async (request): Promise<VersionList> => {
      const versions = await history.list(request.params.id);
      return { versions: versions.map(toSummary), retentionDays: history.retentionDays };
    },
  );

  app.post<{ Params: Params; Body: CreateVersionRequest }>(
    '/boards/:id/history',
    {
      bodyLimit: 4096,
      schema: {
        params: boardIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { kind: { type: 'string', enum: ['named', 'before-template'] }, name: nameSchema },
        },
        response: { 201: versionSchema, ...responses },
      },
      preHandler: editor,
    },
    async (request, reply) => {
      const kind = request.body.kind ?? 'named';
      const name = request.body.name === undefined ? null : cleanName(request.body.name);
      if (kind === 'named' && !name) return badRequest(reply, 'a named version needs a name with at least one visible character');
      const version = await history.take(request.params.id, kind, name || null);
      if (!version) return notFound(reply);
      return reply.status(201).send(toSummary(version));
    },
  );

  app.patch<{ Params: VersionParams; Body: { name: string } }>(
    '/boards/:id/history/:versionId',
    {
      bodyLimit: 4096,
      schema: {
        params: versionParams,
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: nameSchema } },
        response: { 200: versionSchema, ...responses },
      },
      preHandler: editor,
    },
    async (request, reply) => {
      const name = cleanName(request.body.name);
      if (!name) return badRequest(reply, 'a version name needs at least one visible character');
      return toSummary(await history.name(request.params.id, request.params.versionId, name));
    },
  );

  // The version's Yjs state as it is stored (what a client applies to an empty Y.Doc to see it).
  app.get<{ Params: VersionParams }>(
    '/boards/:id/history/:versionId',
    { schema: { params: versionParams, response: responses }, preHandler: editor },
    async (request, reply) => {
      const { state } = await history.content(request.params.id, request.params.versionId);
      return reply.header('cache-control', 'private, no-store').type('application/octet-stream').send(Buffer.from(state.buffer, state.byteOffset, state.byteLength));
    },
  );

  app.post<{ Params: VersionParams }>(
    '/boards/:id/history/:versionId/restore',
    {
      schema: {
        params: versionParams,
        response: { 200: { type: 'object', required: ['restored', 'undo'], properties: { restored: versionSchema, undo: versionSchema } }, ...responses },
      },
      preHandler: editor,
    },
    async (request, reply): Promise<RestoreResult | FastifyReply> => {
      const result = await history.restore(request.params.id, request.params.versionId);
      if (!result) return notFound(reply);
      return { restored: toSummary(result.restored), undo: toSummary(result.undo) };
    },
  );

  app.post<{ Params: VersionParams }>(
    '/boards/:id/history/:versionId/undo',
    { schema: { params: versionParams, response: { 200: versionSchema, ...responses } }, preHandler: editor },
    async (request, reply) => {
      const result = await history.undoRestore(request.params.id, request.params.versionId);
      if (!result) return notFound(reply);
      return toSummary(result.version);
    },
  );

  app.post<{ Params: VersionParams; Body: { title?: string } | undefined }>(
    '/boards/:id/history/:versionId/copy',
    {
      config: { rateLimit: { max: config.boardCreationsPerMinute, timeWindow: '1 minute' } },
      bodyLimit: 16 * 1024,
      schema: {
        params: versionParams,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { title: { type: 'string', maxLength: BOARD_TITLE_MAX_LENGTH } } },
        response: {
          201: {
            type: 'object',
            required: ['id', 'title', 'createdAt', 'links'],
            properties: { ...boardSchema.properties, links: { type: 'object', properties: { owner: linkSchema, edit: linkSchema, view: linkSchema } } },
          },
          ...responses,
        },
      },
      preHandler: editor,
    },
    async (request, reply) => {
      const source = await app.boards.get(request.params.id);
      if (!source) return notFound(reply);
      const { version, state } = await history.content(request.params.id, request.params.versionId);
      const title =
        cleanTitle(request.body?.title ?? '') || `${source.title} (${versionLabel(version)}, ${version.createdAt.slice(0, 16).replace('T', ' ')} UTC)`.slice(0, BOARD_TITLE_MAX_LENGTH);
      // The version's records and meta in a fresh document: the copy starts without the source's
      // history or server-side state (facilitation), like a board made from a template.
      const doc = new Y.Doc();
      let seed: Uint8Array;
      try {
        doc.transact(() => seedFromVersion(doc, readVersion(state)));
        seed = Y.encodeStateAsUpdate(doc);
      } finally {
        doc.destroy();
      }
      const board: BoardRecord = { id: newBoardId(), title, createdAt: new Date().toISOString() };
      const owner = newLink(board.id, 'owner', { label: 'Owner' });
      const edit = newLink(board.id, 'editor', { label: 'Edit link' });
      const view = newLink(board.id, 'viewer', { label: 'View link' });
      await app.boards.create(board, [owner.record, edit.record, view.record], seed);
      request.log.info({ board: board.id, from: request.params.id, version: version.id }, 'board copied from a version');
      const created: CreatedBoard = { id: board.id, title: board.title, createdAt: board.createdAt, links: { owner: owner.created, edit: edit.created, view: view.created } };
      return reply.status(201).send(created);
    },
  );
};

const cleanTitle = (title: string) => stripControlCharacters(title).trim();
