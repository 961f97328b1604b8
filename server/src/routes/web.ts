import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * Serves the built web app from the same origin as the API, with the SPA fallback: any GET for
 * a page (`/`, `/b/:id`, ...) that is not a file gets index.html. Hashed assets are cached
 * forever; index.html and the service worker are always revalidated.
 */
export const webRoutes: FastifyPluginAsync = async (app) => {
  const root = app.config.webDir;
  if (!root || !existsSync(join(root, 'index.html'))) {
    app.log.warn({ webDir: root }, 'web app not built: serving the API only (run `npm start` to build it)');
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root,
    wildcard: true,
    index: 'index.html',
    setHeaders(reply, path) {
      const hashed = path.startsWith(join(root, 'assets'));
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isPage =
      request.method === 'GET' && !path.startsWith('/api/') && !path.startsWith('/ws/') && !/\.[a-z0-9]+$/i.test(path);
    if (isPage) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${path}` });
  });
};
