import type { Role } from '@planboard/shared';
import type { BoardRecord, LinkRecord } from './store.js';

/**
 * The SQL adapters' rows of `boards` and `board_links` (the same columns in SQLite and
 * PostgreSQL) and the records they hold.
 */
export interface BoardRow {
  id: string;
  title: string;
  created_at: string;
}

export interface LinkRow {
  id: string;
  board_id: string;
  role: Role;
  label: string | null;
  secret_hash: Buffer;
  created_at: string;
  expires_at: string | null;
}

export const toLink = (row: LinkRow): LinkRecord => ({
  id: row.id,
  boardId: row.board_id,
  role: row.role,
  label: row.label,
  secretHash: new Uint8Array(row.secret_hash),
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

export const toRecord = (row: BoardRow): BoardRecord => ({ id: row.id, title: row.title, createdAt: row.created_at });
