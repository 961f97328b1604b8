import type { FastifyBaseLogger } from 'fastify';
import { CloseCode, FACILITATION_MAP, FacilitationKey, getFacilitationMap, updateTouchesMap, type DotVoteState } from '@planboard/shared';
import type { Extension } from '../../relay/hooks.js';
import { originKind } from '../../relay/origins.js';
import type { Facilitation } from './facilitation.js';

/**
 * Only the server writes a board's facilitation map (the chair, the timer, the open round...):
 * a peer's update that touches it is refused before it reaches the document, and that peer is
 * closed. The web app never writes it; only a modified client would.
 */
export function facilitationGuard(log: FastifyBaseLogger): Extension {
  return {
    name: 'facilitation-guard',
    beforeApplyUpdate(board, update, _connection, decoded) {
      if (!updateTouchesMap(board.doc, update, FACILITATION_MAP, decoded)) return;
      log.warn({ board: board.id }, 'update writing the facilitation map refused');
      return { closeCode: CloseCode.malformed, message: 'only the server writes the facilitation state' };
    },
  };
}

/**
 * The dot vote's automatic reveal at its end time, on every instance: a board loaded from
 * storage (after a restart, or on an instance that had not loaded it) is checked at once, and a
 * vote started on another instance is watched as soon as its state arrives.
 */
export function facilitationDeadlines(facilitation: Facilitation, log: FastifyBaseLogger): Extension {
  return {
    name: 'facilitation-deadlines',
    afterLoadDocument(board) {
      facilitation.watchStoredDotVote(board.id).catch((error: unknown) => log.warn({ err: error, board: board.id }, 'could not read the dot vote'));
    },
    onChange(board, _update, origin) {
      // Only the server writes the map; another instance's writes arrive as remote changes.
      if (originKind(origin) !== 'remote') return;
      const vote = getFacilitationMap(board.doc).get(FacilitationKey.dots) as DotVoteState | null | undefined;
      facilitation.watchDotVote(board.id, vote ?? null);
    },
    beforeUnloadDocument(board) {
      facilitation.forgetBoard(board.id);
    },
    onDestroy() {
      facilitation.close();
    },
  };
}
