import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { updateTouchesMap } from './server-map-guard.js';

/** A server document with a facilitation map, and a peer that synced it. */
function setup() {
  const server = new Y.Doc();
  server.getMap('facilitation').set('chair', { userId: 'u1', name: 'Ada' });
  server.getMap('tl_records').set('shape:1', { id: 'shape:1' });
  const peer = new Y.Doc();
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(server));
  return { server, peer };
}

function changeOf(peer: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(peer);
  change();
  return Y.encodeStateAsUpdate(peer, before);
}

test('ordinary board edits pass', () => {
  const { server, peer } = setup();
  const update = changeOf(peer, () => peer.getMap('tl_records').set('shape:2', { id: 'shape:2' }));
  assert.equal(updateTouchesMap(server, update, 'facilitation'), false);
  const overwrite = changeOf(peer, () => peer.getMap('tl_records').set('shape:1', { id: 'shape:1', x: 4 }));
  assert.equal(updateTouchesMap(server, overwrite, 'facilitation'), false);
});

test('a peer overwriting a facilitation key is caught (its parent is only known through the document)', () => {
  const { server, peer } = setup();
  const update = changeOf(peer, () => peer.getMap('facilitation').set('chair', { userId: 'mallory', name: 'M' }));
  assert.equal(updateTouchesMap(server, update, 'facilitation'), true);
});

test('a peer adding a new facilitation key, or deleting one, is caught', () => {
  const { server, peer } = setup();
  assert.equal(updateTouchesMap(server, changeOf(peer, () => peer.getMap('facilitation').set('timer', { status: 'running' })), 'facilitation'), true);
  const { server: s2, peer: p2 } = setup();
  assert.equal(updateTouchesMap(s2, changeOf(p2, () => p2.getMap('facilitation').delete('chair')), 'facilitation'), true);
});

test('a facilitation map written on a board that has none yet is caught', () => {
  const server = new Y.Doc();
  const peer = new Y.Doc();
  const update = changeOf(peer, () => peer.getMap('facilitation').set('poker', { status: 'revealed' }));
  assert.equal(updateTouchesMap(server, update, 'facilitation'), true);
});

test('a peer that reloads resends what it got from the server (items and overwritten values): that passes', () => {
  const { server, peer } = setup();
  // The server overwrites a key twice: the earlier values are deleted items in both documents.
  const before = Y.encodeStateVector(server);
  server.getMap('facilitation').set('chair', { userId: 'u2', name: 'Bo' });
  server.getMap('facilitation').set('chair', { userId: 'u3', name: 'Cy' });
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(server, before));
  // Its whole state (as a local copy loads), and its sync reply (only the delete set is new to the server).
  assert.equal(updateTouchesMap(server, Y.encodeStateAsUpdate(peer), 'facilitation'), false);
  assert.equal(updateTouchesMap(server, Y.encodeStateAsUpdate(peer, Y.encodeStateVector(server)), 'facilitation'), false);
  // A real change on top is still caught.
  const forged = changeOf(peer, () => peer.getMap('facilitation').set('chair', { userId: 'mallory', name: 'M' }));
  assert.equal(updateTouchesMap(server, forged, 'facilitation'), true);
});
