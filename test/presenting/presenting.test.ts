import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { PRESENTING_MAP, getRecordsMap, readPresenting, type CreatedBoard, type LinkSummary } from '@planboard/shared';
import { connectClient, recordCloses, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer({ env: { BOARD_CREATIONS_PER_MINUTE: '100' } });
});
after(async () => {
  await server.stop();
  server.cleanup();
});

type LinkKind = keyof CreatedBoard['links'];

/** Someone calling the presenting routes with their link and presence identity. */
function person(board: CreatedBoard, link: LinkKind, name: string) {
  const userId = `user-${name.toLowerCase()}-${randomBytes(3).toString('hex')}`;
  const secret = randomBytes(24).toString('base64url');
  const token = board.links[link].token;
  const post = async (path: string, body: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/api/boards/${board.id}/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId, name, secret, ...body }),
    });
    const text = await response.text();
    return { status: response.status, message: text ? (JSON.parse(text) as { message?: string }).message ?? '' : '' };
  };
  return {
    userId,
    name,
    token,
    present: (action: 'start' | 'go' | 'stop', slideId?: string) => post('presenting', { action, slideId }),
    order: (slideIds: string[] | null) => post('presenting/order', { slideIds }),
    facilitate: (path: string, body: Record<string, unknown>) => post(`facilitation/${path}`, body),
  };
}

/** A roadmap board (three frames: Now, Next, Later), a stock client on its view link, and its frame ids. */
async function roadmap() {
  const board = await createBoardWithLinks(server, 'Q3 roadmap', 'roadmap');
  const watcher = connectClient(server.wsUrl, board.id, new Y.Doc(), board.links.view.token);
  await waitForSync(watcher.provider);
  const frames = [...getRecordsMap(watcher.doc).values()]
    .filter((r) => r['type'] === 'frame')
    .sort((a, b) => (a['x'] as number) - (b['x'] as number))
    .map((r) => r.id);
  assert.equal(frames.length, 3);
  return { board, watcher, frames };
}

test('an editor presents and moves the slides; a stock y-websocket client on a view link sees every move', async () => {
  const { board, watcher, frames } = await roadmap();
  const bo = person(board, 'edit', 'Bo');
  assert.equal((await bo.present('start', frames[0])).status, 204);
  await waitFor(() => readPresenting(watcher.doc).presentation?.slideId === frames[0], 'the viewer to see the first slide');
  const started = readPresenting(watcher.doc).presentation!;
  assert.deepEqual(started.presenter, { userId: bo.userId, name: 'Bo' });

  assert.equal((await bo.present('go', frames[2])).status, 204);
  await waitFor(() => readPresenting(watcher.doc).presentation?.slideId === frames[2], 'the viewer to see the third slide');
  assert.equal(readPresenting(watcher.doc).presentation!.id, started.id, 'one presentation throughout');

  assert.equal((await bo.present('stop')).status, 204);
  await waitFor(() => readPresenting(watcher.doc).presentation === null, 'the presentation to end for the viewer');
  watcher.provider.destroy();
});

test('a viewer can neither present, move, end nor arrange the slides', async () => {
  const { board, watcher, frames } = await roadmap();
  const vi = person(board, 'view', 'Vi');
  const start = await vi.present('start', frames[0]);
  assert.equal(start.status, 403);
  assert.match(start.message, /viewers/);
  assert.equal((await vi.order([frames[2]!, frames[0]!])).status, 403);

  const ada = person(board, 'owner', 'Ada');
  assert.equal((await ada.present('start', frames[0])).status, 204);
  assert.equal((await vi.present('go', frames[1])).status, 403);
  assert.equal((await vi.present('stop')).status, 403);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(readPresenting(watcher.doc).presentation?.slideId, frames[0], 'the viewer moved nothing');
  assert.equal(readPresenting(watcher.doc).order, null);
  watcher.provider.destroy();
});

