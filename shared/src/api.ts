import type { CreatedLink, Role } from './roles.js';
import type { SkippedRow } from './planning/csv.js';
import type { TemplateId } from './planning/templates.js';

/** REST shapes shared by the server's route schemas and the web client. */

export const BOARD_TITLE_MAX_LENGTH = 200;
export const DEFAULT_BOARD_TITLE = 'Untitled board';

export interface CreateBoardRequest {
  title?: string;
  /** Seeds the new board with a template's lanes (default `blank`: an empty board). */
  template?: TemplateId;
}

export interface BoardSummary {
  id: string;
  title: string;
  /** ISO 8601 timestamp. */
  createdAt: string;
}

/** `GET /api/boards/:id`: the board and the role the caller's link grants. */
export interface BoardAccess extends BoardSummary {
  role: Role;
}

/** `POST /api/boards`: the creator gets the three links of the new board. */
export interface CreatedBoard extends BoardSummary {
  links: { owner: CreatedLink; edit: CreatedLink; view: CreatedLink };
}

export interface UpdateBoardRequest {
  title: string;
}

/** `POST /api/boards/:id/import` (a CSV body): what was added to the board. */
export interface ImportResult {
  imported: number;
  /** Name of the lane the cards went into; null when the board has no lane (they go on the page). */
  lane: string | null;
  /** How many cards went into each lane (a Jira sprint's frame, the backlog ...); lane null is the page. */
  placed: { lane: string | null; count: number }[];
  /** Rows that did not become a card, with why (row 1 is the header). */
  skipped: SkippedRow[];
  /** Values adjusted to fit (an estimate rounded up, an unknown status). */
  warnings: SkippedRow[];
  /** Shape ids of the new cards, in file order. */
  cardIds: string[];
}

/** `GET /api/boards/:id/export.json`: the whole board document. */
export interface BoardExport {
  board: BoardSummary;
  layoutVersion: number | null;
  /** The tldraw store schema that wrote the records, or null when no client has written one yet. */
  schema: unknown;
  /** Record id → record, as in `tl_records`. */
  records: Record<string, unknown>;
  /** Records left out because JSON cannot represent them (a bigint or binary value written by a raw Yjs client). */
  omitted?: { id: string; reason: string }[];
}

/** CSV import limits (`POST /api/boards/:id/import`). */
export const CSV_MAX_ROWS = 5_000;
export const CSV_MAX_BYTES = 5 * 1024 * 1024;

/** Uniform error body for every 4xx/5xx answer. */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
}

/** Run-time configuration the server hands to the web client (`GET /api/config`). */
export interface ClientConfig {
  /** tldraw license key, or null when the server has none configured. */
  tldrawLicenseKey: string | null;
  /** `token`: creating a board needs the instance's board creation token (`Authorization: Bearer`). */
  boardCreation: 'open' | 'token';
}
