/**
 * The fan-out's "stored" confirmations, against a real Redis (REDIS_URL or 127.0.0.1:6379, with
 * a key prefix of this run's own): a Fanout publishes them, a second bus on the same Redis
 * hears them as another instance would. Without Redis the test fails under CI and is skipped
 * loudly elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as Y from 'yjs';
import { Fanout, type FanoutHost } from './fanout.js';
import { RedisBus, type BoardEntry } from './redis-bus.js';
import { testRedisUrl, withRedis } from './redis-for-tests.js';

const url = testRedisUrl;
const quiet = { info: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The one board this instance has loaded, as the relay would present it. */
function hostOf(doc: Y.Doc): FanoutHost {
  return {
    loadedBoards: () => ['board'],
    stateVector: () => Y.encodeStateVector(doc),
    diff: (_board, stateVector) => Y.encodeStateAsUpdate(doc, stateVector),
    applyRemoteUpdate: (_board, update) => Y.applyUpdate(doc, update, 'remote'),
    applyRemoteAwareness: () => undefined,
    localAwareness: () => null,
    storeRescued: () => undefined,
    closeLink: () => undefined,
    expireLink: () => undefined,
    closeBoard: () => undefined,
  };
}

await withRedis('fan-out confirmations', () => {
  test('"stored" confirmations are spaced out, confirm only what was stored, and the last one goes out before the goodbye', async () => {
    const prefix = `planboard-test-${randomBytes(4).toString('hex')}:`;
    const heard: BoardEntry[] = [];
    const gone: string[] = [];
    const listener = new RedisBus({
      url,
      prefix,
      instanceId: 'listener',
      log: quiet,
      onBoardEntry: (entry) => heard.push(entry),
      onControl: () => undefined,
      onReconnected: () => undefined,
      onInstanceGone: (id) => gone.push(id),
    });
    const doc = new Y.Doc();
    const fanout = new Fanout(hostOf(doc), { redisUrl: url, prefix, failuresPerMinute: 100, log: quiet });
    try {
      await Promise.all([listener.ready(), fanout.bus.ready()]);
      await listener.follow('board', Y.encodeStateVector(new Y.Doc()));
      fanout.afterLoad('board');
      await sleep(100);
      // A busy board: an update published and its write done every 10 ms for a second, then one
      // more update that is published but not yet stored.
      const cards = doc.getMap('cards');
      let storedThrough = 0;
      for (let i = 0; i < 100; i++) {
        doc.once('update', (update: Uint8Array) => fanout.onLocalChange('board', update));
        cards.set(`card-${i}`, i);
        fanout.onStored('board');
        storedThrough = fanout.bus.lastCounter;
        await sleep(10);
      }
      doc.once('update', (update: Uint8Array) => fanout.onLocalChange('board', update));
      cards.set('unstored', true);
      const confirmations = () => heard.filter((entry) => entry.kind === 'stored');
      // One every 500 ms, not one per write: 100 writes in about a second give two or three.
      assert.ok(confirmations().length <= 3, `${confirmations().length} confirmations for 100 writes`);
      assert.ok(confirmations().length >= 1, 'the first write is confirmed at once');
      await fanout.close();
      await sleep(200);
      const all = confirmations();
      assert.ok(all.length <= 4, `${all.length} confirmations`);
      // The one waiting for its turn went out at close, before the goodbye, and confirms the last
      // stored update, not the unstored one published after it.
      assert.equal(all.at(-1)!.n, storedThrough);
      assert.ok(fanout.bus.lastCounter > storedThrough);
      assert.deepEqual(gone, [fanout.instanceId]);
      for (let i = 1; i < all.length; i++) assert.ok(all[i]!.n > all[i - 1]!.n, 'each confirmation confirms more');
    } finally {
      await fanout.close();
      await listener.close();
      const cleanup = new Redis(url);
      const keys = await cleanup.keys(`${prefix}*`);
      if (keys.length > 0) await cleanup.del(...keys);
      cleanup.disconnect();
    }
  });
});
