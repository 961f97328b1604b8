import type { FastifyBaseLogger } from 'fastify';
import type * as Y from 'yjs';
import { CloseCode, refusedRecordWrites, type DecodedUpdate, type RefusedRecord } from '@planboard/shared';

/** A websocket close reason carries at most 123 bytes of UTF-8. */
const MAX_REASON_BYTES = 123;

/** What this extension reads of a board: its id (for the log) and its document. */
interface BoardDocument {
  readonly id: string;
  readonly doc: Y.Doc;
}

export interface UpdateRefusal {
  closeCode: number;
  message: string;
}

function closeReason(first: RefusedRecord): string {
  let reason = `${first.key ? `invalid record ${first.key}` : 'invalid record'}: ${first.reason}`;
  while (Buffer.byteLength(reason) > MAX_REASON_BYTES) reason = `${reason.slice(0, -2)}…`;
  return reason;
}

/**
 * Refuses, at the edge, a peer's update that would write a malformed record into a board: a
 * story card or a planning lane that fails the board's validators, a `null` or non-JSON value,
 * a shared type where a record belongs (`refusedRecordWrites` in shared decides, without
 * applying anything). The update never touches the board; the relay closes that peer with 4400
 * (malformed: the web app shows it instead of reconnecting) and a reason naming the first bad
 * record. Closing rather than dropping in silence: a dropped update would leave the peer
 * believing the board has its change, and the stock client sends it again on every sync.
 */
export function recordValidation(log: FastifyBaseLogger) {
  return {
    name: 'record-validation',
    /** `decoded`, when given, is `update` as the relay already decoded it (it is not decoded again). */
    beforeApplyUpdate(board: BoardDocument, update: Uint8Array, _connection?: unknown, decoded?: DecodedUpdate): UpdateRefusal | void {
      const refused = refusedRecordWrites(decoded ?? update, board.doc);
      if (refused.length === 0) return;
      log.warn({ board: board.id, refused: refused.length, first: refused[0] }, 'update writing malformed records refused');
      return { closeCode: CloseCode.malformed, message: closeReason(refused[0]!) };
    },
  };
}
