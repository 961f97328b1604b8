import type { FastifyInstance } from 'fastify';
import type * as Y from 'yjs';
import type { Participant, Role } from '@planboard/shared';
import { UnknownBoardError } from '../../relay/rooms.js';
import type { Room } from '../../relay/room.js';

/**
 * How facilitation reads and changes a board's document: the one place that knows the relay.
 * `change` runs in one transaction with the server's origin (broadcast to every peer, stored)
 * and resolves once it is durably stored; both resolve to null when the board does not exist.
 */
export interface BoardDocs {
  read<T>(boardId: string, use: (doc: Y.Doc) => T): Promise<T | null>;
  change<T>(boardId: string, use: (doc: Y.Doc) => T): Promise<T | null>;
  /** The people connected to this board (on this instance), from their presence. */
  present(boardId: string): Promise<(Participant & { role: Role | null })[]>;
}

/** The relay API core is building (`app.relay.read/change`), when it is there. */
interface RelayApi {
  read<T>(boardId: string, use: (doc: Y.Doc) => T): Promise<T | null>;
  change<T>(boardId: string, use: (doc: Y.Doc) => T): Promise<T | null>;
}

/** Transaction origin of facilitation's own changes on today's rooms: broadcast to every peer. */
const SERVER_ORIGIN = Symbol('planboard-facilitation');

export function boardDocsOf(app: FastifyInstance): BoardDocs {
  const relay = (app as FastifyInstance & { relay?: RelayApi }).relay;
  const withRoom = async <T>(boardId: string, use: (room: Room) => Promise<T> | T): Promise<T | null> => {
    let room: Room;
    try {
      room = await app.rooms.acquire(boardId);
    } catch (error) {
      if (error instanceof UnknownBoardError) return null;
      throw error;
    }
    try {
      return await use(room);
    } finally {
      app.rooms.release(room);
    }
  };
  return {
    read: (boardId, use) => (relay ? relay.read(boardId, use) : withRoom(boardId, (room) => use(room.doc))),
    change: (boardId, use) =>
      relay
        ? relay.change(boardId, use)
        : withRoom(boardId, async (room) => {
            let result!: ReturnType<typeof use>;
            room.doc.transact(() => (result = use(room.doc)), SERVER_ORIGIN);
            await app.rooms.writer.flush();
            return result;
          }),
    present: async (boardId) => {
      const people = await withRoom(boardId, (room) => {
        const found = new Map<string, Participant & { role: Role | null }>();
        for (const state of room.awareness.getStates().values()) {
          const user = (state as { user?: { id?: unknown; name?: unknown; role?: unknown } }).user;
          if (typeof user?.id !== 'string' || typeof user.name !== 'string') continue;
          const role = user.role === 'owner' || user.role === 'editor' || user.role === 'viewer' ? user.role : null;
          found.set(user.id, { userId: user.id, name: user.name, role });
        }
        return [...found.values()];
      });
      return people ?? [];
    },
  };
}
