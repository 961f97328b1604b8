import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { readFacilitation, type FacilitationState, type Role } from '@planboard/shared';
import { waitFor } from '../support/clients.js';

/**
 * A participant of a facilitation test: a stock y-websocket client (with presence, as the web app
 * publishes it) whose every received frame is recorded, and an HTTP client whose every answer
 * body is recorded. Together they are everything the server sent to this person.
 */
export interface Participant {
  userId: string;
  /** The secret this participant's browser proves its id with. */
  secret: string;
  name: string;
  role: Role;
  doc: Y.Doc;
  provider: WebsocketProvider;
  frames: Uint8Array[];
  bodies: string[];
  /** POSTs to `/api/boards/:id/facilitation/<path>` with this person's identity; answers the status. */
  act(path: string, body?: Record<string, unknown>): Promise<{ status: number; body: string }>;
  state(): FacilitationState;
  close(): void;
}

export async function join(server: { url: string; wsUrl: string }, boardId: string, token: string, name: string, role: Role): Promise<Participant> {
  const frames: Uint8Array[] = [];
  const bodies: string[] = [];
  class RecordingSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.on('message', (data: Buffer) => frames.push(new Uint8Array(data)));
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.wsUrl, boardId, doc, {
    params: { token },
    WebSocketPolyfill: RecordingSocket as unknown as typeof globalThis.WebSocket,
    maxBackoffTime: 200,
    disableBc: true,
  });
  const userId = `user-${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`;
  const secret = randomBytes(24).toString('base64url');
  provider.awareness.setLocalStateField('user', { id: userId, name, color: '#1971c2' });
  await waitFor(() => provider.synced, `${name} to sync`);
  return {
    userId,
    secret,
    name,
    role,
    doc,
    provider,
    frames,
    bodies,
    async act(path, body = {}) {
      const response = await fetch(`${server.url}/api/boards/${boardId}/facilitation/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId, name, secret, ...body }),
      });
      const text = await response.text();
      bodies.push(text);
      return { status: response.status, body: text };
    },
    state: () => readFacilitation(doc),
    close() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** How many times `needle` occurs in all of `haystacks` (as UTF-8 bytes). */
export function occurrences(haystacks: (Uint8Array | string)[], needle: string): number {
  const pattern = Buffer.from(needle);
  let count = 0;
  for (const hay of haystacks) {
    const buffer = typeof hay === 'string' ? Buffer.from(hay) : Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength);
    for (let at = buffer.indexOf(pattern); at !== -1; at = buffer.indexOf(pattern, at + 1)) count++;
  }
  return count;
}

/** Imports cards through the API (as a person uploading a CSV); answers their shape ids. */
export async function importCards(server: { url: string }, boardId: string, token: string, titles: string[]): Promise<string[]> {
  const csv = `title,estimate\n${titles.map((t) => `${t},`).join('\n')}\n`;
  const response = await fetch(`${server.url}/api/boards/${boardId}/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  if (response.status !== 200) throw new Error(`import: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { cardIds: string[] }).cardIds;
}
