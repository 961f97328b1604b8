// A load-generator process: runs a share of the headless clients and reports measurements.
import { createHash } from 'node:crypto';
import { getRecordsMap, type StoredRecord } from '@planboard/shared';
import { connectBenchClient, type BenchClient } from './protocol-clients.js';
import type { ServerKind } from './servers.js';

export interface ClientSpec {
  room: string;
  token?: string;
  id: string;
}

export type WorkerRequest =
  | { type: 'connect'; kind: ServerKind; wsUrl: string; clients: ClientSpec[]; timeoutMs: number }
  | { type: 'run'; changesPerSecond: number; cursorsPerSecond: number; durationMs: number; drainMs: number }
  | { type: 'seed'; shapes: number }
  | { type: 'digest' }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'connected'; connectMs: number[]; failed: number }
  | { type: 'ran'; sends: number; latencies: number[]; cpuMicros: number }
  | { type: 'seeded' }
  | { type: 'digest'; digests: { room: string; digest: string; records: number }[] }
  | { type: 'closed' };

// Every y-websocket provider in Node adds a process 'exit' listener; hundreds here are expected.
process.setMaxListeners(0);

const now = () => performance.timeOrigin + performance.now();
const send = (reply: WorkerReply) => process.send!(reply);

let clients: { spec: ClientSpec; client: BenchClient }[] = [];
let measuring = false;
let latencies: number[] = [];

function shapeRecord(spec: ClientSpec, n: number): StoredRecord {
  return {
    id: `shape:${spec.id}`,
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
    meta: { sentAt: now(), sender: spec.id },
  };
}

async function connect(request: Extract<WorkerRequest, { type: 'connect' }>): Promise<void> {
  const started = now();
  clients = request.clients.map((spec) => ({ spec, client: connectBenchClient(request.kind, request.wsUrl, spec.room, spec.token) }));
  const connectMs: number[] = new Array(clients.length).fill(-1);
  for (const [i, { spec, client }] of clients.entries()) {
    getRecordsMap(client.doc).observe((event) => {
      if (event.transaction.local || !measuring) return;
      const at = now();
      event.changes.keys.forEach((change, key) => {
        if (change.action === 'delete') return;
        const meta = (event.target.get(key) as StoredRecord | undefined)?.meta as { sentAt?: number; sender?: string } | undefined;
        if (meta?.sentAt && meta.sender !== spec.id) latencies.push(at - meta.sentAt);
      });
    });
    void i;
  }
  const deadline = started + request.timeoutMs;
  while (now() < deadline && connectMs.some((ms) => ms < 0)) {
    for (const [i, { client }] of clients.entries()) if (connectMs[i]! < 0 && client.isSynced()) connectMs[i] = now() - started;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  send({ type: 'connected', connectMs: connectMs.filter((ms) => ms >= 0), failed: connectMs.filter((ms) => ms < 0).length });
}

async function run(request: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  latencies = [];
  measuring = true;
  const cpuBefore = process.cpuUsage();
  let sends = 0;
  const timers: NodeJS.Timeout[] = [];
  for (const [i, { spec, client }] of clients.entries()) {
    const records = getRecordsMap(client.doc);
    let n = 0;
    // Spread the clients' ticks evenly over the period.
    const changeEvery = 1000 / request.changesPerSecond;
    setTimeout(() => {
      timers.push(setInterval(() => {
        records.set(`shape:${spec.id}`, shapeRecord(spec, n++));
        sends++;
      }, changeEvery));
    }, (i * changeEvery) / clients.length);
    if (request.cursorsPerSecond > 0) {
      const cursorEvery = 1000 / request.cursorsPerSecond;
      timers.push(setInterval(() => client.awareness.setLocalStateField('cursor', { x: n % 1000, y: (n * 7) % 700 }), cursorEvery));
    }
  }
  await new Promise((resolve) => setTimeout(resolve, request.durationMs));
  for (const timer of timers) clearInterval(timer);
  await new Promise((resolve) => setTimeout(resolve, request.drainMs));
  measuring = false;
  const cpu = process.cpuUsage(cpuBefore);
  send({ type: 'ran', sends, latencies, cpuMicros: cpu.user + cpu.system });
}

function seed(shapes: number): void {
  const { client, spec } = clients[0]!;
  const records = getRecordsMap(client.doc);
  client.doc.transact(() => {
    for (let i = 0; i < shapes; i++) records.set(`shape:seed-${i}`, { ...shapeRecord(spec, i), id: `shape:seed-${i}` });
  });
  send({ type: 'seeded' });
}

function digest(): void {
  const digests = clients.map(({ spec, client }) => {
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
      for (const { client } of clients) client.destroy();
      clients = [];
      send({ type: 'closed' });
      setTimeout(() => process.exit(0), 50);
      break;
  }
});
