import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import {
  FATAL_CLOSE_CODES,
  SERVER_AWARENESS_FIELD,
  WS_PATH,
  type PresenceUser,
  type Role,
  type ServerStatus,
} from '@planboard/shared';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface Peer {
  clientId: number;
  name: string;
  color: string;
  role: Role | null;
}

/**
 * One open board in this tab: its Y.Doc, kept in IndexedDB (so offline edits survive a reload)
 * and synced through the stock y-websocket client. Everything the shell shows about the
 * connection derives from here.
 */
export class BoardSession {
  readonly boardId: string;
  readonly role: Role;
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly persistence: IndexeddbPersistence;

  status = $state<ConnectionStatus>('connecting');
  /** The local copy (IndexedDB) has been read. */
  localReady = $state(false);
  /** The server's copy has been merged at least once since the page opened. */
  synced = $state(false);
  peers = $state<Peer[]>([]);
  /** Why the server refused us for good (revoked link, deleted board ...). */
  refused = $state<{ code: number; reason: string } | null>(null);
  /** The server says it cannot save the board right now. */
  storageWarning = $state<string | null>(null);
  /** Edits made on this device since the connection dropped, not yet sent to the server. */
  pendingEdits = $state(0);
  /** The connection dropped after it had worked; cleared once the board has synced again. */
  interrupted = $state(false);
  /** Set when an interrupted connection has synced again (and kept for a moment for the banner). */
  resyncedAt = $state<number | null>(null);

  #everConnected = false;
  #cleanup: (() => void)[] = [];

  constructor(boardId: string, token: string, user: PresenceUser, role: Role) {
    this.boardId = boardId;
    this.role = role;
    this.persistence = new IndexeddbPersistence(`planboard:${boardId}`, this.doc);
    this.persistence.whenSynced.then(() => (this.localReady = true));
    const wsBase = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${WS_PATH}`;
    this.provider = new WebsocketProvider(wsBase, boardId, this.doc, {
      params: { token },
      // Tabs of one browser may hold different roles: keep every tab on its own connection.
      disableBc: true,
      shouldReconnect: (event) => !FATAL_CLOSE_CODES.has(event.code),
    });
    this.provider.awareness.setLocalStateField('user', { ...user, role });

    const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
      if (status === 'connected') this.#everConnected = true;
      this.#updateStatus(status);
    };
    const onSync = (synced: boolean) => {
      if (!synced) return;
      this.synced = true;
      this.pendingEdits = 0;
      // Sync step 2 has gone both ways: what this device kept while offline is on the server now.
      if (this.interrupted) this.#resynced();
    };
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin !== this.provider && origin !== this.persistence && this.status !== 'connected') this.pendingEdits++;
    };
    const onClosed = (event: { code: number; reason: string }) => (this.refused = event);
    const onAwareness = () => this.#readAwareness();
    const onOnline = () => this.#updateStatus(this.provider.wsconnected ? 'connected' : 'connecting');
    this.provider.on('status', onStatus);
    this.provider.on('sync', onSync);
    this.provider.on('closed', onClosed);
    this.provider.awareness.on('change', onAwareness);
    this.doc.on('update', onUpdate);
    addEventListener('online', onOnline);
    addEventListener('offline', onOnline);
    this.#cleanup.push(() => {
      this.provider.off('status', onStatus);
      this.provider.off('sync', onSync);
      this.provider.off('closed', onClosed);
      this.provider.awareness.off('change', onAwareness);
      this.doc.off('update', onUpdate);
      removeEventListener('online', onOnline);
      removeEventListener('offline', onOnline);
    });
    this.#updateStatus('connecting');
  }

  setUser(user: PresenceUser, role: Role): void {
    this.provider.awareness.setLocalStateField('user', { ...user, role });
  }

  #updateStatus(providerStatus: 'connected' | 'disconnected' | 'connecting'): void {
    if (!navigator.onLine) this.status = 'offline';
    else if (providerStatus === 'connected') this.status = 'connected';
    else this.status = this.#everConnected ? 'reconnecting' : 'connecting';
    if (this.status === 'offline' || (this.status !== 'connected' && this.#everConnected)) {
      this.interrupted = true;
      this.resyncedAt = null;
    } else if (this.status === 'connected' && this.interrupted && this.provider.synced) {
      // The socket outlived a short loss of network: it never had to sync again.
      this.#resynced();
    }
  }

  #resynced(): void {
    this.interrupted = false;
    this.pendingEdits = 0;
    this.resyncedAt = Date.now();
  }

  #readAwareness(): void {
    const peers: Peer[] = [];
    let warning: string | null = null;
    for (const [clientId, state] of this.provider.awareness.getStates()) {
      const server = (state as { [SERVER_AWARENESS_FIELD]?: ServerStatus })[SERVER_AWARENESS_FIELD];
      if (server) warning = server.message;
      const user = (state as { user?: Partial<PresenceUser> }).user;
      if (clientId === this.doc.clientID || !user?.name) continue;
      peers.push({ clientId, name: user.name, color: user.color ?? '#868e96', role: user.role ?? null });
    }
    this.peers = peers.sort((a, b) => a.name.localeCompare(b.name));
    this.storageWarning = warning;
  }

  destroy(): void {
    for (const cleanup of this.#cleanup) cleanup();
    this.provider.destroy();
    void this.persistence.destroy();
    this.doc.destroy();
  }
}
