import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { HocuspocusProvider } from '@hocuspocus/provider';
import type { Awareness } from 'y-protocols/awareness';
import type { ServerKind } from './servers.js';

/** One headless collaborator, with the client library each server is made for. */
export interface BenchClient {
  doc: Y.Doc;
  awareness: Awareness;
  isSynced(): boolean;
  destroy(): void;
}

// Hocuspocus's provider uses the global WebSocket, which Node 20 lacks.
(globalThis as unknown as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export function connectBenchClient(kind: ServerKind, wsUrl: string, room: string, token?: string): BenchClient {
  const doc = new Y.Doc();
  if (kind === 'hocuspocus') {
    const provider = new HocuspocusProvider({ url: wsUrl, name: room, document: doc });
    return {
      doc,
      awareness: provider.awareness!,
      isSynced: () => provider.isSynced,
      destroy: () => {
        provider.destroy();
        doc.destroy();
      },
    };
  }
  const provider = new WebsocketProvider(wsUrl, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    ...(token ? { params: { token } } : {}),
  });
  return {
    doc,
    awareness: provider.awareness,
    isSynced: () => provider.synced,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}
