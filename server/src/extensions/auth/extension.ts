import { CloseCode } from '@planboard/shared';
import type { Extension } from '../../relay/hooks.js';
import type { Connection } from '../../relay/connection.js';
import type { Access } from './access.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Who may join a board: the link token decides the role (`onAuthenticate`). Every live
 * connection is tracked under its link, so that revoking the link (here or on another instance)
 * or its expiry closes it at once.
 */
export function auth(access: Access): Extension {
  const sessions = new Map<string, Set<Connection>>();
  const expiryTimers = new Map<Connection, NodeJS.Timeout>();

  const scheduleExpiry = (connection: Connection, expiresAt: string) => {
    const remaining = Date.parse(expiresAt) - Date.now();
    const timer = setTimeout(() => {
      if (Date.parse(expiresAt) <= Date.now()) connection.close(CloseCode.unauthorized, 'this link has expired');
      else scheduleExpiry(connection, expiresAt);
    }, Math.min(Math.max(remaining, 0), MAX_TIMER_MS));
    timer.unref();
    expiryTimers.set(connection, timer);
  };

  return {
    name: 'auth',
    async onAuthenticate({ boardId, token, address }) {
      const decision = await access.authorize(boardId, token, 'viewer', address);
      if (!decision.ok) return { ok: false, closeCode: decision.closeCode, message: decision.message };
      return { ok: true, role: decision.link.role, session: { linkId: decision.link.id, expiresAt: decision.link.expiresAt } };
    },
    onConnect(connection) {
      const session = connection.session;
      if (!session) return;
      let open = sessions.get(session.linkId);
      if (!open) sessions.set(session.linkId, (open = new Set()));
      open.add(connection);
      if (session.expiresAt) scheduleExpiry(connection, session.expiresAt);
    },
    onDisconnect(connection) {
      const session = connection.session;
      if (!session) return;
      const timer = expiryTimers.get(connection);
      if (timer) clearTimeout(timer);
      expiryTimers.delete(connection);
      const open = sessions.get(session.linkId);
      open?.delete(connection);
      if (open?.size === 0) sessions.delete(session.linkId);
    },
    onLinkRevoked(_boardId, linkId) {
      for (const connection of sessions.get(linkId) ?? []) connection.close(CloseCode.unauthorized, 'this link was revoked');
    },
  };
}
