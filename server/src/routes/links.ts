import type { FastifyPluginAsync } from 'fastify';
import { LINK_LABEL_MAX_LENGTH, ROLES, hasRole, stripControlCharacters, type CreateLinkRequest } from '@planboard/shared';
import { issueLink, toLinkSummary } from '../extensions/auth/issue-link.js';
import { requireRole } from '../extensions/auth/require-role.js';
import { forgetPresentationLink, markPresentationLink, presentationLinkIds } from '../extensions/presenting/link-option.js';
import { boardIdParams, errorResponses, linkSchema } from './schemas.js';

/** Share links of a board: `/api/boards/:id/links`. Owners manage them; editors may add view links. */
export const linkRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { id: string } }>(
    '/boards/:id/links',
    {
      schema: { params: boardIdParams, response: { 200: { type: 'array', items: linkSchema }, ...errorResponses } },
      preHandler: requireRole(app, 'owner'),
    },
    // With each link, how many people have the board open through it: the owner sees whom a revoke disconnects.
    async (request) => {
      const presenting = await presentationLinkIds(app.store, request.params.id);
      return (await app.store.listLinks(request.params.id)).map((link) => ({
        ...toLinkSummary(link),
        activeSessions: app.access.activeSessions(link.id),
        presentation: presenting.has(link.id),
      }));
    },
  );

  app.post<{ Params: { id: string }; Body: CreateLinkRequest }>(
    '/boards/:id/links',
    {
      schema: {
        params: boardIdParams,
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: ROLES },
            label: { type: 'string', maxLength: LINK_LABEL_MAX_LENGTH },
            expiresAt: { type: 'string', format: 'date-time' },
            presentation: { type: 'boolean' },
          },
        },
        response: { 201: linkSchema, ...errorResponses },
      },
      preHandler: requireRole(app, 'editor'),
    },
    async (request, reply) => {
      const { role, label, expiresAt, presentation = false } = request.body;
      const callerRole = request.link!.role;
      // Editors may hand out view links; only owners grant edit or owner rights.
      if (role !== 'viewer' && !hasRole(callerRole, 'owner')) {
        return reply.status(403).send({ statusCode: 403, error: 'Forbidden', message: `only owners can create ${role} links` });
      }
      if (presentation && role !== 'viewer') {
        return reply.status(400).send({ statusCode: 400, error: 'Bad Request', message: 'only view links open as a presentation' });
      }
      if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now()) {
        return reply.status(400).send({ statusCode: 400, error: 'Bad Request', message: 'expiresAt must be in the future' });
      }
      const link = await issueLink(app.store, request.params.id, role, {
        label: (label && stripControlCharacters(label).trim()) || null,
        expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
      });
      if (presentation) await markPresentationLink(app.store, request.params.id, link.id);
      request.log.info({ board: request.params.id, link: link.id, role, presentation }, 'link created');
      return reply.status(201).send({ ...link, presentation });
    },
  );

  app.delete<{ Params: { id: string; linkId: string } }>(
    '/boards/:id/links/:linkId',
    {
      schema: {
        params: { ...boardIdParams, required: ['id', 'linkId'], properties: { ...boardIdParams.properties, linkId: { type: 'string', maxLength: 64 } } },
        response: errorResponses,
      },
      preHandler: requireRole(app, 'owner'),
    },
    async (request, reply) => {
      const { id, linkId } = request.params;
      const result = await app.store.deleteLink(id, linkId);
      if (result === 'not-found') return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'no such link on this board' });
      if (result === 'last-owner') {
        return reply.status(409).send({ statusCode: 409, error: 'Conflict', message: 'this is the last owner link; create another owner link first' });
      }
      // Its open sessions close, on every instance.
      app.relay.revokeLink(id, linkId);
      await forgetPresentationLink(app.store, id, linkId);
      request.log.info({ board: id, link: linkId }, 'link revoked');
      return reply.status(204).send();
    },
  );
};
