import { BOARD_ID_PATTERN, ROLES } from '@planboard/shared';

/** JSON schemas shared by the REST routes. */
export const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

export const boardIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: BOARD_ID_PATTERN } },
} as const;

export const linkSchema = {
  type: 'object',
  required: ['id', 'role', 'label', 'createdAt', 'expiresAt'],
  properties: {
    id: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    label: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    expiresAt: { type: ['string', 'null'] },
    activeSessions: { type: 'integer' },
    presentation: { type: 'boolean' },
    token: { type: 'string' },
    url: { type: 'string' },
  },
} as const;

export const boardSchema = {
  type: 'object',
  required: ['id', 'title', 'createdAt'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    createdAt: { type: 'string' },
    role: { type: 'string', enum: ROLES },
  },
} as const;

export const errorResponses = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 429: errorSchema } as const;
