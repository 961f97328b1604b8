import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { bearerToken } from '../extensions/auth/access.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * A check of an instance-wide secret (BOARD_CREATION_TOKEN, METRICS_TOKEN) sent as
 * `Authorization: Bearer <secret>`. Digests are compared in constant time, so neither the
 * secret's content nor its length leaks through timing.
 */
export function bearerSecretCheck(secret: string): (request: FastifyRequest) => 'missing' | 'wrong' | 'ok' {
  const expected = digest(secret);
  return (request) => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) return 'missing';
    return timingSafeEqual(digest(token), expected) ? 'ok' : 'wrong';
  };
}

/** Whether a browser's `Origin` is this server's own origin (scheme, host and port), as the request reached it. */
export function isOwnOrigin(request: FastifyRequest, origin: string): boolean {
  try {
    return new URL(origin).origin === new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return false;
  }
}
