import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newBoardId } from '@planboard/shared';

/**
 * Link tokens: `<linkId>.<secret>`, URL-safe. The secret is 256 random bits; only its SHA-256
 * is stored (a fast hash suffices for a secret of that entropy) and it is compared in constant
 * time. The link id lets the server find the one record to compare against.
 */
const SECRET_BYTES = 32;
const TOKEN_PATTERN = /^([0-9a-z]{14})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  linkId: string;
  token: string;
  secretHash: Uint8Array;
}

export function issueToken(): IssuedToken {
  const linkId = newBoardId();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { linkId, token: `${linkId}.${secret}`, secretHash: hashSecret(secret) };
}

export function parseToken(token: string): { linkId: string; secret: string } | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { linkId: match[1]!, secret: match[2]! } : null;
}

export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

function hashSecret(secret: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(secret).digest());
}
