import type { FastifyBaseLogger } from 'fastify';
import { CloseCode, PRESENTING_MAP, updateTouchesMap } from '@planboard/shared';
import type { Extension } from '../../relay/hooks.js';

/**
 * Only the server writes a board's presenting map (who presents, which slide, the slide order):
 * a peer's update that touches it is refused before it reaches the document, and that peer is
 * closed. The web app never writes it; only a modified client would.
 */
export function presentingGuard(log: FastifyBaseLogger): Extension {
  return {
    name: 'presenting-guard',
    beforeApplyUpdate(board, update) {
      if (!updateTouchesMap(board.doc, update, PRESENTING_MAP)) return;
      log.warn({ board: board.id }, 'update writing the presenting map refused');
      return { closeCode: CloseCode.malformed, message: 'only the server writes the presentation state' };
    },
  };
}
