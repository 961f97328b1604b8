/**
 * The Redis transport between instances, against a real Redis: the machine's (at REDIS_URL or
 * 127.0.0.1:6379, with a key prefix of this run's own) and, for the restart test, a private
 * redis-server on a free port. Without Redis the tests fail under CI and are skipped loudly
 * elsewhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import * as Y from 'yjs';
import { RedisBus, type BoardEntry, type ControlMessage } from './redis-bus.js';
import { testRedisUrl, withRedis } from './redis-for-tests.js';

const sharedUrl = testRedisUrl;
const quiet = { info: () => undefined, warn: () => undefined };

function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

/** A bus with everything it hears recorded. */
function instance(url: string, prefix: string, name: string, heartbeatMs?: number) {
  const heard = { entries: [] as BoardEntry[], control: [] as [ControlMessage, string][], gone: [] as string[], missed: [] as string[], reconnects: 0 };
  const bus = new RedisBus({
    url,
    prefix,
    instanceId: `${name}-${randomBytes(3).toString('hex')}`,
    log: quiet,
    heartbeatMs,
    onBoardEntry: (entry) => heard.entries.push(entry),
    onControl: (message, from) => heard.control.push([message, from]),
    onReconnected: () => heard.reconnects++,
    onInstanceGone: (id) => heard.gone.push(id),
    onBoardMissed: (id) => heard.missed.push(id),
  });
  return { bus, heard };
}

function edit(doc: Y.Doc, key: string, value: string): Uint8Array {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array) => (update = u);
  doc.once('update', capture);
  doc.getMap('cards').set(key, value);
  return update!;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

