import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  CSV_MAX_BYTES,
  CsvFormatError,
  MetaKey,
  analyseCardsCsv,
  cardsToCsv,
  cardsToMarkdown,
  derivePlanning,
  getMetaMap,
  getRecordsMap,
  importCards,
  jsonProblem,
  stripControlCharacters,
  type BoardExport,
  type ImportResult,
  type StoredRecord,
} from '@planboard/shared';
import { requireRole } from '../extensions/auth/require-role.js';
import { NotStoredError } from '../relay/relay.js';
import { boardIdParams, errorResponses, errorSchema } from './schemas.js';

/** Marks a body sent with a content type other than text/csv (refused with 415 once authorised). */
const NOT_CSV = Symbol('not-csv');

const rowSchema = {
  type: 'object',
  required: ['row', 'reason'],
  properties: { row: { type: 'integer' }, reason: { type: 'string' } },
} as const;

const importResultSchema = {
  type: 'object',
  required: ['imported', 'lane', 'placed', 'skipped', 'warnings', 'cardIds'],
  properties: {
    imported: { type: 'integer' },
    lane: { type: ['string', 'null'] },
    placed: {
      type: 'array',
      items: { type: 'object', required: ['lane', 'count'], properties: { lane: { type: ['string', 'null'] }, count: { type: 'integer' } } },
    },
    skipped: { type: 'array', items: rowSchema },
    warnings: { type: 'array', items: rowSchema },
    cardIds: { type: 'array', items: { type: 'string' } },
  },
} as const;

const exportSchema = {
  type: 'object',
  required: ['board', 'layoutVersion', 'schema', 'records'],
  properties: {
    board: {
      type: 'object',
      required: ['id', 'title', 'createdAt'],
      properties: { id: { type: 'string' }, title: { type: 'string' }, createdAt: { type: 'string' } },
    },
    layoutVersion: { type: ['number', 'null'] },
    schema: {},
    records: { type: 'object', additionalProperties: true },
    omitted: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, reason: { type: 'string' } } } },
  },
} as const;

type Failure = { status: 400 | 404 | 413 | 415 | 503; message: string; skipped?: ImportResult['skipped'] };

const ERROR_NAMES = { 400: 'Bad Request', 404: 'Not Found', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 503: 'Service Unavailable' } as const;

function fail(reply: FastifyReply, { status, message, skipped }: Failure) {
  return reply.status(status).send({ statusCode: status, error: ERROR_NAMES[status], message, ...(skipped ? { skipped } : {}) });
}

/** A file name for `Content-Disposition` in plain ASCII: "Q3 roadmap / Ops" → "Q3 roadmap - Ops". */
export function safeFileName(title: string): string {
  const ascii = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 ._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[\s.-]+|[\s.-]+$/g, '')
    .slice(0, 100)
    .trim();
  return ascii || 'board';
}

function attachment(boardTitle: string, extension: string): string {
  // A title stored before titles were cleaned may hold what encodeURIComponent throws on.
  const title = stripControlCharacters(boardTitle).trim();
  return `attachment; filename="${safeFileName(title)}.${extension}"; filename*=UTF-8''${encodeURIComponent(`${title || 'board'}.${extension}`)}`;
}

