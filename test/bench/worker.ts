// A load-generator process: runs a share of the headless clients and reports what they saw.
// Forked by run.ts; talks to it over IPC, one request at a time.
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { getRecordsMap, type StoredRecord } from '@planboard/shared';
import { connectBenchClient, type BenchClient } from './protocol-clients.js';
import type { ServerKind } from './servers.js';
import { monotonicMs } from './stats.js';

export interface ClientSpec {
  room: string;
  token?: string;
  /** Unique over the whole run: the sender id embedded in every change. */
  id: string;
  /** Multi-instance scenarios: the instance this client connects to (its URL and index). */
  wsUrl?: string;
  instance?: number;
  /**
   * A viewer that only receives: a raw websocket speaking just enough of the y-websocket protocol
   * (sync step 1 with an empty state vector, an empty step 2 back) and counting what arrives,
   * without a Y.Doc. The server does the same for it as for a stock client; the generator does
   * not spend a Yjs decode per change per viewer (900 viewers would saturate it).
   */
  light?: boolean;
}

export type WorkerRequest =
  | { type: 'connect'; kind: ServerKind; wsUrl: string; clients: ClientSpec[]; timeoutMs: number }
  | { type: 'run'; changesPerSecond: number; cursorsPerSecond: number; durationMs: number; drainMs: number }
  | { type: 'seed'; shapes: number }
  | { type: 'digest' }
  | { type: 'close' };

/** Per sent change (`sender#seq`): how many other clients of this process received it, and the slowest. */
export type Receipts = [key: string, count: number, maxMs: number][];

export type WorkerReply =
  | { type: 'connected'; connectMs: number[]; failed: number }
  | {
      type: 'ran';
      sends: number;
      cursorSends: number;
      latencies: number[];
      cursorLatencies: number[];
      receipts: Receipts;
      /** Changes superseded before they arrived, older than the send times a record carries. */
      inferred: number;
      /** How late, after its scheduled time, the 99th percentile send left (ms). */
      generatorLagP99: number;
      /** Multi-instance: change and cursor latencies split by whether sender and receiver share an instance. */
      sameLatencies: number[];
      crossLatencies: number[];
      cursorSameLatencies: number[];
      cursorCrossLatencies: number[];
      /** Messages received per instance index (changes and cursors of stock clients, frames of light viewers). */
      deliveredByInstance: number[];
      /** Light viewers: frames and bytes received. */
      viewerFrames: number;
      viewerBytes: number;
      cpuMicros: number;
    }
  | { type: 'seeded'; updateBytes: number }
  | { type: 'digest'; digests: { room: string; digest: string; records: number }[] }
  | { type: 'closed' };

// Every y-websocket provider in Node adds a process 'exit' listener; hundreds here are expected.
process.setMaxListeners(0);

const send = (reply: WorkerReply) => process.send!(reply);

/** Send times of a sender's earlier changes a record carries, as deltas: a receiver that gets
 * several changes of one record merged into one (a coalescing relay) still times each of them. */
const PREVIOUS_SENDS = 3;

interface ChangeMeta {
  sender: string;
  seq: number;
  sentAt: number;
  prev: number[];
  /** The sender's instance (multi-instance scenarios). */
  instance?: number;
}

interface Participant {
  spec: ClientSpec;
  client: BenchClient;
  /** Highest sequence number seen per other sender. */
  seen: Map<string, number>;
}

let participants: Participant[] = [];
let viewers: LightViewer[] = [];
let measuring = false;
let latencies: number[] = [];
let cursorLatencies: number[] = [];
let sameLatencies: number[] = [];
let crossLatencies: number[] = [];
let cursorSameLatencies: number[] = [];
let cursorCrossLatencies: number[] = [];
let deliveredByInstance: number[] = [];
let viewerFrames = 0;
let viewerBytes = 0;
let receipts = new Map<string, [count: number, maxMs: number]>();
let inferred = 0;

/** A tldraw geo shape as it sits in `tl_records`; about 260 bytes as a Yjs update. */
function shapeRecord(id: string, n: number, meta: ChangeMeta | null): StoredRecord {
  return {
    id,
    typeName: 'shape',
    type: 'geo',
    x: (n * 37) % 2000,
    y: (n * 53) % 1200,
    rotation: 0,
    index: 'a1',
    parentId: 'page:page',
    isLocked: false,
    opacity: 1,
    props: { w: 160, h: 90, geo: 'rectangle', color: 'blue', fill: 'semi' },
    meta: meta ?? {},
  };
}

function countDelivery(instance: number | undefined): void {
  if (instance === undefined) return;
  deliveredByInstance[instance] = (deliveredByInstance[instance] ?? 0) + 1;
}

