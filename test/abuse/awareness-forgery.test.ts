import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as encoding from 'lib0/encoding';
import { CloseCode } from '@planboard/shared';
import { closeAll, connectClient, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { openRawSocket, withTimeout, type RawSocket } from '../support/raw-socket.js';

// Defect 4 of issue 11: the server applied awareness updates for client ids owned by other
// connections (a viewer could replace the owner's name, colour and cursor, and the stock client
// adopted the forgery as its own state); the per-connection id cap forgot removed ids; and a
// state could be megabytes (8 states of 6 MB raised RSS by 200 MB and sent 50 MB to a joiner).

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

type State = { user?: { name?: string; role?: string } } | null;

function awarenessFrame(states: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, states.length);
  for (const { clientId, clock, state } of states) {
    encoding.writeVarUint(update, clientId);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, 1);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

async function joined(url: string): Promise<RawSocket> {
  const raw = await openRawSocket(url);
  await waitFor(() => raw.received.length > 0, 'the server greets');
  return raw;
}

test('a viewer cannot write the owner\'s presence, whatever clock it claims', async () => {
  const board = await createBoardWithLinks(server);
  const owner = connectClient(server.wsUrl, board.id, undefined, board.links.owner.token);
  const watcher = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  await Promise.all([waitForSync(owner.provider), waitForSync(watcher.provider)]);
  owner.provider.awareness.setLocalStateField('user', { name: 'Olga', color: '#123456' });
  const ownerId = owner.doc.clientID;
  const seen = () => watcher.provider.awareness.getStates().get(ownerId) as State | undefined;
  await waitFor(() => seen()?.user?.name === 'Olga', 'the owner in the watcher\'s presence');

  const viewer = await joined(`${server.wsUrl}/${board.id}?token=${board.links.view.token}`);
  const clock = owner.provider.awareness.meta.get(ownerId)!.clock;
  viewer.socket.send(awarenessFrame([{ clientId: ownerId, clock: clock + 10, state: { user: { name: 'Mallory', color: '#ff0000' } } }]));
  // Also a removal of the owner's state, and a state for a fresh id of its own (allowed).
  viewer.socket.send(awarenessFrame([{ clientId: ownerId, clock: clock + 20, state: null }]));
  viewer.socket.send(awarenessFrame([{ clientId: 424242, clock: 1, state: { user: { name: 'Vic' } } }]));
  await waitFor(() => (watcher.provider.awareness.getStates().get(424242) as State | undefined)?.user?.name === 'Vic', 'the viewer\'s own presence');

  assert.equal(seen()?.user?.name, 'Olga', 'the owner\'s presence is untouched for everyone else');
  assert.equal((owner.provider.awareness.getLocalState() as State)?.user?.name, 'Olga', 'the owner\'s client kept its own state');
  assert.equal((watcher.provider.awareness.getStates().get(424242) as State)?.user?.role, 'viewer');
  assert.notEqual(viewer.socket.readyState, viewer.socket.CLOSED, 'echo-like writes are dropped, not punished');
  viewer.socket.close();
  closeAll(owner.provider, watcher.provider);
});

test('the per-connection id cap counts ids still remembered: removing states does not free room for more', async () => {
  const board = await createBoardWithLinks(server);
  const raw = await joined(`${server.wsUrl}/${board.id}?token=${board.links.edit.token}`);
  const ids = Array.from({ length: 8 }, (_, i) => 900_000 + i);
  raw.socket.send(awarenessFrame(ids.map((clientId) => ({ clientId, clock: 1, state: { user: { name: `n${clientId}` } } }))));
  raw.socket.send(awarenessFrame(ids.map((clientId) => ({ clientId, clock: 2, state: null }))));
  // Its own ids again: fine.
  raw.socket.send(awarenessFrame([{ clientId: ids[0]!, clock: 3, state: { user: { name: 'back' } } }]));
  // A ninth id: refused.
  raw.socket.send(awarenessFrame([{ clientId: 999_999, clock: 1, state: { user: { name: 'one too many' } } }]));
  const { code, reason } = await withTimeout(raw.closed, 5000, 'close after the ninth id');
  assert.equal(code, CloseCode.malformed);
  assert.match(reason, /too many awareness clients/);
});

test('an awareness state over the size limit is not kept, relayed or sent to joiners', async () => {
  const board = await createBoardWithLinks(server);
  const watcher = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  await waitForSync(watcher.provider);
  const raw = await joined(`${server.wsUrl}/${board.id}?token=${board.links.edit.token}`);
  const huge = { user: { name: 'Big' }, blob: 'x'.repeat(1024 * 1024) };
  for (let i = 0; i < 6; i++) raw.socket.send(awarenessFrame([{ clientId: 700_000 + i, clock: 1, state: huge }]));
  raw.socket.send(awarenessFrame([{ clientId: 700_100, clock: 1, state: { user: { name: 'Small' } } }]));
  await waitFor(() => watcher.provider.awareness.getStates().has(700_100), 'the small state arrives');
  for (let i = 0; i < 6; i++) assert.equal(watcher.provider.awareness.getStates().has(700_000 + i), false, 'no huge state relayed');

  const joiner = await joined(`${server.wsUrl}/${board.id}?token=${board.links.view.token}`);
  await waitFor(() => joiner.received.some((frame) => frame[0] === 1), 'who is here');
  const greeting = joiner.received.filter((frame) => frame[0] === 1).reduce((sum, frame) => sum + frame.length, 0);
  console.log(`a joiner's presence greeting: ${greeting} bytes (6 states of 1 MiB were sent)`);
  assert.ok(greeting < 16 * 1024, `the joiner got ${greeting} bytes of presence`);
  raw.socket.close();
  joiner.socket.close();
  closeAll(watcher.provider);
});
