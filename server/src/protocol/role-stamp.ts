import type { Role } from '@planboard/shared';
import { ProtocolError } from './frame.js';

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const textEncoder = new TextEncoder();

/**
 * Rewrites one awareness state (JSON bytes) so that it says the role of the link its sender
 * joined with (`state.user.role`). Presence lists then show viewers as viewers, and no client
 * can present itself as an owner. Throws ProtocolError when the state is not JSON.
 */
export function stampRole(json: Uint8Array, role: Role | null): Uint8Array {
  let state: unknown;
  try {
    state = JSON.parse(textDecoder.decode(json));
  } catch (error) {
    throw new ProtocolError(`invalid awareness state: ${(error as Error).message}`);
  }
  if (role === null || state === null || typeof state !== 'object' || Array.isArray(state)) return textEncoder.encode(JSON.stringify(state));
  const { user } = state as { user?: unknown };
  const stamped = user !== null && typeof user === 'object' && !Array.isArray(user) ? { ...user, role } : { role };
  return textEncoder.encode(JSON.stringify({ ...state, user: stamped }));
}