test('only the presenter moves the slides; another editor waits, an owner may end it', async () => {
  const { board, watcher, frames } = await roadmap();
  const bo = person(board, 'edit', 'Bo');
  const cy = person(board, 'edit', 'Cy');
  const ada = person(board, 'owner', 'Ada');
  assert.equal((await bo.present('start', frames[0])).status, 204);
  const taken = await cy.present('start', frames[1]);
  assert.equal(taken.status, 409);
  assert.match(taken.message, /Bo is presenting/);
  assert.equal((await cy.present('go', frames[1])).status, 403);
  assert.equal((await cy.present('stop')).status, 403);
  assert.equal((await ada.present('stop')).status, 204);
  await waitFor(() => readPresenting(watcher.doc).presentation === null, 'the owner to end it');
  watcher.provider.destroy();
});

test('while someone holds the facilitator\'s chair, only the facilitator presents', async () => {
  const { board, watcher, frames } = await roadmap();
  const ada = person(board, 'owner', 'Ada');
  const bo = person(board, 'edit', 'Bo');
  assert.equal((await bo.facilitate('chair', { action: 'take' })).status, 204);
  await waitFor(() => (watcher.doc.getMap('facilitation').get('chair') as { name?: string } | undefined)?.name === 'Bo', 'the chair to be Bo\'s');

  const refused = await ada.present('start', frames[0]);
  assert.equal(refused.status, 403, 'not even an owner, while the chair is Bo\'s');
  assert.match(refused.message, /facilitator \(Bo\)/);
  assert.equal((await ada.order([frames[1]!])).status, 403);
  assert.equal((await bo.present('start', frames[0])).status, 204);
  assert.equal((await bo.order([frames[2]!, frames[1]!, frames[0]!])).status, 204);
  await waitFor(() => readPresenting(watcher.doc).presentation !== null && readPresenting(watcher.doc).order !== null, 'the presentation and order to arrive');
  assert.deepEqual(readPresenting(watcher.doc).order, [frames[2], frames[1], frames[0]]);
  watcher.provider.destroy();
});

