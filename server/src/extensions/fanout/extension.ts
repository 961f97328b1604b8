import * as Y from 'yjs';
import { CloseCode } from '@planboard/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Rooms, RoomsEvents } from '../../relay/rooms.js';
import type { Access } from '../auth/access.js';
import { Fanout, type FanoutHost } from './fanout.js';

export interface FanoutWiring {
  /** Handed to the relay before it exists: calls reach the fan-out once it is started. */
  events: RoomsEvents;
  /** Starts the fan-out on the relay and access of this instance. */
  start(rooms: Rooms, access: Access): Fanout;
}

/**
 * `REDIS_URL` turns this on: one extension that connects the relay of this instance to the
 * others. Until the relay core's named hooks land, it plugs into the relay's events here.
 */
export function fanoutExtension(options: { redisUrl: string; failuresPerMinute: number; log: FastifyBaseLogger }): FanoutWiring {
  let fanout: Fanout | null = null;
  const events: RoomsEvents = {
    afterLoad: (boardId) => fanout?.afterLoad(boardId),
    beforeUnload: (boardId) => fanout?.beforeUnload(boardId),
    onLocalChange: (boardId, update) => fanout?.onLocalChange(boardId, update),
    onLocalAwareness: (boardId, update) => fanout?.onLocalAwareness(boardId, update),
    onStored: (boardId) => fanout?.onStored(boardId),
  };
  return {
    events,
    start(rooms, access) {
      const host: FanoutHost = {
        loadedBoards: () => rooms.loadedIds(),
        stateVector: (boardId) => {
          const room = rooms.loaded(boardId);
          return room ? Y.encodeStateVector(room.doc) : null;
        },
        diff: (boardId, stateVector) => {
          const room = rooms.loaded(boardId);
          return room ? Y.encodeStateAsUpdate(room.doc, stateVector) : null;
        },
        applyRemoteUpdate: (boardId, update) => rooms.loaded(boardId)?.applyRemote(update),
        applyRemoteAwareness: (boardId, update) => rooms.loaded(boardId)?.applyRemoteAwareness(update),
        localAwareness: (boardId) => rooms.loaded(boardId)?.encodeLocalAwareness() ?? null,
        storeRescued: (boardId, updates) => {
          for (const update of updates) rooms.writer.enqueue(boardId, update);
        },
        closeLink: (linkId) => access.revoke(linkId),
        closeBoard: (boardId) => void rooms.evict(boardId, CloseCode.boardDeleted, 'this board was deleted'),
      };
      fanout = new Fanout(host, { redisUrl: options.redisUrl, failuresPerMinute: options.failuresPerMinute, log: options.log.child({ extension: 'fanout' }) });
      access.countFailuresIn(fanout.failures);
      return fanout;
    },
  };
}
