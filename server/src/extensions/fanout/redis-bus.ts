import { Redis } from 'ioredis';
import * as Y from 'yjs';

/**
 * The Redis transport between Planboard instances: one Redis Stream per board (its updates,
 * state-vector sync requests, presence and "stored" confirmations) and one control stream
 * (link revoked or expired, board deleted, instance leaving). Streams, not pub/sub:
 * a reader that was away catches up from the last id it read, so a dropped connection loses
 * nothing that Redis still holds, and a state-vector exchange (see fanout.ts) covers the rest
 * (entries trimmed away, or a Redis that restarted empty).
 *
 * The bus never blocks the relay: publishing is fire-and-forget, and an update that could not be
 * published (Redis down) is kept, merged per board, and published when Redis is back.
 */

export type BoardEntryKind = 'update' | 'sync' | 'awareness' | 'stored';

export interface BoardEntry {
  boardId: string;
  kind: BoardEntryKind;
  /** The instance that published it. */
  from: string;
  /** An update, a state vector or an awareness update; empty for `stored`. */
  data: Uint8Array;
  /** `update`: the publisher's counter for it; `stored`: the publisher stored all its updates up to this counter. */
  n: number;
}

export type ControlMessage =
  | { kind: 'link-revoked'; boardId: string; linkId: string }
  /** A link's expiry passed on the publisher's clock (and closed its sessions there). */
  | { kind: 'link-expired'; boardId: string; linkId: string }
  | { kind: 'board-deleted'; boardId: string }
  /** The publisher is shutting down cleanly: forget its clients now rather than at its heartbeat's expiry. */
  | { kind: 'instance-gone' };

export interface BusLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface RedisBusOptions {
  url: string;
  instanceId: string;
  /** Prefix of every key, so that several deployments can share one Redis. */
  prefix: string;
  log: BusLogger;
  onBoardEntry(entry: BoardEntry): void;
  onControl(message: ControlMessage, from: string): void;
  /** Redis is reachable again after it was not: the caller resynchronises its boards. */
  onReconnected(): void;
  /** Another instance stopped renewing its heartbeat (it died) or said goodbye. */
  onInstanceGone(instanceId: string): void;
  /**
   * This instance read a board's stream too late: entries it had not read yet were trimmed away
   * (the stream keeps about `streamLength`). The caller resynchronises the board.
   */
  onBoardMissed?(boardId: string): void;
  /** Entries kept per board stream (approximately): how far a lagging reader can catch up. */
  streamLength?: number;
  /** How often this instance renews its heartbeat key (which lives three times as long). */
  heartbeatMs?: number;
}

const KIND_CODES: Record<BoardEntryKind, string> = { update: 'u', sync: 's', awareness: 'a', stored: 'c' };
const KINDS_BY_CODE = new Map(Object.entries(KIND_CODES).map(([kind, code]) => [code, kind as BoardEntryKind]));
const EMPTY = new Uint8Array(0);
const READ_BLOCK_MS = 2_000;
/**
 * Heartbeat period; the key lives three periods and two missed checks declare an instance dead,
 * so a killed instance's cursors go within about 5 periods (15 s), well inside the 30 s that
 * clients themselves wait before dropping a silent peer.
 */
const HEARTBEAT_MS = 3_000;
const READ_COUNT = 500;

type StreamReply = [Buffer, [Buffer, Buffer[]][]][] | null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Orders two stream ids (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs !== bMs ? aMs - bMs : aSeq - bSeq;
}

function fieldsOf(raw: Buffer[]): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  for (let i = 0; i + 1 < raw.length; i += 2) fields.set(raw[i]!.toString(), raw[i + 1]!);
  return fields;
}

export class RedisBus {
  readonly instanceId: string;
  readonly #options: RedisBusOptions;
  readonly #commands: Redis;
  readonly #reader: Redis;
  readonly #boardPrefix: string;
  readonly #controlKey: string;
  /** Followed boards: the last stream id read, or null until a position is known. */
  readonly #positions = new Map<string, string | null>();
  #controlPosition: string | null = null;
  #readerClientId: number | null = null;
  #counter = 0;
  /** Updates that could not be published, per board, with the highest counter among them. */
  readonly #unpublished = new Map<string, { updates: Uint8Array[]; n: number }>();
  readonly #unsentControl: ControlMessage[] = [];
  /** Other instances seen on the bus: consecutive heartbeat checks that found them missing. */
  readonly #peers = new Map<string, number>();
  #everReady = false;
  #connected = false;
  #closed = false;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #loop: Promise<void>;

