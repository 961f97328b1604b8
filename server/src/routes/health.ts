import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { bearerSecretCheck } from './instance-secret.js';

/** Liveness and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({
    status: 'ok',
    boardsLoaded: app.relay.size,
    uptimeSeconds: Math.round(process.uptime()),
  }));

  // With METRICS_TOKEN set, only a scraper sending it (`Authorization: Bearer`) reads the metrics.
  const metricsTokenCheck = app.config.metricsToken ? bearerSecretCheck(app.config.metricsToken) : null;
  const requireMetricsToken = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!metricsTokenCheck || metricsTokenCheck(request) === 'ok') return;
    reply.header('www-authenticate', 'Bearer realm="metrics"');
    return reply.status(401).send({ statusCode: 401, error: 'Unauthorized', message: 'the metrics need the METRICS_TOKEN of this server: send it as Authorization: Bearer <token>' });
  };

  app.get('/metrics', { logLevel: 'warn', onRequest: requireMetricsToken }, async (_request, reply) => {
    reply.type(app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
};
