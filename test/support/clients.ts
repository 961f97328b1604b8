import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { getRecordsMap } from '@planboard/shared';
import { tokenFor } from './server.js';

// Every y-websocket provider in Node adds a process 'exit' listener; tests run up to 100.
process.setMaxListeners(0);

/**
 * A stock y-websocket client in Node, exactly as an integrator would write it. The token
 * defaults to the edit link of a board created through `createBoard`.
 */
export function connectClient(
  wsUrl: string,
  boardId: string,
  doc = new Y.Doc(),
  token = tokenFor(boardId, 'edit'),
): { doc: Y.Doc; provider: WebsocketProvider } {
  const provider = new WebsocketProvider(wsUrl, boardId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    maxBackoffTime: 200,
    // Every client in a test process must talk through the server, not a shared BroadcastChannel.
    disableBc: true,
  });
  return { doc, provider };
}

export function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(check, 10);
    };
    check();
  });
}

export function waitForSync(provider: WebsocketProvider): Promise<void> {
  return waitFor(() => provider.synced, 'the provider to sync');
}

/** A whiteboard-like record, as tldraw writes into `tl_records`. */
export function putShape(doc: Y.Doc, id: string, x = 0, y = 0): void {
  getRecordsMap(doc).set(id, {
    id,
    typeName: 'shape',
    type: 'geo',
    x,
    y,
    rotation: 0,
    parentId: 'page:page',
    index: 'a1',
    props: { w: 100, h: 80, geo: 'rectangle', color: 'black' },
  });
}

export function recordsOf(doc: Y.Doc): Record<string, unknown> {
  return getRecordsMap(doc).toJSON();
}

export function closeAll(...providers: WebsocketProvider[]): void {
  for (const provider of providers) {
    provider.destroy();
    // The provider's awareness keeps a timer until its document is destroyed.
    provider.doc.destroy();
  }
}

/**
 * Every close of the provider's socket from now on, by close code. "Stayed connected" means this
 * stays empty: `wsconnected` alone would also hold after a drop and a quick reconnect.
 */
export function recordCloses(provider: WebsocketProvider): number[] {
  const codes: number[] = [];
  provider.on('connection-close', (event) => codes.push(event?.code ?? -1));
  return codes;
}
