import type { Extension } from '../../relay/hooks.js';
import type { Connection } from '../../relay/connection.js';
import type { Access } from './access.js';

/**
 * Who may join a board: the link token decides the role (`onAuthenticate`). Every live
 * connection is tracked under its link, so that revoking the link (here or on another instance)
 * or its expiry closes it at once.
 */
export function auth(access: Access): Extension {
  const untrack = new Map<Connection, () => void>();
  return {
    name: 'auth',
    async onAuthenticate({ boardId, token, address }) {
      const decision = await access.authorize(boardId, token, 'viewer', address);
      if (!decision.ok) return { ok: false, closeCode: decision.closeCode, message: decision.message };
      return { ok: true, role: decision.link.role, session: { linkId: decision.link.id, expiresAt: decision.link.expiresAt } };
    },
    onConnect(connection) {
      const session = connection.session;
      if (session) untrack.set(connection, access.track({ id: session.linkId, boardId: connection.boardId, expiresAt: session.expiresAt }, connection));
    },
    onDisconnect(connection) {
      untrack.get(connection)?.();
      untrack.delete(connection);
    },
    onLinkRevoked(_boardId, linkId) {
      access.revoke(linkId);
    },
  };
}
