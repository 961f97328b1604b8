/**
 * Scale-out bench (issue 9): Planboard instances on one PostgreSQL and one Redis, stock
 * y-websocket clients spread over them (client i on instance i mod n), numbers printed.
 *
 *   pnpm run build && pnpm --filter @planboard/test exec tsx bench/scale-out.ts
 *
 * - workshop: SCALE_WORKSHOP_CLIENTS clients (default 30), each 1 change/s and 1 cursor move/s,
 *   over 1, 2 and 3 instances: change latency p50/p99 for receivers on the sender's instance and
 *   on another one (the cross-instance hop), cursor latency, server CPU per delivered message.
 * - big room: SCALE_EDITORS editors (default 100, 1 change/s each) and SCALE_VIEWERS viewers
 *   (default 900) on 1 and on 3 instances: CPU of each instance against the single instance.
 *
 * SCALE_SCENARIOS=workshop,bigroom  SCALE_SECONDS=10 (steady state per run).
 * All clients live in this one process; its own lag is printed (a saturated generator makes
 * every latency look worse than the servers are).
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { getRecordsMap } from '@planboard/shared';
import { createBoardWithLinks } from '../support/server.js';
import { startCluster, type Cluster } from '../scale/cluster.js';
import { procCpuMicros } from './servers.js';
import { ascending, monotonicMs, quantile } from './stats.js';

process.setMaxListeners(0);
const SECONDS = Number(process.env.SCALE_SECONDS ?? 10);
const SCENARIOS = (process.env.SCALE_SCENARIOS ?? 'workshop,bigroom').split(',');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Client {
  index: number;
  instance: number;
  doc: Y.Doc;
  provider: WebsocketProvider;
}

interface Samples {
  sameInstance: number[];
  crossInstance: number[];
  cursorSame: number[];
  cursorCross: number[];
  /** Messages delivered to the clients of each instance. */
  deliveredPerInstance: number[];
  lateSendsMs: number[];
  measuring: boolean;
}