function receive(at: number, meta: ChangeMeta, seen: Map<string, number>, instance: number | undefined): void {
  const last = seen.get(meta.sender) ?? 0;
  if (meta.seq <= last) return;
  seen.set(meta.sender, meta.seq);
  for (let seq = last + 1; seq <= meta.seq; seq++) {
    const back = meta.seq - seq;
    let sentAt = meta.sentAt;
    if (back > 0) {
      const delta = meta.prev[Math.min(back, meta.prev.length) - 1];
      if (back > meta.prev.length) inferred++;
      sentAt = delta === undefined ? meta.sentAt : meta.sentAt - delta;
    }
    const latency = at - sentAt;
    latencies.push(latency);
    if (instance !== undefined && meta.instance !== undefined) (meta.instance === instance ? sameLatencies : crossLatencies).push(latency);
    countDelivery(instance);
    const key = `${meta.sender}#${seq}`;
    const entry = receipts.get(key);
    if (entry) {
      entry[0]++;
      if (latency > entry[1]) entry[1] = latency;
    } else receipts.set(key, [1, latency]);
  }
}

async function connect(request: Extract<WorkerRequest, { type: 'connect' }>): Promise<void> {
  const started = monotonicMs();
  viewers = request.clients.filter((spec) => spec.light).map((spec) => new LightViewer(spec, spec.wsUrl ?? request.wsUrl));
  participants = request.clients
    .filter((spec) => !spec.light)
    .map((spec) => ({ spec, client: connectBenchClient(request.kind, spec.wsUrl ?? request.wsUrl, spec.room, spec.token), seen: new Map() }));
  for (const participant of participants) {
    const { client, seen } = participant;
    getRecordsMap(client.doc).observe((event) => {
      if (event.transaction.local || !measuring) return;
      const at = monotonicMs();
      event.changes.keys.forEach((change, key) => {
        if (change.action === 'delete') return;
        const meta = event.target.get(key)?.meta as ChangeMeta | undefined;
        if (meta?.sender !== undefined && meta.sender !== participant.spec.id) receive(at, meta, seen, participant.spec.instance);
      });
    });
    client.awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }) => {
      if (!measuring) return;
      const at = monotonicMs();
      for (const id of [...added, ...updated]) {
        if (id === client.doc.clientID) continue;
        const cursor = (client.awareness.getStates().get(id) as { cursor?: { sentAt?: number; instance?: number } } | undefined)?.cursor;
        if (cursor?.sentAt === undefined) continue;
        const latency = at - cursor.sentAt;
        cursorLatencies.push(latency);
        const own = participant.spec.instance;
        if (own !== undefined && cursor.instance !== undefined) (cursor.instance === own ? cursorSameLatencies : cursorCrossLatencies).push(latency);
        countDelivery(own);
      }
    });
  }
  const synced: (() => boolean)[] = [...participants.map(({ client }) => () => client.isSynced()), ...viewers.map((viewer) => () => viewer.synced)];
  const connectMs: number[] = new Array(synced.length).fill(-1);
  const deadline = started + request.timeoutMs;
  while (monotonicMs() < deadline && connectMs.some((ms) => ms < 0)) {
    for (const [i, isSynced] of synced.entries()) if (connectMs[i]! < 0 && isSynced()) connectMs[i] = monotonicMs() - started;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  send({ type: 'connected', connectMs: connectMs.filter((ms) => ms >= 0), failed: connectMs.filter((ms) => ms < 0).length });
}

/**
 * Open-loop load: every client has a schedule (evenly phased over the period) and a single ticker
 * sends whatever is due, catching up after a stall, so that a slow server or a busy generator
 * does not quietly lower the offered load. How late sends left is reported as generator lag.
 */
