import type { Extension } from '../../relay/hooks.js';
import { originKind } from '../../relay/origins.js';
import type { Connection } from '../../relay/connection.js';
import type { History } from './history.js';

/**
 * The history's relay hooks: every change made on this instance (by a peer or the server; not
 * one loaded from storage or relayed from another instance, which takes its own versions) opens
 * or extends the board's spell of activity; a changed board leaving memory gets its version.
 * Nothing here ever sends a version to a peer: versions only leave through the history routes.
 */
export function historyExtension(history: History): Extension {
  return {
    name: 'history',
    onConfigure(relay) {
      history.attach(relay);
    },
    onChange(board, _update, origin) {
      const kind = originKind(origin);
      if (kind === 'peer') history.noteChange(board, origin as Connection);
      else if (kind === 'server') history.noteChange(board, null);
    },
    async beforeUnloadDocument(board) {
      await history.beforeUnload(board);
    },
    onBoardDeleted(boardId) {
      history.forget(boardId);
    },
    onDestroy() {
      history.stop();
    },
  };
}
