import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Role } from '@planboard/shared';

/**
 * Rewrites an awareness update so that every state it carries says the role of the link its
 * sender joined with (`state.user.role`). Presence lists then show viewers as viewers, and no
 * client can present itself as an owner. Also returns the client ids the update speaks for.
 * Throws on a malformed update.
 */
export function stampRole(update: Uint8Array, role: Role | null): { update: Uint8Array; clientIds: number[] } {
  const decoder = decoding.createDecoder(update);
  const encoder = encoding.createEncoder();
  const count = decoding.readVarUint(decoder);
  encoding.writeVarUint(encoder, count);
  const clientIds: number[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    clientIds.push(clientId);
    let state: unknown = JSON.parse(decoding.readVarString(decoder));
    if (role !== null && state !== null && typeof state === 'object' && !Array.isArray(state)) {
      const { user } = state as { user?: unknown };
      const stamped = user !== null && typeof user === 'object' && !Array.isArray(user) ? { ...user, role } : { role };
      state = { ...state, user: stamped };
    }
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  if (decoder.pos !== update.length) throw new Error('trailing bytes after the awareness states');
  return { update: encoding.toUint8Array(encoder), clientIds };
}
