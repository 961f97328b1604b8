import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { PRESENTING_LIMITS } from '@planboard/shared';
import { requireRole } from '../extensions/auth/require-role.js';
import { NoSuchBoardError } from '../extensions/persistence/store.js';
import { storeBoardData } from '../extensions/facilitation/board-data.js';
import { boardDocsOf } from '../extensions/facilitation/board-docs.js';
import { Facilitation, FacilitationError, type Actor } from '../extensions/facilitation/facilitation.js';
import { opensAsPresentation } from '../extensions/presenting/link-option.js';
import { Presenting, PresentingError } from '../extensions/presenting/presenting.js';
import { boardIdParams, errorResponses, errorSchema } from './schemas.js';

/**
 * Presenting a board's frames, `/api/boards/:id/presenting...`. Like the facilitator's controls,
 * every call carries the link token (role) and the caller's presence identity (`userId`, `name`,
 * and the browser's secret that proves the id, checked by facilitation's `identify`).
 */
const ERROR_NAMES = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' } as const;

const slideId = { type: 'string', minLength: 1, maxLength: PRESENTING_LIMITS.idLength } as const;
const identity = {
  userId: { type: 'string', minLength: 1, maxLength: 64 },
  name: { type: 'string', minLength: 1, maxLength: 80 },
  secret: { type: 'string', minLength: 16, maxLength: 128 },
} as const;

function body<P extends Record<string, object>>(properties: P, required: (keyof P & string)[]) {
  return { type: 'object', additionalProperties: false, required: ['userId', 'name', 'secret', ...required], properties: { ...identity, ...properties } } as const;
}

const responses = { 204: { type: 'null' }, ...errorResponses, 409: errorSchema } as const;

type Params = { id: string };
interface Identity {
  userId: string;
  name: string;
  secret: string;
}

export const presentingRoutes: FastifyPluginAsync = async (app) => {
  const docs = boardDocsOf(app);
  const presenting = new Presenting(docs);
  // Only its `identify`: one participant identity for facilitation and presenting.
  const identities = new Facilitation(docs, storeBoardData(app.store));

  app.setErrorHandler<FastifyError>((error, _request, reply) => {
    if (error instanceof PresentingError || error instanceof FacilitationError) {
      return reply.status(error.statusCode).send({ statusCode: error.statusCode, error: ERROR_NAMES[error.statusCode], message: error.message });
    }
    if (error instanceof NoSuchBoardError) return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'board not found' });
    throw error;
  });

  const actor = (request: FastifyRequest<{ Body: Identity }>): Actor => ({ userId: request.body.userId, name: request.body.name, role: request.link!.role });
  const identify = async (request: FastifyRequest<{ Params: Params; Body: Identity }>) => {
    await identities.identify(request.params.id, request.body.userId, request.body.secret);
  };

  /** Whether the caller's link opens the board as a presentation. */
  app.get<{ Params: Params }>(
    '/boards/:id/presenting/link',
    {
      schema: {
        params: boardIdParams,
        response: { 200: { type: 'object', required: ['opensAsPresentation'], properties: { opensAsPresentation: { type: 'boolean' } } }, ...errorResponses },
      },
      preHandler: requireRole(app, 'viewer'),
    },
    async (request) => ({ opensAsPresentation: await opensAsPresentation(app.store, request.params.id, request.link!.id) }),
  );

  app.post<{ Params: Params; Body: Identity & { action: 'start' | 'go' | 'stop'; slideId?: string } }>(
    '/boards/:id/presenting',
    {
      schema: { params: boardIdParams, body: body({ action: { type: 'string', enum: ['start', 'go', 'stop'] }, slideId }, ['action']), response: responses },
      preHandler: [requireRole(app, 'viewer'), identify],
    },
    async (request, reply) => {
      const { id } = request.params;
      const { action, slideId: slide } = request.body;
      if (action === 'stop') await presenting.stop(id, actor(request));
      else if (!slide) throw new PresentingError(400, 'say which frame to show ("slideId")');
      else if (action === 'start') await presenting.start(id, actor(request), slide);
      else await presenting.go(id, actor(request), slide);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { slideIds: string[] | null } }>(
    '/boards/:id/presenting/order',
    {
      schema: {
        params: boardIdParams,
        body: body({ slideIds: { type: ['array', 'null'], maxItems: PRESENTING_LIMITS.maxSlides, items: slideId } }, ['slideIds']),
        response: responses,
      },
      preHandler: [requireRole(app, 'viewer'), identify],
    },
    async (request, reply) => {
      await presenting.setOrder(request.params.id, actor(request), request.body.slideIds);
      return reply.status(204).send();
    },
  );
};
