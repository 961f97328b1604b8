import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { RemoteAwarenessClients } from './awareness-clients.js';

const created: Awareness[] = [];
// Each awareness keeps a timer until destroyed.
after(() => created.forEach((awareness) => awareness.destroy()));

/** A stock awareness of one client, as a browser tab has. */
function client(id: number, cursor: { x: number; y: number }) {
  const doc = new Y.Doc();
  doc.clientID = id;
  const awareness = new Awareness(doc);
  created.push(awareness);
  awareness.setLocalState({ cursor });
  return { awareness, update: () => encodeAwarenessUpdate(awareness, [id]) };
}

test('the clients of an instance that died are removed, at the clock last seen', () => {
  const alice = client(1, { x: 1, y: 1 });
  const bob = client(2, { x: 2, y: 2 });
  const viewer = new Awareness(new Y.Doc());
  created.push(viewer);
  const remote = new RemoteAwarenessClients();
  for (const c of [alice, bob]) {
    remote.note('instance-b', c.update());
    applyAwarenessUpdate(viewer, c.update(), 'remote');
  }
  alice.awareness.setLocalState({ cursor: { x: 5, y: 5 } });
  remote.note('instance-b', alice.update());
  applyAwarenessUpdate(viewer, alice.update(), 'remote');
  assert.deepEqual([...viewer.getStates().keys()].sort(), [1, 2, viewer.clientID].sort());
  const removal = remote.removeInstance('instance-b');
  assert.ok(removal);
  applyAwarenessUpdate(viewer, removal, 'remote');
  assert.deepEqual([...viewer.getStates().keys()], [viewer.clientID], 'both cursors are gone');
  assert.equal(remote.removeInstance('instance-b'), null, 'forgotten once removed');
});

test('a client that left normally, or moved to another instance, is not removed with its old instance', () => {
  const alice = client(1, { x: 1, y: 1 });
  const bob = client(2, { x: 2, y: 2 });
  const remote = new RemoteAwarenessClients();
  remote.note('instance-b', alice.update());
  remote.note('instance-b', bob.update());
  // Alice reconnected to this instance; Bob closed his tab.
  remote.note(null, alice.update());
  removeAwarenessStates(bob.awareness, [2], 'left');
  remote.note('instance-b', encodeAwarenessUpdate(bob.awareness, [2]));
  assert.equal(remote.removeInstance('instance-b'), null);
  assert.deepEqual(remote.instances, []);
});
