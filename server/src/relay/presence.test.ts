import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate as encodeStock } from 'y-protocols/awareness';
import { encodeAwarenessUpdate } from '../protocol/awareness.js';
import { Presence } from './presence.js';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

test('an unknown client\'s state at clock 0 is no news, as for y-protocols: the stock client drops it too', () => {
  // What the stock client sends on connect before anything is set: its initial state at clock 0.
  const joiner = new Awareness(new Y.Doc());
  const initial = encodeStock(joiner, [joiner.clientID]);
  const peer = new Awareness(new Y.Doc());
  applyAwarenessUpdate(peer, initial, 'server');
  assert.equal(peer.getStates().has(joiner.clientID), false, 'a stock peer ignores it');

  const presence = new Presence();
  assert.equal(presence.isStale(initial), true, 'the relay skips it unparsed');
  assert.equal(presence.isNews(joiner.clientID, 0, json({})), false);
  // Once the client says something (clock 1), it is news, and a stock peer takes it.
  joiner.setLocalStateField('user', { name: 'Ada' });
  const named = encodeStock(joiner, [joiner.clientID]);
  assert.equal(presence.isStale(named), false);
  assert.equal(presence.isNews(joiner.clientID, 1, json({ user: { name: 'Ada' } })), true);
  applyAwarenessUpdate(peer, named, 'server');
  assert.equal(peer.getStates().has(joiner.clientID), true);
});

test('echoes of known states are stale; a newer clock or a removal at the same clock is news', () => {
  const presence = new Presence();
  const owner = {};
  presence.set([{ clientId: 7, clock: 3, json: json({ cursor: 1 }) }], owner);
  assert.equal(presence.isStale(encodeAwarenessUpdate([{ clientId: 7, clock: 3, json: json({ cursor: 1 }) }])), true);
  assert.equal(presence.isStale(encodeAwarenessUpdate([{ clientId: 7, clock: 4, json: json({ cursor: 2 }) }])), false);
  assert.equal(presence.isNews(7, 3, json(null)), true, 'a removal at the same clock');
  // A frame mixing an unknown client's clock-0 state with news is judged in full.
  assert.equal(presence.isStale(encodeAwarenessUpdate([{ clientId: 9, clock: 0, json: json({}) }, { clientId: 7, clock: 5, json: json({}) }])), false);
});
