// The bench's floor relay (test/bench/peer-servers/floor.mjs) keeps no document: this proves that
// stock y-websocket clients still converge through it, so its numbers are those of a working relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { waitFor } from '../support/clients.js';

const floorScript = fileURLToPath(new URL('../bench/peer-servers/floor.mjs', import.meta.url));

test('stock clients converge through the floor relay: joiners sync, offline edits spread, presence is cleared', async (t) => {
  const floor = spawn(process.execPath, [floorScript], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    floor.stdout.on('data', (chunk: Buffer) => {
      const match = /listening on (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    floor.once('exit', (code) => reject(new Error(`floor relay exited ${code}`)));
  });
  const providers: WebsocketProvider[] = [];
  t.after(() => {
    for (const provider of providers) {
      provider.destroy();
      provider.doc.destroy();
    }
    floor.kill();
  });
  const join = (doc = new Y.Doc()) => {
    const provider = new WebsocketProvider(`ws://127.0.0.1:${port}`, 'board', doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true });
    providers.push(provider);
    return provider;
  };
  const value = (provider: WebsocketProvider, key: string) => provider.doc.getMap('m').get(key);

  const a = join();
  await waitFor(() => a.synced, 'the first client to sync in an empty room');
  a.doc.getMap('m').set('x', 1);
  a.awareness.setLocalState({ name: 'a' });

  const b = join();
  await waitFor(() => b.synced && value(b, 'x') === 1, 'a joiner to get the board from a synced peer');
  await waitFor(() => (b.awareness.getStates().get(a.doc.clientID) as { name?: string } | undefined)?.name === 'a', "a joiner to see a's presence");
  b.doc.getMap('m').set('y', 2);
  await waitFor(() => value(a, 'y') === 2, 'an edit to reach the other peer');

  const offline = new Y.Doc();
  offline.getMap('m').set('z', 3);
  const c = join(offline);
  await waitFor(() => c.synced && value(c, 'x') === 1, 'a joiner with offline edits to sync');
  await waitFor(() => value(a, 'z') === 3 && value(b, 'z') === 3, "the joiner's offline edit to reach the others");

  a.destroy();
  await waitFor(() => !b.awareness.getStates().has(a.doc.clientID), "a's presence to be removed when it leaves");
  const d = join();
  await waitFor(() => d.synced, 'a joiner to sync after the first peer left');
  assert.deepEqual(d.doc.getMap('m').toJSON(), { x: 1, y: 2, z: 3 });
});