function connect(cluster: Cluster, boardId: string, token: string, index: number, instances: number, samples: Samples): Client {
  const instance = index % instances;
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(cluster.instances[instance]!.wsUrl, boardId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  getRecordsMap(doc).observe((event) => {
    if (event.transaction.local || !samples.measuring) return;
    const now = monotonicMs();
    for (const key of event.keysChanged) {
      const value = getRecordsMap(doc).get(key) as { sentAt?: number; instance?: number } | undefined;
      if (value?.sentAt === undefined) continue;
      (value.instance === instance ? samples.sameInstance : samples.crossInstance).push(now - value.sentAt);
      samples.deliveredPerInstance[instance]!++;
    }
  });
  provider.awareness.on('change', ({ updated }: { updated: number[] }) => {
    if (!samples.measuring) return;
    const now = monotonicMs();
    for (const id of updated) {
      if (id === doc.clientID) continue;
      const cursor = (provider.awareness.getStates().get(id) as { cursor?: { sentAt: number; instance: number } } | undefined)?.cursor;
      if (!cursor) continue;
      (cursor.instance === instance ? samples.cursorSame : samples.cursorCross).push(now - cursor.sentAt);
    }
  });
  return { index, instance, doc, provider };
}

function emptySamples(instances: number): Samples {
  return { sameInstance: [], crossInstance: [], cursorSame: [], cursorCross: [], deliveredPerInstance: Array(instances).fill(0), lateSendsMs: [], measuring: false };
}

/** Every sender changes its record once a second (and moves its cursor), staggered over the second. */
function drive(senders: Client[], samples: Samples, withCursor: boolean): () => void {
  const timers = senders.map((client, i) => {
    const period = 1_000;
    let next = monotonicMs() + (i * period) / senders.length;
    let round = 0;
    let timer: NodeJS.Timeout;
    const tick = () => {
      const now = monotonicMs();
      if (samples.measuring) samples.lateSendsMs.push(now - next);
      getRecordsMap(client.doc).set(`shape:bench-${client.index}`, {
        id: `shape:bench-${client.index}`,
        typeName: 'shape',
        type: 'geo',
        x: round,
        y: client.index,
        sentAt: now,
        instance: client.instance,
      });
      if (withCursor) client.provider.awareness.setLocalStateField('cursor', { x: round, y: client.index, sentAt: monotonicMs(), instance: client.instance });
      round++;
      next += period;
      timer = setTimeout(tick, Math.max(0, next - monotonicMs()));
    };
    timer = setTimeout(tick, Math.max(0, next - monotonicMs()));
    return () => clearTimeout(timer);
  });
  return () => timers.forEach((stop) => stop());
}

const fmt = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const p = (values: number[], q: number) => quantile(ascending(values), q);

interface RunResult {
  instances: number;
  samples: Samples;
  cpuMsPerInstance: number[];
}

async function run(instances: number, editors: number, viewers: number, withCursor: boolean): Promise<RunResult> {
  const cluster = await startCluster(instances, { BOARD_IDLE_MS: '60000' });
  try {
    const board = await createBoardWithLinks(cluster.instances[0]!, `bench ${instances}`);
    const samples = emptySamples(instances);
    const senders = Array.from({ length: editors }, (_, i) => connect(cluster, board.id, board.links.edit.token, i, instances, samples));
    const watchers = Array.from({ length: viewers }, (_, i) => connect(cluster, board.id, board.links.view.token, editors + i, instances, samples));
    const all = [...senders, ...watchers];
    for (const deadline = Date.now() + 60_000; !all.every((c) => c.provider.synced) && Date.now() < deadline; ) await sleep(50);
    const stop = drive(senders, samples, withCursor);
    await sleep(2_000); // warm-up
    const pids = cluster.instances.map((instance) => instance.process.pid!);
    const cpuBefore = pids.map(procCpuMicros);
    samples.measuring = true;
    await sleep(SECONDS * 1_000);
    samples.measuring = false;
    const cpuMsPerInstance = pids.map((pid, i) => (procCpuMicros(pid) - cpuBefore[i]!) / 1_000);
    stop();
    for (const client of all) {
      client.provider.destroy();
      client.doc.destroy();
    }
    return { instances, samples, cpuMsPerInstance };
  } finally {
    await cluster.stop();
  }
}

if (SCENARIOS.includes('workshop')) {
  const clients = Number(process.env.SCALE_WORKSHOP_CLIENTS ?? 30);
  console.log(`\n## Workshop: ${clients} clients, 1 change/s + 1 cursor move/s each, ${SECONDS} s\n`);
  console.log('| instances | change p50 same | change p99 same | change p50 cross | change p99 cross | cross-hop extra p99 | cursor p50 same / cross | CPU ms per delivered change (per instance) | generator lag p99 |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const instances of [1, 2, 3]) {
    const { samples, cpuMsPerInstance } = await run(instances, clients, 0, true);
    const perDelivered = cpuMsPerInstance.map((cpu, i) => cpu / Math.max(1, samples.deliveredPerInstance[i]!));
    const extra = p(samples.crossInstance, 0.99) - p(samples.sameInstance, 0.99);
    console.log(
      `| ${instances} | ${fmt(p(samples.sameInstance, 0.5))} | ${fmt(p(samples.sameInstance, 0.99))} | ${fmt(p(samples.crossInstance, 0.5))} | ${fmt(
        p(samples.crossInstance, 0.99),
      )} | ${fmt(extra)} | ${fmt(p(samples.cursorSame, 0.5))} / ${fmt(p(samples.cursorCross, 0.5))} | ${perDelivered
        .map((v) => v.toFixed(3))
        .join(' / ')} | ${fmt(p(samples.lateSendsMs, 0.99))} |`,
    );
  }
}

if (SCENARIOS.includes('bigroom')) {
  const editors = Number(process.env.SCALE_EDITORS ?? 100);
  const viewers = Number(process.env.SCALE_VIEWERS ?? 900);
  console.log(`\n## Big room: ${editors} editors (1 change/s) + ${viewers} viewers, ${SECONDS} s\n`);
  console.log('| instances | CPU ms per instance | busiest ÷ single instance | delivered changes | change p50 / p99 ms | generator lag p99 |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  let single = NaN;
  for (const instances of [1, 3]) {
    const { samples, cpuMsPerInstance } = await run(instances, editors, viewers, false);
    if (instances === 1) single = cpuMsPerInstance[0]!;
    const busiest = Math.max(...cpuMsPerInstance);
    const all = [...samples.sameInstance, ...samples.crossInstance];
    console.log(
      `| ${instances} | ${cpuMsPerInstance.map((v) => v.toFixed(0)).join(' / ')} | ${(busiest / single).toFixed(2)}× | ${samples.deliveredPerInstance.reduce(
        (a, b) => a + b,
        0,
      )} | ${fmt(p(all, 0.5))} / ${fmt(p(all, 0.99))} | ${fmt(p(samples.lateSendsMs, 0.99))} |`,
    );
  }
}