/** CSV import and the board's exports: `/api/boards/:id/import`, `/api/boards/:id/export.{csv,md,json}`. */
export const planningRoutes: FastifyPluginAsync = async (app) => {
  // Scoped to this plugin: CSV bodies up to CSV_MAX_BYTES come in as a string; any other body is
  // left unread and refused by the route with a message, after the token was checked.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_MAX_BYTES }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', (_request, payload, done) => {
    payload.resume();
    done(null, NOT_CSV);
  });
  // A file over the limit gets a message naming the limit; every other error goes to the app's handler.
  app.setErrorHandler<FastifyError>((error, _request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return fail(reply, { status: 413, message: `the file is larger than ${CSV_MAX_BYTES / 1024 / 1024} MiB` });
    throw error;
  });

  app.post<{ Params: { id: string }; Body: string | typeof NOT_CSV | undefined }>(
    '/boards/:id/import',
    {
      schema: {
        params: boardIdParams,
        response: {
          200: importResultSchema,
          ...errorResponses,
          400: { type: 'object', properties: { ...errorSchema.properties, skipped: { type: 'array', items: rowSchema } } },
          413: errorSchema,
          415: errorSchema,
          503: errorSchema,
        },
      },
      preHandler: requireRole(app, 'editor'),
    },
    async (request, reply) => {
      const { body } = request;
      if (typeof body !== 'string') {
        const type = request.headers['content-type'];
        return fail(reply, { status: 415, message: `send the CSV file as the request body with Content-Type: text/csv${type ? ` (got ${type})` : ''}` });
      }
      let parsed;
      try {
        parsed = analyseCardsCsv(body);
      } catch (error) {
        if (error instanceof CsvFormatError) return fail(reply, { status: 400, message: error.message });
        throw error;
      }
      const { cards, skipped, warnings } = parsed;
      if (cards.length === 0) {
        const reasons = skipped.slice(0, 5).map((s) => `row ${s.row}: ${s.reason}`).join('; ');
        const more = skipped.length > 5 ? `; and ${skipped.length - 5} more` : '';
        return fail(reply, { status: 400, message: `no row could be imported${reasons ? ` (${reasons}${more})` : ': the file has no rows'}`, skipped });
      }

      let placed;
      try {
        // A version first: an import that went wrong is one restore away.
        await app.history.take(request.params.id, 'before-import');
        // One transaction: every peer sees the whole import arrive at once, and it is stored as one update.
        placed = await app.relay.change(request.params.id, (doc) => importCards(doc, parsed));
      } catch (error) {
        if (!(error instanceof NotStoredError)) throw error;
        request.log.error({ err: error, board: request.params.id }, 'imported cards not stored yet');
        return fail(reply, { status: 503, message: 'the cards were added to the board, but the server cannot save it right now; it keeps retrying' });
      }
      if (!placed) return fail(reply, { status: 404, message: 'board not found' });
      const result: ImportResult = { imported: placed.cardIds.length, lane: placed.lane, placed: placed.placed, skipped, warnings, cardIds: placed.cardIds };
      request.log.info({ board: request.params.id, imported: result.imported, skipped: skipped.length }, 'cards imported');
      return result;
    },
  );

  /** The board's record and a copy of its document's records and metadata, or null if it is gone. */
  async function readBoard(boardId: string) {
    const board = await app.boards.get(boardId);
    if (!board) return null;
    const content = await app.relay.read(boardId, (doc) => ({
      records: getRecordsMap(doc).toJSON() as Record<string, StoredRecord>,
      meta: getMetaMap(doc).toJSON() as Record<string, unknown>,
    }));
    return content && { board, ...content };
  }

  const exportRoute = { schema: { params: boardIdParams, response: errorResponses }, preHandler: requireRole(app, 'viewer') };

  /** The board's planning, with a warning naming the records that could not be read (they are left out). */
  function planningOf(request: FastifyRequest, records: Record<string, StoredRecord>) {
    const model = derivePlanning(Object.values(records));
    if (model.invalid.length > 0) request.log.warn({ board: (request.params as { id: string }).id, invalid: model.invalid.slice(0, 10) }, 'malformed records left out of an export');
    return model;
  }

  app.get<{ Params: { id: string } }>('/boards/:id/export.csv', exportRoute, async (request, reply) => {
    const data = await readBoard(request.params.id);
    if (!data) return fail(reply, { status: 404, message: 'board not found' });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', attachment(data.board.title, 'csv'))
      .send(cardsToCsv(planningOf(request, data.records)));
  });

  app.get<{ Params: { id: string } }>('/boards/:id/export.md', exportRoute, async (request, reply) => {
    const data = await readBoard(request.params.id);
    if (!data) return fail(reply, { status: 404, message: 'board not found' });
    return reply
      .header('content-type', 'text/markdown; charset=utf-8')
      .header('content-disposition', attachment(data.board.title, 'md'))
      .send(cardsToMarkdown(planningOf(request, data.records), data.board.title));
  });

  app.get<{ Params: { id: string } }>(
    '/boards/:id/export.json',
    { ...exportRoute, schema: { params: boardIdParams, response: { 200: exportSchema, ...errorResponses } } },
    async (request, reply) => {
      const data = await readBoard(request.params.id);
      if (!data) return fail(reply, { status: 404, message: 'board not found' });
      const { id, title, createdAt } = data.board;
      const layoutVersion = data.meta[MetaKey.layoutVersion];
      // The document as it is, malformed records included, except values JSON cannot carry
      // (Yjs can hold bigints and binary): those are listed instead of failing the export.
      const records: Record<string, unknown> = {};
      const omitted: NonNullable<BoardExport['omitted']> = [];
      for (const [key, record] of Object.entries(data.records)) {
        const problem = jsonProblem(record);
        if (problem) omitted.push({ id: key, reason: problem });
        else records[key] = record;
      }
      const schema = data.meta[MetaKey.schema] ?? null;
      const body: BoardExport = {
        board: { id, title, createdAt },
        layoutVersion: typeof layoutVersion === 'number' ? layoutVersion : null,
        schema: jsonProblem(schema) ? null : schema,
        records,
        ...(omitted.length > 0 ? { omitted } : {}),
      };
      if (omitted.length > 0) request.log.warn({ board: id, omitted: omitted.length }, 'records left out of a JSON export');
      return reply.header('content-disposition', attachment(title, 'json')).send(body);
    },
  );
};
