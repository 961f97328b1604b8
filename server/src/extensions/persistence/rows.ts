import type { Role, VersionKind } from '@planboard/shared';
import type { BoardRecord, LinkRecord, VersionRecord } from './store.js';

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

/** A row of `board_versions` without its state (the same columns in SQLite and PostgreSQL). */
export interface VersionRow {
  id: string;
  board_id: string;
  created_at: string;
  kind: VersionKind;
  name: string | null;
  /** JSON array of display names. */
  people: string;
  bytes: number | string;
  restored_version_id: string | null;
}

export const VERSION_COLUMNS = 'id, board_id, created_at, kind, name, people, bytes, restored_version_id';

export const toVersion = (row: VersionRow): VersionRecord => ({
  id: row.id,
  boardId: row.board_id,
  createdAt: row.created_at,
  kind: row.kind,
  name: row.name,
  people: JSON.parse(row.people) as string[],
  bytes: Number(row.bytes),
  restoredVersionId: row.restored_version_id,
});
