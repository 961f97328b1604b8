import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { CloseCode, getRecordsMap } from '@planboard/shared';
import { closeAll, connectClient, putShape, waitFor, waitForSync } from '../support/clients.js';
import { boardSocketUrl, createBoard, startServer, type RunningServer } from '../support/server.js';
import { openRawSocket } from '../support/raw-socket.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Defect 1 of issue 11: updates whose dependencies are missing were merged into the board's
// whole pending set on every frame; ~21 KB of frames stalled an edit on *another* board for
// 12.8 s. Now such updates wait outside the document (a frame costs what it weighs), bounded per
// board and per connection, and a connection that keeps sending them is closed.

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

const syncUpdate = (update: Uint8Array) => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
};

let nextClient = 5_000_000;

/** An update that can never be integrated: its author's first change is never sent. */
function unintegrable(bytes: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = nextClient++;
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  getRecordsMap(doc).set('shape:base', { id: 'shape:base', typeName: 'shape' });
  getRecordsMap(doc).set('shape:payload', { id: 'shape:payload', typeName: 'shape', blob: 'x'.repeat(bytes) });
  doc.destroy();
  return syncUpdate(updates[1]!);
}

/** How long an edit of one client takes to reach another, in ms. */
async function editLatency(from: ReturnType<typeof connectClient>, to: ReturnType<typeof connectClient>, id: string): Promise<number> {
  const started = performance.now();
  putShape(from.doc, id, 1, 1);
  await waitFor(() => getRecordsMap(to.doc).has(id), `edit ${id} to arrive`, 10_000);
  return performance.now() - started;
}

test('an editor flooding unintegrable updates is cut off, and another board\'s edits stay under 50 ms (p90) meanwhile', async () => {
  const attacked = await createBoard(server, 'attacked');
  const bystander = await createBoard(server, 'bystander');
  const alice = connectClient(server.wsUrl, bystander);
  const bob = connectClient(server.wsUrl, bystander);
  const victim = connectClient(server.wsUrl, attacked);
  const fresh = connectClient(server.wsUrl, attacked);
  let flooder: ReturnType<typeof spawn> | null = null;
  try {
  await Promise.all([waitForSync(alice.provider), waitForSync(bob.provider), waitForSync(victim.provider)]);
  for (let i = 0; i < 5; i++) await editLatency(alice, bob, `shape:warmup-${i}`);

  const baseline: number[] = [];
  for (let i = 0; i < 20; i++) baseline.push(await editLatency(alice, bob, `shape:before-${i}`));

  // The hostile editor runs in its own process: its sending must not slow this one's clients.
  flooder = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./unintegrable-flood.ts', import.meta.url)), boardSocketUrl(server, attacked)], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const closes: number[] = [];
  let framesSent = 0;
  let output = '';
  flooder.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const match of chunk.toString().matchAll(/closed (\d+) (\d+)/g)) {
      closes.push(Number(match[1]));
      framesSent += Number(match[2]);
    }
  });
  await waitFor(() => output.includes('ready'), 'the flooder is ready', 30_000);
  await waitFor(() => closes.length >= 2, 'the flood is under way', 30_000);

  const latencies: number[] = [];
  for (let i = 0; i < 40; i++) {
    latencies.push(await editLatency(alice, bob, `shape:during-${i}`));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  flooder.kill();
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const p50 = (values: number[]) => sorted(values)[Math.floor(values.length / 2)]!;
  const worst = Math.max(...latencies);
  console.log(
    `another board's edit latency: before the flood p50 ${p50(baseline).toFixed(1)} ms, max ${Math.max(...baseline).toFixed(1)} ms; ` +
      `during it p50 ${p50(latencies).toFixed(1)} ms, max ${worst.toFixed(1)} ms (${framesSent} frames, ${closes.length} connections cut off)`,
  );

  assert.ok(closes.length >= 1 && closes.every((code) => code === CloseCode.malformed), `the flooding connections were closed as malformed: ${closes.join(',')}`);
  // Under 50 ms for nine edits in ten; the odd outlier on a machine shared with other work is
  // bounded too (before, one such flood held another board's edit for 12.8 s).
  const p90 = sorted(latencies)[Math.floor(latencies.length * 0.9)]!;
  assert.ok(p90 < 50, `another board's edits took ${p90.toFixed(1)} ms (p90) while the flood ran`);
  assert.ok(worst < 500, `another board's edit took ${worst.toFixed(1)} ms while the flood ran`);
  // The attacked board still works, and none of the flood reached it.
  putShape(victim.doc, 'shape:after', 2, 2);
  await waitForSync(fresh.provider);
  await waitFor(() => getRecordsMap(fresh.doc).has('shape:after'), 'the attacked board takes edits');
  assert.equal(getRecordsMap(fresh.doc).has('shape:payload'), false);
  } finally {
    flooder?.kill();
    closeAll(alice.provider, bob.provider, victim.provider, fresh.provider);
  }
});

test('a connection is closed long before its held updates reach 8 MiB', async () => {
  const boardId = await createBoard(server, 'held');
  const raw = await openRawSocket(boardSocketUrl(server, boardId));
  let sent = 0;
  const frame = unintegrable(50_000);
  while (raw.socket.readyState === raw.socket.OPEN && sent < 8 * 1024 * 1024) {
    raw.socket.send(unintegrable(50_000));
    sent += frame.length;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const { code } = await raw.closed;
  console.log(`connection closed after ${(sent / 1024).toFixed(0)} KiB of unintegrable updates`);
  assert.equal(code, CloseCode.malformed);
  assert.ok(sent <= 1024 * 1024, `closed after ${sent} bytes`);
});

test('an update that arrives before what it builds on waits, and both apply once the rest arrives', async () => {
  const boardId = await createBoard(server, 'reordered');
  const reader = connectClient(server.wsUrl, boardId);
  await waitForSync(reader.provider);
  const raw = await openRawSocket(boardSocketUrl(server, boardId));
  const author = new Y.Doc();
  const updates: Uint8Array[] = [];
  author.on('update', (update: Uint8Array) => updates.push(update));
  putShape(author, 'shape:first', 0, 0);
  putShape(author, 'shape:second', 1, 1);
  raw.socket.send(syncUpdate(updates[1]!));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(getRecordsMap(reader.doc).has('shape:second'), false, 'held, not applied');
  raw.socket.send(syncUpdate(updates[0]!));
  await waitFor(() => getRecordsMap(reader.doc).has('shape:second') && getRecordsMap(reader.doc).has('shape:first'), 'both applied in order');
  raw.socket.close();
  closeAll(reader.provider);
});