async function run(request: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  latencies = [];
  cursorLatencies = [];
  sameLatencies = [];
  crossLatencies = [];
  cursorSameLatencies = [];
  cursorCrossLatencies = [];
  deliveredByInstance = [];
  viewerFrames = 0;
  viewerBytes = 0;
  receipts = new Map();
  inferred = 0;
  for (const participant of participants) participant.seen.clear();
  measuring = true;
  const cpuBefore = process.cpuUsage();
  let sends = 0;
  let cursorSends = 0;
  const lags: number[] = [];
  const changeEvery = 1000 / request.changesPerSecond;
  const cursorEvery = request.cursorsPerSecond > 0 ? 1000 / request.cursorsPerSecond : Infinity;
  const start = monotonicMs();
  const end = start + request.durationMs;
  const schedules = participants.map(({ spec, client }, i) => {
    const phase = i / participants.length;
    return {
      spec,
      client,
      records: getRecordsMap(client.doc),
      recordId: `shape:${spec.id}`,
      sentTimes: [] as number[],
      seq: 0,
      nextChange: start + phase * changeEvery,
      nextCursor: start + ((phase + 0.5) % 1) * cursorEvery,
    };
  });
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = monotonicMs();
      for (const s of schedules) {
        while (s.nextChange <= now && s.nextChange < end) {
          const sentAt = monotonicMs();
          lags.push(sentAt - s.nextChange);
          s.nextChange += changeEvery;
          s.seq++;
          const prev = s.sentTimes.slice(-PREVIOUS_SENDS).reverse().map((t) => Math.round((sentAt - t) * 100) / 100);
          s.sentTimes.push(sentAt);
          if (s.sentTimes.length > PREVIOUS_SENDS) s.sentTimes.shift();
          s.records.set(s.recordId, shapeRecord(s.recordId, s.seq, { sender: s.spec.id, seq: s.seq, sentAt, prev, ...(s.spec.instance === undefined ? {} : { instance: s.spec.instance }) }));
          sends++;
        }
        while (s.nextCursor <= now && s.nextCursor < end) {
          s.nextCursor += cursorEvery;
          cursorSends++;
          s.client.awareness.setLocalStateField('cursor', { x: (cursorSends * 13) % 1000, y: (cursorSends * 7) % 700, sentAt: monotonicMs(), instance: s.spec.instance });
        }
      }
      if (now < end) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await new Promise((resolve) => setTimeout(resolve, request.drainMs));
  measuring = false;
  const cpu = process.cpuUsage(cpuBefore);
  lags.sort((x, y) => x - y);
  send({
    type: 'ran',
    sends,
    cursorSends,
    latencies,
    cursorLatencies,
    receipts: [...receipts].map(([key, [count, maxMs]]) => [key, count, maxMs]),
    inferred,
    generatorLagP99: lags[Math.floor(lags.length * 0.99)] ?? 0,
    cpuMicros: cpu.user + cpu.system,
    sameLatencies,
    crossLatencies,
    cursorSameLatencies,
    cursorCrossLatencies,
    deliveredByInstance: Array.from(deliveredByInstance, (n) => n ?? 0),
    viewerFrames,
    viewerBytes,
  });
}

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const SYNC_STEP_1 = 0;
const SYNC_STEP_2 = 1;
/** What a fresh, empty client sends: its (empty) state vector, and its (empty) answer to the server's step 1. */
const EMPTY_STEP_1 = (() => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, new Y.Doc());
  return encoding.toUint8Array(encoder);
})();
const EMPTY_STEP_2 = (() => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep2(encoder, new Y.Doc());
  return encoding.toUint8Array(encoder);
})();

/** See `ClientSpec.light`. */
class LightViewer {
  readonly #socket: WebSocket;
  readonly #instance: number | undefined;
  synced = false;

  constructor(spec: ClientSpec, wsUrl: string) {
    this.#instance = spec.instance;
    this.#socket = new WebSocket(`${wsUrl}/${spec.room}${spec.token ? `?token=${encodeURIComponent(spec.token)}` : ''}`);
    this.#socket.binaryType = 'nodebuffer';
    this.#socket.on('open', () => this.#socket.send(EMPTY_STEP_1));
    this.#socket.on('error', () => undefined);
    this.#socket.on('message', (data: Buffer) => this.#receive(data));
  }

  #receive(data: Buffer): void {
    // Only the first two varints are read (both are single bytes here).
    const type = data[0];
    if (type === MESSAGE_SYNC) {
      if (data[1] === SYNC_STEP_1) this.#socket.send(EMPTY_STEP_2);
      else if (data[1] === SYNC_STEP_2) this.synced = true;
    }
    if (!measuring || (type !== MESSAGE_SYNC && type !== MESSAGE_AWARENESS) || (type === MESSAGE_SYNC && data[1] === SYNC_STEP_1)) return;
    viewerFrames++;
    viewerBytes += data.byteLength;
    countDelivery(this.#instance);
  }

  close(): void {
    this.#socket.close();
  }
}

function seed(shapes: number): void {
  const { client } = participants[0]!;
  const records = getRecordsMap(client.doc);
  let updateBytes = 0;
  const onUpdate = (update: Uint8Array) => (updateBytes += update.byteLength);
  client.doc.on('update', onUpdate);
  client.doc.transact(() => {
    for (let i = 0; i < shapes; i++) records.set(`shape:seed-${i}`, shapeRecord(`shape:seed-${i}`, i, null));
  });
  client.doc.off('update', onUpdate);
  send({ type: 'seeded', updateBytes });
}

function digest(): void {
  const digests = participants.map(({ spec, client }) => {
    const json = getRecordsMap(client.doc).toJSON() as Record<string, unknown>;
    const sorted = JSON.stringify(Object.keys(json).sort().map((key) => [key, json[key]]));
    return { room: spec.room, digest: createHash('sha1').update(sorted).digest('hex'), records: Object.keys(json).length };
  });
  send({ type: 'digest', digests });
}

process.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'connect':
      void connect(request);
      break;
    case 'run':
      void run(request);
      break;
    case 'seed':
      seed(request.shapes);
      break;
    case 'digest':
      digest();
      break;
    case 'close':
      for (const { client } of participants) client.destroy();
      for (const viewer of viewers) viewer.close();
      participants = [];
      viewers = [];
      send({ type: 'closed' });
      setTimeout(() => process.exit(0), 50);
      break;
  }
});
