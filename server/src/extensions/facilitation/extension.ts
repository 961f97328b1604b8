import type { FastifyBaseLogger } from 'fastify';
import { CloseCode, FACILITATION_MAP, updateTouchesMap } from '@planboard/shared';
import type { Extension } from '../../relay/hooks.js';

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
