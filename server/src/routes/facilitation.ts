import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DECK_KINDS, DOT_LIMITS, ESTIMATES, TIMER_LIMITS, CUSTOM_DECK_LIMITS, type AttentionMode, type DeckKind, type TimerAction } from '@planboard/shared';
import { requireRole } from '../extensions/auth/require-role.js';
import { NoSuchBoardError } from '../extensions/persistence/store.js';
import { FacilitationError, type Actor } from '../extensions/facilitation/facilitation.js';
import { boardIdParams, errorResponses, errorSchema } from './schemas.js';

/**
 * The facilitator's controls, `/api/boards/:id/facilitation/...`, and the server clock
 * (`/api/time`). Every call carries the link token (role) and the caller's presence identity
 * (`userId`, `name`); the server decides from its own data whether the caller may act.
 *
 * Votes are never in any answer: a vote is answered with 204 and nothing else.
 */
const ERROR_NAMES = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' } as const;

const person = {
  userId: { type: 'string', minLength: 1, maxLength: 64 },
  name: { type: 'string', minLength: 1, maxLength: 80 },
} as const;
/** Who calls: their presence id and name, and the secret that proves the id is theirs. */
const identity = { ...person, secret: { type: 'string', minLength: 16, maxLength: 128 } } as const;

function body<P extends Record<string, object>>(properties: P, required: (keyof P & string)[] = []) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['userId', 'name', 'secret', ...required],
    properties: { ...identity, ...properties },
  } as const;
}

const participant = { type: 'object', additionalProperties: false, required: ['userId', 'name'], properties: person } as const;
const responses = { 204: { type: 'null' }, ...errorResponses, 409: errorSchema } as const;
const dotsResponse = { type: 'object', required: ['dots'], properties: { dots: { type: 'object', additionalProperties: { type: 'integer' } } } } as const;

type Params = { id: string };
interface Identity {
  userId: string;
  name: string;
  secret: string;
}

