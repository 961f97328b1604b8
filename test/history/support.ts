import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { getRecordsMap, type RestoreResult, type VersionList, type VersionSummary } from '@planboard/shared';
import { connectClient, waitForSync } from '../support/clients.js';

/** A call to the history routes with a link token; answers status and parsed body. */
export async function call<T = unknown>(
  server: { url: string },
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const type = response.headers.get('content-type') ?? '';
  const parsed = type.includes('json') ? await response.json() : new Uint8Array(await response.arrayBuffer());
  return { status: response.status, body: parsed as T };
}

export const history = (server: { url: string }, boardId: string, token: string) => ({
  list: () => call<VersionList>(server, 'GET', `/api/boards/${boardId}/history`, token),
  name: (name: string) => call<VersionSummary>(server, 'POST', `/api/boards/${boardId}/history`, token, { name }),
  content: (versionId: string) => call<Uint8Array>(server, 'GET', `/api/boards/${boardId}/history/${versionId}`, token),
  restore: (versionId: string) => call<RestoreResult>(server, 'POST', `/api/boards/${boardId}/history/${versionId}/restore`, token),
  undo: (versionId: string) => call<VersionSummary>(server, 'POST', `/api/boards/${boardId}/history/${versionId}/undo`, token),
});

/** The records a version's state holds. */
export function recordsOfState(state: Uint8Array): Record<string, unknown> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const records = getRecordsMap(doc).toJSON();
  doc.destroy();
  return records;
}

/** A stock client that publishes a name in its presence, as the web app does. */
export async function person(server: { wsUrl: string }, boardId: string, token: string, name: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
  const client = connectClient(server.wsUrl, boardId, new Y.Doc(), token);
  client.provider.awareness.setLocalStateField('user', { id: name.toLowerCase(), name, color: '#1971c2' });
  await waitForSync(client.provider);
  return client;
}

/** Waits until the server's copy of the board (its JSON export) satisfies `condition`. */
export async function waitForServer(server: { url: string }, boardId: string, token: string, condition: (records: Record<string, unknown>) => boolean) {
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${server.url}/api/boards/${boardId}/export.json`, { headers: { authorization: `Bearer ${token}` } });
    if (condition(((await response.json()) as { records: Record<string, unknown> }).records)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the server never had the edits');
}

