import type { FastifyBaseLogger } from 'fastify';
import type { Extension } from '../../relay/hooks.js';
import type { Relay } from '../../relay/relay.js';
import { originKind, remoteOrigin } from '../../relay/origins.js';
import type { Access } from '../auth/access.js';
import type { Persistence } from '../persistence/extension.js';
import { Fanout, type FanoutHost } from './fanout.js';

export interface FanoutExtensionOptions {
  redisUrl: string;
  failuresPerMinute: number;
  log: FastifyBaseLogger;
  /** Failed token checks are counted in Redis, shared by every instance. */
  access: Access;
  /** Where updates rescued from an instance that died are stored. */
  persistence: Persistence;
}

/**
 * `REDIS_URL` turns this on: the extension that connects the relay of this instance to the
 * others. Changes and presence made here (by a peer or the server) are published; what arrives
 * from the others is applied with the *remote* origin (relayed here, not stored, not
 * republished); a revoked or expired link or a deleted board acts on every instance, and the
 * live sessions of each link are counted over every instance.
 */
export function fanoutExtension(options: FanoutExtensionOptions): Extension & { fanout: Fanout } {
  let relay: Relay | null = null;
  const board = (boardId: string) => relay?.get(boardId);
  const host: FanoutHost = {
    loadedBoards: () => relay?.boards().map((b) => b.id) ?? [],
    stateVector: (boardId) => board(boardId)?.stateVector() ?? null,
    diff: (boardId, stateVector) => board(boardId)?.encodeDiff(stateVector) ?? null,
    applyRemoteUpdate: (boardId, update) => board(boardId)?.applyRemoteUpdate(update),
    applyRemoteAwareness: (boardId, update) => board(boardId)?.applyRemoteAwareness(update),
    localAwareness: (boardId) => board(boardId)?.encodeLocalAwareness() ?? null,
    storeRescued: (boardId, updates) => {
      for (const update of updates) options.persistence.writer.enqueue(boardId, update);
    },
    closeLink: (linkId) => relay?.revokeLink('', linkId, remoteOrigin),
    expireLink: (linkId) => options.access.expire(linkId),
    closeBoard: (boardId) => void relay?.deleteBoard(boardId, remoteOrigin),
  };
  const fanout = new Fanout(host, { redisUrl: options.redisUrl, failuresPerMinute: options.failuresPerMinute, log: options.log.child({ extension: 'fanout' }) });
  options.access.countFailuresIn(fanout.failures);
  options.access.countSessionsIn(fanout.sessions);
  options.access.onLinkExpired((boardId, linkId) => void fanout.onLinkExpired(boardId, linkId));
  options.persistence.onStored((boardId) => fanout.onStored(boardId));
  return {
    name: 'fanout',
    fanout,
    onConfigure(configured) {
      relay = configured;
    },
    afterLoadDocument(loaded) {
      fanout.afterLoad(loaded.id);
    },
    onChange(changed, update, origin) {
      const kind = originKind(origin);
      if (kind === 'peer' || kind === 'server') fanout.onLocalChange(changed.id, update);
    },
    onAwareness(changed, change, origin) {
      if (originKind(origin) !== 'remote') fanout.onLocalAwareness(changed.id, change.update);
    },
    beforeUnloadDocument(unloading) {
      fanout.beforeUnload(unloading.id);
    },
    async onBoardDeleted(boardId, origin) {
      if (originKind(origin) !== 'remote') await fanout.onBoardDeleted(boardId);
    },
    onLinkRevoked(boardId, linkId, origin) {
      if (originKind(origin) !== 'remote') void fanout.onLinkRevoked(boardId, linkId);
    },
    onDestroy() {
      return fanout.close();
    },
  };
}