await withRedis('Redis fan-out bus', () => {
  describe('Redis fan-out bus', () => {
    const prefix = `planboard-test-${randomBytes(4).toString('hex')}:`;
    const a = instance(sharedUrl, prefix, 'a');
    const b = instance(sharedUrl, prefix, 'b');

    before(async () => {
      await Promise.all([a.bus.ready(), b.bus.ready()]);
    });
    after(async () => {
      await Promise.all([a.bus.close(), b.bus.close()]);
      const cleanup = new Redis(sharedUrl);
      const keys = await cleanup.keys(`${prefix}*`);
      if (keys.length > 0) await cleanup.del(...keys);
      cleanup.disconnect();
    });

    test('an update published on one instance reaches the other, once, and never its publisher', async () => {
      const doc = new Y.Doc();
      await a.bus.follow('board-1', Y.encodeStateVector(doc));
      await b.bus.follow('board-1', Y.encodeStateVector(doc));
      // a follows first, so it hears b's sync request (b, following later, starts after a's).
      await waitFor(() => a.heard.entries.some((e) => e.kind === 'sync' && e.boardId === 'board-1' && e.from === b.bus.instanceId), "a to hear b's sync request");
      const update = edit(doc, 'card', 'Login');
      const n = a.bus.publishUpdate('board-1', update);
      await waitFor(() => b.heard.entries.some((e) => e.kind === 'update'), 'the update at b');
      const received = b.heard.entries.filter((e) => e.kind === 'update');
      assert.equal(received.length, 1);
      assert.equal(received[0]!.from, a.bus.instanceId);
      assert.equal(received[0]!.n, n);
      assert.deepEqual([...received[0]!.data], [...update]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(a.heard.entries.filter((e) => e.from === a.bus.instanceId).length, 0, 'the publisher does not hear itself');
    });

    test('a board that is not followed is not heard; following it later starts from the follow', async () => {
      b.bus.publishUpdate('board-2', edit(new Y.Doc(), 'early', '1'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(a.heard.entries.filter((e) => e.boardId === 'board-2').length, 0);
      await a.bus.follow('board-2', Y.encodeStateVector(new Y.Doc()));
      const late = edit(new Y.Doc(), 'late', '2');
      b.bus.publishUpdate('board-2', late);
      await waitFor(() => a.heard.entries.some((e) => e.boardId === 'board-2' && e.kind === 'update'), 'the later update at a');
      const updates = a.heard.entries.filter((e) => e.boardId === 'board-2' && e.kind === 'update');
      assert.equal(updates.length, 1, 'only what was published after the follow');
      assert.deepEqual([...updates[0]!.data], [...late]);
      a.bus.unfollow('board-2');
      const before = a.heard.entries.length;
      b.bus.publishUpdate('board-2', edit(new Y.Doc(), 'after-unfollow', '3'));
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(a.heard.entries.length, before, 'nothing after unfollowing');
    });

    test('presence and "stored" confirmations travel on the board stream', async () => {
      await a.bus.follow('board-3', Y.encodeStateVector(new Y.Doc()));
      b.bus.publishAwareness('board-3', new Uint8Array([1, 2, 3]));
      b.bus.publishStored('board-3', 42);
      await waitFor(() => a.heard.entries.some((e) => e.boardId === 'board-3' && e.kind === 'stored'), 'the confirmation');
      const awareness = a.heard.entries.find((e) => e.boardId === 'board-3' && e.kind === 'awareness');
      assert.deepEqual([...awareness!.data], [1, 2, 3]);
      assert.equal(a.heard.entries.find((e) => e.boardId === 'board-3' && e.kind === 'stored')!.n, 42);
    });

    test('control messages reach every other instance within a second', async () => {
      const started = Date.now();
      await a.bus.publishControl({ kind: 'link-revoked', boardId: 'board-1', linkId: 'link-9' });
      await a.bus.publishControl({ kind: 'board-deleted', boardId: 'board-4' });
      await a.bus.publishControl({ kind: 'link-expired', boardId: 'board-1', linkId: 'link-7' });
      await waitFor(() => b.heard.control.length === 3, 'three control messages', 1_000);
      assert.ok(Date.now() - started < 1_000);
      assert.deepEqual(
        b.heard.control.map(([message, from]) => [message, from === a.bus.instanceId]),
        [
          [{ kind: 'link-revoked', boardId: 'board-1', linkId: 'link-9' }, true],
          [{ kind: 'board-deleted', boardId: 'board-4' }, true],
          [{ kind: 'link-expired', boardId: 'board-1', linkId: 'link-7' }, true],
        ],
      );
      assert.equal(a.heard.control.length, 0, 'not echoed to the publisher');
    });

    test('an instance that closes says goodbye at once', async () => {
      const c = instance(sharedUrl, prefix, 'c');
      await c.bus.ready();
      await c.bus.publishControl({ kind: 'board-deleted', boardId: 'nothing' });
      await waitFor(() => a.heard.control.some(([, from]) => from === c.bus.instanceId), 'a to know c');
      await c.bus.close();
      await waitFor(() => a.heard.gone.includes(c.bus.instanceId), 'a to hear that c left', 2_000);
    });

    test('an instance killed with SIGKILL is declared gone once its heartbeat lapses', async () => {
      const busModule = new URL('./redis-bus.ts', import.meta.url).href;
      const watcher = instance(sharedUrl, prefix, 'watcher', 100);
      await watcher.bus.ready();
      // Another instance in its own process: it announces itself, prints its id, and waits to be killed.
      const program = `
        const { RedisBus } = await import(${JSON.stringify(busModule)});
        const quiet = { info() {}, warn() {} };
        const bus = new RedisBus({ url: ${JSON.stringify(sharedUrl)}, prefix: ${JSON.stringify(prefix)}, instanceId: 'child-' + process.pid,
          log: quiet, heartbeatMs: 100, onBoardEntry() {}, onControl() {}, onReconnected() {}, onInstanceGone() {} });
        await bus.ready();
        await bus.publishControl({ kind: 'board-deleted', boardId: 'nothing' });
        console.log(bus.instanceId);
        setInterval(() => {}, 1000);`;
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
      const childId = await new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
      await waitFor(() => watcher.heard.control.some(([, from]) => from === childId), 'the watcher to see the child', 5_000);
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await waitFor(() => watcher.heard.gone.includes(childId), 'the child to be declared gone', 5_000);
      // Heartbeat key lives 3 beats; two consecutive misses are needed.
      assert.ok(Date.now() - killedAt >= 200, 'not before its heartbeat could lapse');
      await watcher.bus.close();
    });

    test('an instance that reads a board stream after entries it had not read were trimmed is told to resynchronise', async () => {
      await b.bus.follow('board-trim', Y.encodeStateVector(new Y.Doc()));
      // Another instance adds 1,200 entries at once (one transaction) to a stream that keeps
      // 600: b, blocked in its read meanwhile, finds the 600 after its position gone.
      const raw = new Redis(sharedUrl);
      const batch = raw.multi();
      for (let i = 1; i <= 1_200; i++) batch.xadd(`${prefix}board:board-trim`, 'MAXLEN', '600', '*', 'k', 'c', 'f', 'other-instance', 'n', String(i), 'd', '');
      await batch.exec();
      raw.disconnect();
      await waitFor(() => b.heard.missed.includes('board-trim'), 'b to notice what it missed', 3_000);
      assert.deepEqual(a.heard.missed, [], 'an instance that does not follow the board is not told');
      assert.deepEqual(b.heard.missed, ['board-trim'], 'boards read in time are not resynchronised');
    });
  });

  test('Redis restarted empty: updates published meanwhile are held, then delivered, and both sides are told to resync', async () => {
    const port = await freePort();
    const start = () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    let server = start();
    const url = `redis://127.0.0.1:${port}`;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const a = instance(url, 'p:', 'a');
    const b = instance(url, 'p:', 'b');
    try {
      await Promise.all([a.bus.ready(), b.bus.ready()]);
      const doc = new Y.Doc();
      await a.bus.follow('board', Y.encodeStateVector(doc));
      await b.bus.follow('board', Y.encodeStateVector(doc));
      server.kill('SIGKILL');
      await waitFor(() => !a.bus.connected && !b.bus.connected, 'both to notice');
      const held = [edit(doc, 'one', '1'), edit(doc, 'two', '2')];
      for (const update of held) b.bus.publishUpdate('board', update);
      server = start();
      await waitFor(() => a.heard.reconnects >= 1 && b.heard.reconnects >= 1, `both to reconnect and be told to resync (${a.heard.reconnects}, ${b.heard.reconnects}, ${a.bus.connected})`, 10_000);
      await waitFor(() => a.heard.entries.some((e) => e.kind === 'update'), 'the held updates to arrive', 5_000);
      const received = new Y.Doc();
      for (const e of a.heard.entries.filter((e) => e.kind === 'update')) Y.applyUpdate(received, e.data);
      assert.deepEqual(received.getMap('cards').toJSON(), { one: '1', two: '2' });
    } finally {
      await Promise.all([a.bus.close(), b.bus.close()]);
      server.kill('SIGKILL');
    }
  });
});
