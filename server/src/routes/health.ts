import type { FastifyPluginAsync } from 'fastify';

/** Liveness and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({
    status: 'ok',
    boardsLoaded: app.relay.size,
    uptimeSeconds: Math.round(process.uptime()),
  }));

  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    reply.type(app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
};
