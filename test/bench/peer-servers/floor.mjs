// The floor: about the least a websocket relay of the y-websocket protocol can spend, to put
// Planboard's numbers in proportion. Bare `ws`, in memory, no Y.Doc, no persistence, no auth.
//
// What it does, exactly (a room is the URL path, as with the classic server):
// - Document updates (sync messages of type 2) are forwarded as received, bytes untouched, to every
//   other peer of the room. Only a frame's first two varints (message type, sync type) are read.
// - Sync, so that joiners converge without a document on the server:
//   - a joiner's sync step 1 (its state vector) is forwarded to ONE peer of the room that is
//     itself synced (the longest connected one); that peer's sync step 2 (what the joiner lacks)
//     is forwarded to the joiner only (responses are matched to requests first-in first-out per
//     answering peer). If that peer leaves before answering, the request goes to the next one.
//   - a joiner in an empty room (or with no synced peer) gets an empty sync step 2 at once.
//   - every joiner is sent a sync step 1 with an empty state vector, so its answer (its whole
//     document, e.g. offline edits) is forwarded to the other peers like an update.
// - Awareness, de-duplicated: the stock client re-sends every awareness change it receives, so
//   the relay reads each awareness frame's (client id, clock) pairs and drops a frame that brings
//   no newer clock than the room has already seen; a frame with anything new is forwarded as
//   received to the other peers. The last frame of each client id is kept (when the frame is about
//   one client) and sent to joiners. A client id belongs to the connection that first sent it;
//   when that connection closes, the others get its removal (state null, clock + 1), as the
//   reference server does.
// - Writes to one peer are coalesced per event-loop turn: its TCP socket is corked at the first
//   frame and uncorked in setImmediate, so frames forwarded while the loop handles one round of
//   reads leave in one write (the frames themselves are untouched).
// - Nothing else: no heartbeat, no limits, no storage. Rooms are dropped when their last peer
//   leaves.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;

/** [sync, step 2, an empty Yjs update (no structs, empty delete set)] */
const EMPTY_STEP2 = encodeSync(SYNC_STEP2, new Uint8Array([0, 0]));
/** [sync, step 1, an empty state vector]: "send me everything you have". */
const EMPTY_STEP1 = encodeSync(SYNC_STEP1, new Uint8Array([0]));

function encodeSync(type, payload) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, type);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** @type {Map<string, Room>} */
const rooms = new Map();

/**
 * @typedef {{ socket: import('ws').WebSocket, net: import('node:net').Socket, corked: boolean, synced: boolean, pending: { joiner: Peer, step1: Uint8Array }[], owned: Set<number> }} Peer
 * @typedef {{ peers: Set<Peer>, clocks: Map<number, number>, lastFrame: Map<number, Uint8Array> }} Room
 */

/** @type {Peer[]} */
let corked = [];
function uncorkAll() {
  const peers = corked;
  corked = [];
  for (const peer of peers) {
    peer.corked = false;
    peer.net.uncork();
  }
}

function send(peer, data) {
  if (peer.socket.readyState !== 1) return;
  if (!peer.corked) {
    peer.corked = true;
    peer.net.cork();
    if (corked.push(peer) === 1) setImmediate(uncorkAll);
  }
  peer.socket.send(data, { binary: true });
}

function broadcast(room, from, data) {
  for (const peer of room.peers) if (peer !== from) send(peer, data);
}

/** Hands a joiner's step 1 to a synced peer, or answers it with an empty document. */
function route(room, joiner, step1) {
  for (const peer of room.peers) {
    if (peer !== joiner && peer.synced && peer.socket.readyState === 1) {
      peer.pending.push({ joiner, step1 });
      send(peer, step1);
      return;
    }
  }
  joiner.synced = true;
  send(joiner, EMPTY_STEP2);
}

function onAwareness(room, peer, frame) {
  const decoder = decoding.createDecoder(frame);
  decoding.readVarUint(decoder); // message type
  const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  const count = decoding.readVarUint(update);
  let fresh = false;
  let single = null;
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(update);
    const clock = decoding.readVarUint(update);
    const state = decoding.readVarString(update);
    const known = room.clocks.get(clientId);
    if (known !== undefined && clock <= known) continue;
    fresh = true;
    if (known === undefined) peer.owned.add(clientId);
    room.clocks.set(clientId, clock);
    if (state === 'null') room.lastFrame.delete(clientId);
    else if (count === 1) single = clientId;
  }
  if (!fresh) return;
  if (single !== null) room.lastFrame.set(single, frame);
  broadcast(room, peer, frame);
}

function onMessage(room, peer, data) {
  const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  if (type === MESSAGE_AWARENESS) return onAwareness(room, peer, frame);
  if (type !== MESSAGE_SYNC) return;
  const syncType = decoding.readVarUint(decoder);
  if (syncType === SYNC_STEP1) return route(room, peer, frame);
  if (syncType === SYNC_STEP2 && peer.pending.length > 0) {
    const { joiner } = peer.pending.shift();
    joiner.synced = true;
    return send(joiner, frame);
  }
  // An update, or a joiner's answer to EMPTY_STEP1: everyone else applies it as it is.
  broadcast(room, peer, frame);
}

function onClose(room, name, peer) {
  room.peers.delete(peer);
  for (const { joiner, step1 } of peer.pending) if (room.peers.has(joiner)) route(room, joiner, step1);
  if (peer.owned.size > 0) {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    const update = encoding.createEncoder();
    encoding.writeVarUint(update, peer.owned.size);
    for (const clientId of peer.owned) {
      const clock = (room.clocks.get(clientId) ?? 0) + 1;
      room.clocks.set(clientId, clock);
      room.lastFrame.delete(clientId);
      encoding.writeVarUint(update, clientId);
      encoding.writeVarUint(update, clock);
      encoding.writeVarString(update, 'null');
    }
    encoding.writeVarUint8Array(encoder, encoding.toUint8Array(update));
    broadcast(room, null, encoding.toUint8Array(encoder));
  }
  if (room.peers.size === 0) rooms.delete(name);
}

const server = http.createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, net, head) => wss.handleUpgrade(req, net, head, (socket) => connect(socket, req, net)));

function connect(socket, req, net) {
  const name = (req.url ?? '/').slice(1).split('?')[0];
  let room = rooms.get(name);
  if (!room) rooms.set(name, (room = { peers: new Set(), clocks: new Map(), lastFrame: new Map() }));
  const peer = { socket, net, corked: false, synced: false, pending: [], owned: new Set() };
  room.peers.add(peer);
  const joined = room;
  socket.on('message', (data) => onMessage(joined, peer, data));
  socket.on('close', () => onClose(joined, name, peer));
  socket.on('error', () => socket.terminate());
  send(peer, EMPTY_STEP1);
  for (const frame of room.lastFrame.values()) send(peer, frame);
}
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
