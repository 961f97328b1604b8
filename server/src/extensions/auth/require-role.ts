import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '@planboard/shared';
import type { LinkRecord } from '../persistence/store.js';
import { bearerToken } from './access.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The link whose token authorised this request (set by `requireRole`). */
    link: LinkRecord | null;
  }
}

/** A preHandler that admits a request whose bearer token grants at least `role` on `:id`. */
export function requireRole(app: FastifyInstance, role: Role) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { id } = request.params as { id: string };
    const decision = await app.access.authorize(id, bearerToken(request.headers.authorization), role, request.ip);
    if (!decision.ok) {
      const error = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' }[decision.status];
      return reply.status(decision.status).send({ statusCode: decision.status, error, message: decision.message });
    }
    request.link = decision.link;
  };
}
