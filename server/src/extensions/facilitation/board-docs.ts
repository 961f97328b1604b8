import type { FastifyInstance } from 'fastify';
import type * as Y from 'yjs';
import type { Participant, Role } from '@planboard/shared';

/**
 * How facilitation reads and changes a board's document, through the relay's public API:
 * `change` runs in one transaction with the server origin (broadcast to every peer, published to
 * other instances) and resolves once it is durably stored; both resolve to null when the board
 * does not exist.
 */
export interface BoardDocs {
  read<T>(boardId: string, use: (doc: Y.Doc) => T): Promise<T | null>;
  change<T>(boardId: string, use: (doc: Y.Doc) => T): Promise<T | null>;
  /** The people on this board, from their presence (as this instance knows it). */
  present(boardId: string): Promise<(Participant & { role: Role | null })[]>;
}

const decoder = new TextDecoder();

export function boardDocsOf(app: FastifyInstance): BoardDocs {
  return {
    read: (boardId, use) => app.relay.read(boardId, use),
    change: (boardId, use) => app.relay.change(boardId, use),
    present: async (boardId) => {
      const board = app.relay.get(boardId);
      if (!board) return [];
      const found = new Map<string, Participant & { role: Role | null }>();
      for (const clientId of board.presence.activeIds()) {
        const json = board.presence.stateOf(clientId);
        if (!json) continue;
        let state: { user?: { id?: unknown; name?: unknown; role?: unknown } } | null;
        try {
          state = JSON.parse(decoder.decode(json)) as typeof state;
        } catch {
          continue;
        }
        const user = state?.user;
        if (typeof user?.id !== 'string' || typeof user.name !== 'string') continue;
        const role = user.role === 'owner' || user.role === 'editor' || user.role === 'viewer' ? user.role : null;
        found.set(user.id, { userId: user.id, name: user.name, role });
      }
      return [...found.values()];
    },
  };
}
