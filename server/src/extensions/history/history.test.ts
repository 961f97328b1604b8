import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import * as Y from 'yjs';
import { getRecordsMap, readVersion } from '@planboard/shared';
import { Relay } from '../../relay/relay.js';
import { MemoryBoardStore } from '../persistence/memory-store.js';
import { persistence } from '../persistence/extension.js';
import type { VersionRecord } from '../persistence/store.js';
import { History } from './history.js';
import { historyExtension } from './extension.js';

// The history on the relay core with an in-memory store: no build, no sockets. Changes are the
// server's own (`relay.change`), which open spells like a peer's.

const log = Fastify({ logger: false }).log;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store whose version writes take a while, like a busy database. */
class SlowVersionStore extends MemoryBoardStore {
  delayMs = 0;
  override async createVersion(version: VersionRecord, state: Uint8Array): Promise<void> {
    await sleep(this.delayMs);
    return super.createVersion(version, state);
  }
}

async function setup(options: { intervalMs?: number; boardIdleMs?: number } = {}) {
  const store = new SlowVersionStore();
  const history = new History({ store, log, intervalMs: options.intervalMs ?? 40, retentionDays: 30 });
  const relay = new Relay({
    log,
    extensions: [persistence({ store, log, flushIntervalMs: 5, compactAfterUpdates: 1000 }), historyExtension(history)],
    limits: {
      maxBufferedBytes: 1 << 24,
      maxEarlyFrames: 64,
      maxBoardBytes: 1 << 23,
      maxPendingBytesPerBoard: 1 << 18,
      maxPendingBytesPerConnection: 1 << 16,
      maxPendingUpdatesPerConnection: 16,
      maxAwarenessIdsPerConnection: 4,
      maxAwarenessStateBytes: 1 << 14,
      awarenessWindowMs: 10,
    },
    boardIdleMs: options.boardIdleMs ?? 60_000,
    pingIntervalMs: 60_000,
  });
  const boardId = 'history-unit';
  await store.createBoard({ id: boardId, title: 'Unit', createdAt: new Date().toISOString() }, [], null);
  const put = (id: string, x: number) =>
    relay.change(boardId, (doc: Y.Doc) => getRecordsMap(doc).set(id, { id, typeName: 'shape', type: 'geo', x, y: 0 }));
  const versions = () => store.listVersions(boardId);
  return { store, history, relay, boardId, put, versions, close: () => relay.close() };
}

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('a spell of changes ends in one automatic version; a change beside the records makes none', async () => {
  const h = await setup({ intervalMs: 100 });
  try {
    await h.put('shape:a', 1);
    await h.put('shape:b', 2);
    await until(async () => (await h.versions()).length === 1, 'the automatic version');
    await sleep(250);
    assert.equal((await h.versions()).length, 1, 'one version for the spell, none while the board rests');
    // Facilitation state lives beside the records: not worth a version of its own.
    await h.relay.change(h.boardId, (doc) => doc.getMap('facilitation').set('timer', 1));
    await sleep(250);
    assert.equal((await h.versions()).length, 1);
    await h.put('shape:a', 50);
    await until(async () => (await h.versions()).length === 2, 'the next spell’s version');
    const [latest] = await h.versions();
    assert.equal(latest!.kind, 'automatic');
    const state = await h.store.getVersion(h.boardId, latest!.id);
    assert.equal(readVersion(state!.state).records['shape:a']?.['x'], 50);
  } finally {
    await h.close();
  }
});

test('a change made while a version is being stored is kept for the next version', async () => {
  const h = await setup();
  try {
    h.store.delayMs = 150;
    await h.put('shape:a', 1);
    // The version of the first spell is being written when the next change arrives.
    await sleep(80);
    await h.put('shape:late', 2);
    await until(async () => (await h.versions()).length === 2, 'a second version for the late change');
    const [latest] = await h.versions();
    const held = readVersion((await h.store.getVersion(h.boardId, latest!.id))!.state).records;
    assert.ok('shape:late' in held, 'the late change is in a version');
  } finally {
    await h.close();
  }
});

test('a changed board leaving memory gets its version at once; an unchanged one does not', async () => {
  const h = await setup({ intervalMs: 60_000, boardIdleMs: 20 });
  try {
    await h.put('shape:a', 1);
    await until(async () => h.relay.size === 0, 'the board to unload');
    assert.deepEqual((await h.versions()).map((v) => v.kind), ['automatic']);
    // Read, not changed: loaded and unloaded again without a version.
    await h.relay.read(h.boardId, () => undefined);
    await until(async () => h.relay.size === 0, 'the board to unload again');
    assert.equal((await h.versions()).length, 1);
  } finally {
    await h.close();
  }
});