export const facilitationRoutes: FastifyPluginAsync = async (app) => {
  const facilitation = app.facilitation;

  app.setErrorHandler<FastifyError>((error, _request, reply) => {
    if (error instanceof FacilitationError) {
      return reply.status(error.statusCode).send({ statusCode: error.statusCode, error: ERROR_NAMES[error.statusCode], message: error.message });
    }
    if (error instanceof NoSuchBoardError) return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'board not found' });
    throw error;
  });

  const actor = (request: FastifyRequest<{ Body: Identity }>): Actor => ({ userId: request.body.userId, name: request.body.name, role: request.link!.role });
  const identify = async (request: FastifyRequest) => {
    const { id } = request.params as Params;
    const { userId, secret } = (request.body ?? request.query) as Identity;
    await facilitation.identify(id, userId, secret);
  };
  const guards = [requireRole(app, 'viewer'), identify];
  const route = <B extends object>(schemaBody: B) => ({
    schema: { params: boardIdParams, body: schemaBody, response: responses },
    preHandler: guards,
  });

  /** The server's clock, so that every participant counts the timer down from the same time. */
  app.get('/time', { schema: { response: { 200: { type: 'object', required: ['now'], properties: { now: { type: 'number' } } } } } }, async () => ({ now: Date.now() }));

  app.post<{ Params: Params; Body: Identity & { action: 'take' | 'leave' | 'hand'; to?: Identity } }>(
    '/boards/:id/facilitation/chair',
    route(body({ action: { type: 'string', enum: ['take', 'leave', 'hand'] }, to: participant }, ['action'])),
    async (request, reply) => {
      const { id } = request.params;
      const { action, to } = request.body;
      if (action === 'take') await facilitation.takeChair(id, actor(request));
      else if (action === 'leave') await facilitation.leaveChair(id, actor(request));
      else if (!to) throw new FacilitationError(400, 'say whom to hand the chair to ("to")');
      else await facilitation.handChair(id, actor(request), to);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { anyoneControlsTimer: boolean } }>(
    '/boards/:id/facilitation/settings',
    route(body({ anyoneControlsTimer: { type: 'boolean' } }, ['anyoneControlsTimer'])),
    async (request, reply) => {
      await facilitation.setSettings(request.params.id, actor(request), { anyoneControlsTimer: request.body.anyoneControlsTimer });
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { action: TimerAction; durationMs?: number } }>(
    '/boards/:id/facilitation/timer',
    route(body({
      action: { type: 'string', enum: ['start', 'pause', 'resume', 'add', 'stop'] },
      durationMs: { type: 'integer', minimum: TIMER_LIMITS.minMs, maximum: TIMER_LIMITS.maxMs },
    }, ['action'])),
    async (request, reply) => {
      await facilitation.timer(request.params.id, actor(request), request.body.action, request.body.durationMs);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { action: 'open' | 'reveal' | 'revote' | 'close'; cardId?: string; deck?: DeckKind; customValues?: string[]; autoReveal?: boolean } }>(
    '/boards/:id/facilitation/poker',
    route(body({
      action: { type: 'string', enum: ['open', 'reveal', 'revote', 'close'] },
      cardId: { type: 'string', minLength: 1, maxLength: 200 },
      deck: { type: 'string', enum: DECK_KINDS },
      customValues: { type: 'array', maxItems: CUSTOM_DECK_LIMITS.maxValues, items: { type: 'string', maxLength: CUSTOM_DECK_LIMITS.valueLength + 10 } },
      autoReveal: { type: 'boolean' },
    }, ['action'])),
    async (request, reply) => {
      const { id } = request.params;
      const { action, cardId, deck, customValues, autoReveal } = request.body;
      if (action === 'open') {
        if (!cardId) throw new FacilitationError(400, 'say which card the round is for ("cardId")');
        await facilitation.openRound(id, actor(request), { cardId, deck: deck ?? 'estimates', customValues, autoReveal });
      } else if (action === 'reveal') await facilitation.reveal(id, actor(request));
      else if (action === 'revote') await facilitation.revote(id, actor(request));
      else await facilitation.closeRound(id, actor(request));
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { value: string } }>(
    '/boards/:id/facilitation/poker/vote',
    route(body({ value: { type: 'string', minLength: 1, maxLength: 40 } }, ['value'])),
    async (request, reply) => {
      await facilitation.vote(request.params.id, actor(request), request.body.value);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { spectating: boolean } }>(
    '/boards/:id/facilitation/poker/spectate',
    route(body({ spectating: { type: 'boolean' } }, ['spectating'])),
    async (request, reply) => {
      await facilitation.spectate(request.params.id, actor(request), request.body.spectating);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { estimate: string } }>(
    '/boards/:id/facilitation/poker/accept',
    route(body({ estimate: { type: 'string', enum: ESTIMATES.filter((e) => e !== 'none') } }, ['estimate'])),
    async (request, reply) => {
      await facilitation.accept(request.params.id, actor(request), request.body.estimate);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { action: 'start' | 'reveal' | 'end'; cardIds?: string[]; dotsPerPerson?: number; maxPerCard?: number; live?: boolean; durationMs?: number } }>(
    '/boards/:id/facilitation/dots',
    route(body({
      action: { type: 'string', enum: ['start', 'reveal', 'end'] },
      cardIds: { type: 'array', maxItems: DOT_LIMITS.maxCards, items: { type: 'string', minLength: 1, maxLength: 200 } },
      dotsPerPerson: { type: 'integer', minimum: 1, maximum: DOT_LIMITS.maxDotsPerPerson },
      maxPerCard: { type: 'integer', minimum: 1, maximum: DOT_LIMITS.maxDotsPerPerson },
      live: { type: 'boolean' },
      durationMs: { type: 'integer', minimum: TIMER_LIMITS.minMs, maximum: TIMER_LIMITS.maxMs },
    }, ['action'])),
    async (request, reply) => {
      const { id } = request.params;
      const { action, cardIds, dotsPerPerson, maxPerCard, live, durationMs } = request.body;
      if (action === 'start') {
        await facilitation.startDots(id, actor(request), { cardIds: cardIds ?? [], dotsPerPerson: dotsPerPerson ?? 3, maxPerCard: maxPerCard ?? 1, live, durationMs });
      } else if (action === 'reveal') await facilitation.revealDots(id, actor(request));
      else await facilitation.endDots(id, actor(request));
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Params; Body: Identity & { cardId: string; delta: 1 | -1 } }>(
    '/boards/:id/facilitation/dots/place',
    {
      schema: {
        params: boardIdParams,
        body: body({ cardId: { type: 'string', minLength: 1, maxLength: 200 }, delta: { type: 'integer', enum: [1, -1] } }, ['cardId', 'delta']),
        response: { 200: dotsResponse, ...errorResponses, 409: errorSchema },
      },
      preHandler: guards,
    },
    async (request) => ({ dots: await facilitation.placeDot(request.params.id, actor(request), request.body.cardId, request.body.delta) }),
  );

  app.get<{ Params: Params; Querystring: { userId: string; secret: string } }>(
    '/boards/:id/facilitation/dots/mine',
    {
      schema: {
        params: boardIdParams,
        querystring: { type: 'object', required: ['userId', 'secret'], properties: { userId: identity.userId, secret: identity.secret } },
        response: { 200: dotsResponse, ...errorResponses },
      },
      preHandler: guards,
    },
    async (request) => ({ dots: await facilitation.myDots(request.params.id, request.query.userId) }),
  );

  app.post<{ Params: Params; Body: Identity & { mode: AttentionMode | null } }>(
    '/boards/:id/facilitation/attention',
    route(body({ mode: { type: ['string', 'null'], enum: ['summon', 'follow', null] } }, ['mode'])),
    async (request, reply) => {
      await facilitation.attention(request.params.id, actor(request), request.body.mode);
      return reply.status(204).send();
    },
  );
};