  constructor(options: RedisBusOptions) {
    this.#options = options;
    this.instanceId = options.instanceId;
    this.#boardPrefix = `${options.prefix}board:`;
    this.#controlKey = `${options.prefix}control`;
    const common = {
      // Keep trying forever, at most every 2 s: instances outlive a Redis restart.
      retryStrategy: (times: number) => Math.min(100 * times, 2_000),
      connectTimeout: 5_000,
      lazyConnect: false,
    };
    // Publishing fails at once while Redis is away (the update is kept and published later)
    // instead of queueing without bound in the client.
    this.#commands = new Redis(options.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
    this.#reader = new Redis(options.url, { ...common, maxRetriesPerRequest: null });
    this.#commands.on('error', () => undefined);
    this.#reader.on('error', () => undefined);
    this.#commands.on('ready', () => void this.#onReady());
    this.#commands.on('close', () => {
      if (this.#connected && !this.#closed) options.log.warn({}, 'redis connection lost; serving local clients only until it returns');
      this.#connected = false;
    });
    this.#reader.on('close', () => {
      this.#readerClientId = null;
    });
    this.#reader.on('ready', () => {
      this.#reader
        .client('ID')
        .then((id) => (this.#readerClientId = Number(id)))
        .catch(() => undefined);
    });
    const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.#heartbeat = setInterval(() => void this.#beat(heartbeatMs), heartbeatMs);
    this.#heartbeat.unref();
    this.#loop = this.#readLoop();
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Resolves once Redis answered for the first time (or rejects after `timeoutMs`). */
  async ready(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#connected) {
      if (Date.now() > deadline) throw new Error('redis did not answer');
      await sleep(20);
    }
  }

  async #onReady(): Promise<void> {
    this.#connected = true;
    const reconnected = this.#everReady;
    this.#everReady = true;
    await this.#beat(this.#options.heartbeatMs ?? HEARTBEAT_MS, false);
    for (const message of this.#unsentControl.splice(0)) void this.publishControl(message);
    for (const [boardId, held] of [...this.#unpublished]) {
      this.#unpublished.delete(boardId);
      this.#publishEntry(boardId, 'update', Y.mergeUpdates(held.updates), held.n);
    }
    // Boards followed while Redis was away (or before it first answered) have no position yet.
    if (!reconnected && this.#positions.size === 0) return;
    this.#options.log.info({}, 'redis connection ready; resynchronising boards with the other instances');
    this.#options.onReconnected();
  }

  /**
   * Starts reading a board's stream from the id of a sync request carrying the board's state
   * vector: everything published after it arrives through the stream, everything before it
   * arrives as the other instances' answers to the request.
   */
  async follow(boardId: string, stateVector: Uint8Array): Promise<void> {
    if (!this.#positions.has(boardId)) this.#positions.set(boardId, null);
    try {
      const id = await this.#xadd(this.#boardPrefix + boardId, 'sync', stateVector, 0);
      // A position read earlier (catch-up after a Redis outage) stays: it reads more, never less.
      if (this.#positions.has(boardId) && this.#positions.get(boardId) === null) this.#positions.set(boardId, id);
      this.#wakeReader();
    } catch {
      // Redis is away: onReconnected will have the caller follow again.
    }
  }

  unfollow(boardId: string): void {
    this.#positions.delete(boardId);
    this.#unpublished.delete(boardId);
  }

  get followed(): string[] {
    return [...this.#positions.keys()];
  }

  /** Publishes a board update; returns its counter (for "stored" confirmations). */
  publishUpdate(boardId: string, update: Uint8Array): number {
    const n = ++this.#counter;
    this.#publishEntry(boardId, 'update', update, n);
    return n;
  }

  /** The counter of the last update published (or held for publishing). */
  get lastCounter(): number {
    return this.#counter;
  }

  /** What another instance lacked, answering its sync request: counter 0, nothing to confirm. */
  publishSyncAnswer(boardId: string, update: Uint8Array): void {
    this.#xadd(this.#boardPrefix + boardId, 'update', update, 0).catch(() => undefined);
  }

  /** True for exactly one caller per key within a minute (the others get false). */
  async claim(key: string): Promise<boolean> {
    return (await this.#commands.set(`${this.#options.prefix}${key}`, this.instanceId, 'PX', 60_000, 'NX')) === 'OK';
  }

  publishSync(boardId: string, stateVector: Uint8Array): void {
    this.#xadd(this.#boardPrefix + boardId, 'sync', stateVector, 0).catch(() => undefined);
  }

  /** Presence is not held while Redis is away: clients renew it every 15 s anyway. */
  publishAwareness(boardId: string, update: Uint8Array): void {
    if (!this.#connected) return;
    this.#xadd(this.#boardPrefix + boardId, 'awareness', update, 0).catch(() => undefined);
  }

  publishStored(boardId: string, n: number): void {
    if (!this.#connected) return;
    this.#xadd(this.#boardPrefix + boardId, 'stored', EMPTY, n).catch(() => undefined);
  }

  /**
   * Publishes a control message. While Redis is away it is kept and published when Redis is
   * back, so a link revoked during an outage still closes its connections everywhere.
   */
  publishControl(message: ControlMessage): Promise<void> {
    if (!this.#connected) {
      this.#unsentControl.push(message);
      return Promise.resolve();
    }
    return this.#xaddControl(message).catch(() => {
      this.#unsentControl.push(message);
    });
  }

  async #xaddControl(message: ControlMessage): Promise<void> {
    const fields: string[] = ['k', message.kind, 'f', this.instanceId];
    if ('boardId' in message) fields.push('b', message.boardId);
    if (message.kind === 'link-revoked' || message.kind === 'link-expired') fields.push('l', message.linkId);
    await this.#commands.xadd(this.#controlKey, 'MAXLEN', '~', '10000', '*', ...fields);
  }

  /** The shared store of small counters (the auth-failure rate limit). */
  get commands(): Redis {
    return this.#commands;
  }

  #publishEntry(boardId: string, kind: BoardEntryKind, data: Uint8Array, n: number): void {
    const hold = () => {
      const held = this.#unpublished.get(boardId);
      if (held) {
        held.updates.push(data);
        held.n = Math.max(held.n, n);
        // A long outage must not grow a list per keystroke: keep it merged.
        if (held.updates.length >= 100) held.updates = [Y.mergeUpdates(held.updates)];
      } else {
        this.#unpublished.set(boardId, { updates: [data], n });
      }
    };
    if (!this.#connected) return hold();
    this.#xadd(this.#boardPrefix + boardId, kind, data, n).catch(hold);
  }

  async #xadd(key: string, kind: BoardEntryKind, data: Uint8Array, n: number): Promise<string> {
    const id = await this.#commands.xadd(
      key,
      'MAXLEN',
      '~',
      String(this.#options.streamLength ?? 2_000),
      '*',
      'k',
      KIND_CODES[kind],
      'f',
      this.instanceId,
      'n',
      String(n),
      'd',
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    );
    return id ?? '0-0';
  }

  /** A blocked XREAD does not know about a newly followed board: unblock it so it re-reads the list. */
  #wakeReader(): void {
    if (this.#readerClientId === null || !this.#connected) return;
    this.#commands.client('UNBLOCK', this.#readerClientId).catch(() => undefined);
  }

  async #readLoop(): Promise<void> {
    while (!this.#closed) {
      try {
        if (this.#controlPosition === null) {
          const last = (await this.#reader.xrevrange(this.#controlKey, '+', '-', 'COUNT', 1))[0];
          this.#controlPosition = last?.[0] ?? '0-0';
        }
        const boards = [...this.#positions].filter((entry): entry is [string, string] => entry[1] !== null);
        const keys = [this.#controlKey, ...boards.map(([boardId]) => this.#boardPrefix + boardId)];
        const ids = [this.#controlPosition, ...boards.map(([, position]) => position)];
        const reply = (await this.#reader.callBuffer('XREAD', 'COUNT', READ_COUNT, 'BLOCK', READ_BLOCK_MS, 'STREAMS', ...keys, ...ids)) as StreamReply;
        if (reply) this.#dispatch(reply);
      } catch (error) {
        if (this.#closed) break;
        this.#readerClientId = null;
        if (this.#connected) this.#options.log.warn({ err: error }, 'reading from redis failed; retrying');
        await sleep(250);
      }
    }
  }

  #dispatch(reply: NonNullable<StreamReply>): void {
    for (const [rawKey, entries] of reply) {
      const key = rawKey.toString();
      const isControl = key === this.#controlKey;
      const boardId = isControl ? null : key.slice(this.#boardPrefix.length);
      // Entries after our position can only have been trimmed if more than the stream keeps were
      // added since: then this read was a full page. Only such a read is checked.
      const before = boardId === null ? null : this.#positions.get(boardId);
      if (boardId !== null && before && entries.length >= READ_COUNT) void this.#checkTrimmed(boardId, key, before);
      for (const [rawId, rawFields] of entries) {
        const id = rawId.toString();
        if (isControl) this.#controlPosition = id;
        else if (this.#positions.has(boardId!)) this.#positions.set(boardId!, id);
        else continue; // unfollowed while the read was in flight
        const fields = fieldsOf(rawFields);
        const from = fields.get('f')?.toString() ?? '';
        if (from === this.instanceId || from === '') continue;
        this.#peers.set(from, 0);
        try {
          if (isControl) this.#dispatchControl(fields, from);
          else this.#dispatchBoard(boardId!, fields, from);
        } catch (error) {
          this.#options.log.warn({ err: error, stream: key }, 'could not handle a message from another instance; skipped');
        }
      }
    }
  }

  #dispatchBoard(boardId: string, fields: Map<string, Buffer>, from: string): void {
    const kind = KINDS_BY_CODE.get(fields.get('k')?.toString() ?? '');
    if (!kind) return;
    const raw = fields.get('d');
    const data = raw ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : EMPTY;
    this.#options.onBoardEntry({ boardId, kind, from, data, n: Number(fields.get('n')?.toString() ?? 0) });
  }

  #dispatchControl(fields: Map<string, Buffer>, from: string): void {
    const kind = fields.get('k')?.toString();
    const boardId = fields.get('b')?.toString() ?? '';
    let message: ControlMessage | null = null;
    if (kind === 'link-revoked' || kind === 'link-expired') message = { kind, boardId, linkId: fields.get('l')?.toString() ?? '' };
    else if (kind === 'board-deleted') message = { kind, boardId };
    else if (kind === 'instance-gone') {
      this.#peers.delete(from);
      this.#options.onInstanceGone(from);
      return;
    }
    if (message) this.#options.onControl(message, from);
  }

  /** A board stream whose first entry is past where this instance had read lost entries it never read. */
  async #checkTrimmed(boardId: string, key: string, readFrom: string): Promise<void> {
    try {
      const first = (await this.#commands.xrange(key, '-', '+', 'COUNT', 1))[0]?.[0];
      if (first === undefined || compareIds(first, readFrom) <= 0 || !this.#positions.has(boardId)) return;
      this.#options.log.warn({ board: boardId }, 'read a board stream after entries were trimmed from it; resynchronising the board');
      this.#options.onBoardMissed?.(boardId);
    } catch {
      // Redis away: the reconnection resynchronises every board anyway.
    }
  }

  /** Renews this instance's heartbeat and notices the instances that stopped renewing theirs. */
  async #beat(heartbeatMs: number, checkPeers = true): Promise<void> {
    if (!this.#connected || this.#closed) return;
    try {
      await this.#commands.set(`${this.#options.prefix}instance:${this.instanceId}`, '1', 'PX', heartbeatMs * 3);
      if (!checkPeers || this.#peers.size === 0) return;
      const peers = [...this.#peers.keys()];
      const alive = await Promise.all(peers.map((peer) => this.#commands.exists(`${this.#options.prefix}instance:${peer}`)));
      peers.forEach((peer, i) => {
        if (alive[i]) return this.#peers.set(peer, 0);
        // Missing twice in a row: not just a Redis that restarted empty a moment ago.
        const misses = (this.#peers.get(peer) ?? 0) + 1;
        if (misses < 2) return this.#peers.set(peer, misses);
        this.#peers.delete(peer);
        this.#options.log.info({ instance: peer }, 'another instance stopped answering; dropping its presence');
        this.#options.onInstanceGone(peer);
      });
    } catch {
      // Redis away: nothing to renew, nobody to judge.
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#connected) {
      await this.#xaddControl({ kind: 'instance-gone' }).catch(() => undefined);
      await this.#commands.del(`${this.#options.prefix}instance:${this.instanceId}`).catch(() => undefined);
    }
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#reader.disconnect();
    await this.#loop;
    this.#commands.disconnect();
  }
}
