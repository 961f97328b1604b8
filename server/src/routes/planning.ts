import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import * as Y from 'yjs';
import {
  CSV_MAX_BYTES,
  CsvFormatError,
  MetaKey,
  PAGE_ID,
  analyseCardsCsv,
  cardsToCsv,
  cardsToMarkdown,
  derivePlanning,
  documentRecords,
  getMetaMap,
  getRecordsMap,
  jsonProblem,
  layoutImportedCards,
  planImport,
  storyCardRecord,
  stripControlCharacters,
  type BoardExport,
  type ImportResult,
  type StoredRecord,
} from '@planboard/shared';
import { requireRole } from '../extensions/auth/require-role.js';
import { UnknownBoardError } from '../relay/rooms.js';
import type { Room } from '../relay/room.js';
import { boardIdParams, errorResponses, errorSchema } from './schemas.js';

/** Transaction origin of the server's own edits (an import): broadcast to every peer, none excluded. */
const SERVER_ORIGIN = Symbol('planboard-server');

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

/** Runs `use` on the board's room (loaded from storage when nobody is connected), then lets it go. */
async function withRoom<T>(app: FastifyInstance, boardId: string, use: (room: Room) => Promise<T> | T): Promise<T | null> {
  let room: Room;
  try {
    room = await app.rooms.acquire(boardId);
  } catch (error) {
    if (error instanceof UnknownBoardError) return null;
    throw error;
  }
  try {
    return await use(room);
  } finally {
    app.rooms.release(room);
  }
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

/** Adds the document and page records an import's cards need when the board was never opened. */
function ensurePage(records: Y.Map<StoredRecord>, parentId: string): void {
  for (const record of documentRecords()) {
    const needed = record.typeName === 'document' ? !records.has(record.id) : parentId === PAGE_ID && !records.has(PAGE_ID);
    if (needed) records.set(record.id, record);
  }
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

      const outcome = await withRoom(app, request.params.id, async (room) => {
        const records = getRecordsMap(room.doc);
        let result!: ImportResult;
        // One transaction: every peer sees the whole import arrive at once, and it is stored as one update.
        room.doc.transact(() => {
          // Where each card goes (its Jira sprint's frame, else the backlog lane) and how they are laid out: pure, in shared/.
          const existing = [...records.values()];
          const plan = planImport(parsed, derivePlanning(existing).lanes);
          const layout = layoutImportedCards(existing, cards.map((card, i) => ({ laneId: plan.laneIds[i]!, group: card.group })));
          ensurePage(records, PAGE_ID);
          for (const { id, w, h } of layout.resize) {
            const lane = records.get(id)!;
            records.set(id, { ...lane, props: { ...(lane['props'] as Record<string, unknown>), w, h } });
          }
          for (const { id, dx, dy } of layout.move) {
            const shape = records.get(id)!;
            records.set(id, { ...shape, x: Number(shape['x']) + dx, y: Number(shape['y']) + dy });
          }
          const cardIds = cards.map((card, i) => {
            const record = storyCardRecord(layout.positions[i]!, card.props);
            records.set(record.id, record);
            return record.id;
          });
          const placed = plan.destinations.map((d) => ({ lane: d.name, count: d.count }));
          const main = [...plan.destinations].sort((a, b) => b.count - a.count)[0];
          result = { imported: cardIds.length, lane: main?.name ?? null, placed, skipped, warnings, cardIds };
        }, SERVER_ORIGIN);
        try {
          await app.rooms.writer.flush();
        } catch (error) {
          request.log.error({ err: error, board: room.boardId }, 'imported cards not stored yet');
          const failure: Failure = { status: 503, message: 'the cards were added to the board, but the server cannot save it right now; it keeps retrying' };
          return { failure, result: null };
        }
        return { failure: null, result };
      });
      if (!outcome) return fail(reply, { status: 404, message: 'board not found' });
      if (outcome.failure) return fail(reply, outcome.failure);
      request.log.info({ board: request.params.id, imported: outcome.result.imported, skipped: skipped.length }, 'cards imported');
      return outcome.result;
    },
  );

  /** The board's record and a copy of its document's records and metadata, or null if it is gone. */
  async function readBoard(boardId: string) {
    const board = await app.store.getBoard(boardId);
    if (!board) return null;
    const content = await withRoom(app, boardId, (room) => ({
      records: getRecordsMap(room.doc).toJSON() as Record<string, StoredRecord>,
      meta: getMetaMap(room.doc).toJSON() as Record<string, unknown>,
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
