import type {
  ApiError,
  BoardAccess,
  ClientConfig,
  CreatedBoard,
  CreatedLink,
  CreateLinkRequest,
  LinkSummary,
} from '@planboard/shared';

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
  createBoard: (title: string) => request<CreatedBoard>('POST', '/api/boards', undefined, { title }),
  getBoard: (id: string, token: string) => request<BoardAccess>('GET', `/api/boards/${id}`, token),
  renameBoard: (id: string, token: string, title: string) => request<BoardAccess>('PATCH', `/api/boards/${id}`, token, { title }),
  deleteBoard: (id: string, token: string) => request<void>('DELETE', `/api/boards/${id}`, token),
  listLinks: (id: string, token: string) => request<LinkSummary[]>('GET', `/api/boards/${id}/links`, token),
  createLink: (id: string, token: string, link: CreateLinkRequest) => request<CreatedLink>('POST', `/api/boards/${id}/links`, token, link),
  revokeLink: (id: string, token: string, linkId: string) => request<void>('DELETE', `/api/boards/${id}/links/${linkId}`, token),
};
