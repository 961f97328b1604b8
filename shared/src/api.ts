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
