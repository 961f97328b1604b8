import type {
  ApiError,
  BoardAccess,
  ClientConfig,
  CreatedBoard,
  CreatedLink,
  CreateLinkRequest,
  CreateVersionRequest,
  LinkSummary,
  RestoreResult,
  TemplateId,
  VersionList,
  VersionSummary,
} from '@planboard/shared';
import type { ImportResult } from '@planboard/shared';

/** An API answer other than success, with the server's message (already worded for people). */
export class ApiRequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The request never reached the server (offline, server down). */
export class NetworkError extends Error {}

async function request<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new NetworkError('Cannot reach the Planboard server. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const message = (payload as ApiError | null)?.message ?? `The server answered ${response.status}.`;
    throw new ApiRequestError(response.status, message);
  }
  return payload as T;
}

export const api = {
  config: () => request<ClientConfig>('GET', '/api/config'),
  /** `creationToken`: the instance's board creation token, when it requires one (`ClientConfig.boardCreation`). */
  createBoard: (title: string, template: TemplateId = 'blank', creationToken?: string) => request<CreatedBoard>('POST', '/api/boards', creationToken, { title, template }),
  getBoard: (id: string, token: string) => request<BoardAccess>('GET', `/api/boards/${id}`, token),
  renameBoard: (id: string, token: string, title: string) => request<BoardAccess>('PATCH', `/api/boards/${id}`, token, { title }),
  deleteBoard: (id: string, token: string) => request<void>('DELETE', `/api/boards/${id}`, token),
  listLinks: (id: string, token: string) => request<LinkSummary[]>('GET', `/api/boards/${id}/links`, token),
  createLink: (id: string, token: string, link: CreateLinkRequest) => request<CreatedLink>('POST', `/api/boards/${id}/links`, token, link),
  revokeLink: (id: string, token: string, linkId: string) => request<void>('DELETE', `/api/boards/${id}/links/${linkId}`, token),
  importCsv: (id: string, token: string, text: string) => importCsv(id, token, text),
  downloadExport: (id: string, token: string, format: ExportFormat, filename: string) => downloadExport(id, token, format, filename),
  listVersions: (id: string, token: string) => request<VersionList>('GET', `/api/boards/${id}/history`, token),
  takeVersion: (id: string, token: string, version: CreateVersionRequest) => request<VersionSummary>('POST', `/api/boards/${id}/history`, token, version),
  /** A version's Yjs state, to be applied to an empty Y.Doc. */
  versionState: async (id: string, token: string, versionId: string) =>
    new Uint8Array(await (await send('GET', `/api/boards/${id}/history/${versionId}`, token)).arrayBuffer()),
  restoreVersion: (id: string, token: string, versionId: string) => request<RestoreResult>('POST', `/api/boards/${id}/history/${versionId}/restore`, token),
  undoRestore: (id: string, token: string, beforeId: string) => request<VersionSummary>('POST', `/api/boards/${id}/history/${beforeId}/undo`, token),
  copyVersion: (id: string, token: string, versionId: string) => request<CreatedBoard>('POST', `/api/boards/${id}/history/${versionId}/copy`, token, {}),
};

/** Sends a request with a raw body (not JSON); answers the response when it is a success. */
async function send(method: string, path: string, token: string, body?: { type: string; data: BodyInit }): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body) headers['content-type'] = body.type;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body?.data });
  } catch {
    throw new NetworkError('Cannot reach the Planboard server. Check your connection and try again.');
  }
  if (!response.ok) {
    const payload = (await response.json().catch(() => null)) as ApiError | null;
    throw new ApiRequestError(response.status, payload?.message ?? `The server answered ${response.status}.`);
  }
  return response;
}

/** `POST /api/boards/:id/import`: the text of a CSV file (Jira, Linear or Planboard export) becomes cards. */
export async function importCsv(id: string, token: string, text: string): Promise<ImportResult> {
  const response = await send('POST', `/api/boards/${id}/import`, token, { type: 'text/csv', data: text });
  return (await response.json()) as ImportResult;
}

export type ExportFormat = 'csv' | 'md' | 'json';

/**
 * Downloads `GET /api/boards/:id/export.<format>` as a file. The token travels in a header, so
 * the file is fetched here and handed to the browser as a blob (never a URL with the token).
 */
export async function downloadExport(id: string, token: string, format: ExportFormat, filename: string): Promise<void> {
  const response = await send('GET', `/api/boards/${id}/export.${format}`, token);
  let blob: Blob;
  try {
    blob = await response.blob();
  } catch {
    throw new NetworkError('The download was interrupted. Check your connection and try again.');
  }
  saveBlob(blob, filename);
}

/** Saves a blob as a file through a temporary `<a download>`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers read the URL after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
