import type { CreatedLink, Role } from './roles.js';

/** REST shapes shared by the server's route schemas and the web client. */

export const BOARD_TITLE_MAX_LENGTH = 200;
export const DEFAULT_BOARD_TITLE = 'Untitled board';

export interface CreateBoardRequest {
  title?: string;
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
}