test('the presenter\'s identity is checked: someone reusing their id with another secret is refused', async () => {
  const { board, watcher, frames } = await roadmap();
  const bo = person(board, 'edit', 'Bo');
  assert.equal((await bo.present('start', frames[0])).status, 204);
  const impostor = await fetch(`${server.url}/api/boards/${board.id}/presenting`, {
    method: 'POST',
    headers: { authorization: `Bearer ${board.links.edit.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: bo.userId, name: 'Bo', secret: randomBytes(24).toString('base64url'), action: 'go', slideId: frames[1] }),
  });
  assert.equal(impostor.status, 403);
  watcher.provider.destroy();
});

test('bad requests: a slide that is not a frame, a missing slide, unknown fields, no token', async () => {
  const { board, watcher, frames } = await roadmap();
  const bo = person(board, 'edit', 'Bo');
  const notFrame = await bo.present('start', 'shape:nope');
  assert.equal(notFrame.status, 400);
  assert.match(notFrame.message, /not a frame/);
  assert.equal((await bo.present('start')).status, 400);
  assert.equal((await bo.order(['shape:nope'])).status, 400);
  assert.equal((await bo.present('go', frames[0])).status, 409, 'nobody is presenting yet');
  const noToken = await fetch(`${server.url}/api/boards/${board.id}/presenting`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: bo.userId, name: 'Bo', secret: 'x'.repeat(20), action: 'stop' }),
  });
  assert.equal(noToken.status, 401);
  watcher.provider.destroy();
});

test('a client that saw the slides move comes back with its copy of the board (as after a reload) and is not refused', async () => {
  const { board, watcher, frames } = await roadmap();
  const bo = person(board, 'edit', 'Bo');
  assert.equal((await bo.present('start', frames[0])).status, 204);
  for (const frame of [frames[1], frames[2], frames[0]]) assert.equal((await bo.present('go', frame)).status, 204);
  await waitFor(() => readPresenting(watcher.doc).presentation?.slideId === frames[0], 'the last move');
  watcher.provider.destroy();
  // The same document, a new connection: its sync reply carries the overwritten slides (deleted items).
  const back = connectClient(server.wsUrl, board.id, watcher.doc, board.links.edit.token);
  const closes = recordCloses(back.provider);
  await waitForSync(back.provider);
  // A whole-state update, as a local copy loaded after connecting sends it.
  back.provider.ws!.send(Buffer.from([0, 2, ...encodeLength(Y.encodeStateAsUpdate(watcher.doc))]));
  assert.equal((await bo.present('go', frames[1])).status, 204);
  await waitFor(() => readPresenting(watcher.doc).presentation?.slideId === frames[1], 'the next move to reach the returning client');
  assert.deepEqual(closes, [], 'never closed');
  back.provider.destroy();
});

/** A y-protocols var-uint length prefix and the bytes (the sync message's payload). */
function encodeLength(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let n = bytes.length;
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return [...out, ...bytes];
}

test('a peer writing the presenting map is closed, and the presentation is unchanged', async () => {
  const { board, watcher, frames } = await roadmap();
  const bo = person(board, 'edit', 'Bo');
  assert.equal((await bo.present('start', frames[0])).status, 204);
  await waitFor(() => readPresenting(watcher.doc).presentation !== null, 'the presentation');
  const forger = connectClient(server.wsUrl, board.id, new Y.Doc(), board.links.edit.token);
  await waitForSync(forger.provider);
  const closes = recordCloses(forger.provider);
  forger.doc.getMap(PRESENTING_MAP).set('presentation', { id: 'x', presenter: { userId: 'me', name: 'Me' }, slideId: frames[2], startedAt: 0 });
  await waitFor(() => closes.length > 0, 'the forger to be closed');
  forger.provider.destroy();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(readPresenting(watcher.doc).presentation?.slideId, frames[0]);
  watcher.provider.destroy();
});

test('a view link made to open as a presentation says so to whoever opens it, and in the owner\'s list', async () => {
  const board = await createBoardWithLinks(server, 'Stakeholder review', 'roadmap');
  const create = (body: Record<string, unknown>, token = board.links.owner.token) =>
    fetch(`${server.url}/api/boards/${board.id}/links`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const made = await create({ role: 'viewer', label: 'Steering committee', presentation: true });
  assert.equal(made.status, 201);
  const link = (await made.json()) as LinkSummary & { token: string };
  assert.equal(link.presentation, true);
  // An editor may make one too (editors hand out view links).
  assert.equal((await create({ role: 'viewer', presentation: true }, board.links.edit.token)).status, 201);
  // Only view links open as a presentation.
  const edit = await create({ role: 'editor', presentation: true });
  assert.equal(edit.status, 400);

  const opens = async (token: string) =>
    ((await (await fetch(`${server.url}/api/boards/${board.id}/presenting/link`, { headers: { authorization: `Bearer ${token}` } })).json()) as { opensAsPresentation: boolean }).opensAsPresentation;
  assert.equal(await opens(link.token), true);
  assert.equal(await opens(board.links.view.token), false);
  assert.equal(await opens(board.links.edit.token), false);

  const listed = (await (await fetch(`${server.url}/api/boards/${board.id}/links`, { headers: { authorization: `Bearer ${board.links.owner.token}` } })).json()) as LinkSummary[];
  assert.equal(listed.find((l) => l.id === link.id)?.presentation, true);
  assert.equal(listed.find((l) => l.id === board.links.view.id)?.presentation, false);

  // Revoked, it opens nothing (and its option goes with it).
  assert.equal((await fetch(`${server.url}/api/boards/${board.id}/links/${link.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${board.links.owner.token}` } })).status, 204);
  assert.equal((await fetch(`${server.url}/api/boards/${board.id}/presenting/link`, { headers: { authorization: `Bearer ${link.token}` } })).status, 401);
});
