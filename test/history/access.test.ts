import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { getRecordsMap } from '@planboard/shared';
import { closeAll, putShape, waitFor } from '../support/clients.js';
import { boardSocketUrl, createBoardWithLinks, startServer } from '../support/server.js';
import { call, history, person, waitForServer } from './support.js';

const MARKER = 'DRAFT-BUDGET-7f3a9c1e';

test('a viewer gets 403 on every history route, and no version bytes ever reach its socket', async () => {
  const server = await startServer();
  const clients: Awaited<ReturnType<typeof person>>[] = [];
  let viewerSocket: WebSocket | null = null;
  try {
    const board = await createBoardWithLinks(server, 'Roadmap', 'sprint');
    const ada = await person(server, board.id, board.links.owner.token, 'Ada');
    clients.push(ada);
    // A draft card, kept in a version, then deleted from the live board.
    getRecordsMap(ada.doc).set('shape:draft', { ...shapeWithNote(MARKER) });
    const api = history(server, board.id, board.links.edit.token);
    await waitForServer(server, board.id, board.links.edit.token, (records) => 'shape:draft' in records);
    const draft = await api.name('Draft with budget');
    assert.equal(draft.status, 201);
    const content = await api.content(draft.body.id);
    assert.ok(Buffer.from(content.body).includes(MARKER), 'the version holds the draft (so its absence below means something)');
    getRecordsMap(ada.doc).delete('shape:draft');
    putShape(ada.doc, 'shape:public', 10, 10);
    await waitForServer(server, board.id, board.links.edit.token, (records) => !('shape:draft' in records) && 'shape:public' in records);

    // The viewer's socket, every byte it receives recorded.
    const received: Buffer[] = [];
    viewerSocket = new WebSocket(boardSocketUrl(server, board.id, 'view'));
    viewerSocket.on('message', (data: Buffer) => received.push(Buffer.from(data)));
    await new Promise((resolve, reject) => {
      viewerSocket!.once('open', resolve);
      viewerSocket!.once('error', reject);
    });

    const viewer = board.links.view.token;
    const base = `/api/boards/${board.id}/history`;
    const routes: [string, string, unknown?][] = [
      ['GET', base],
      ['POST', base, { name: 'Sneaky' }],
      ['POST', base, { kind: 'before-template' }],
      ['PATCH', `${base}/${draft.body.id}`, { name: 'Renamed' }],
      ['GET', `${base}/${draft.body.id}`],
      ['POST', `${base}/${draft.body.id}/restore`],
      ['POST', `${base}/${draft.body.id}/undo`],
      ['POST', `${base}/${draft.body.id}/copy`, {}],
    ];
    for (const [method, path, body] of routes) {
      const answer = await call<{ message: string }>(server, method, path, viewer, body);
      assert.equal(answer.status, 403, `${method} ${path} as a viewer`);
      assert.match(answer.body.message, /needs the editor role/);
      const anonymous = await call(server, method, path, null, body);
      assert.equal(anonymous.status, 401, `${method} ${path} without a token`);
    }
    // Editors use history meanwhile: list, read, name, copy; none of it goes over the socket.
    assert.equal((await api.list()).status, 200);
    assert.equal((await api.content(draft.body.id)).status, 200);
    assert.equal((await api.name('After review')).status, 201);
    const copy = await call(server, 'POST', `${base}/${draft.body.id}/copy`, board.links.edit.token, {});
    assert.equal(copy.status, 201);
    putShape(ada.doc, 'shape:later', 20, 20);
    await waitFor(() => received.some((frame) => frame.includes('shape:later')), 'the viewer to get live edits');

    const all = Buffer.concat(received);
    assert.ok(!all.includes(MARKER), "the deleted draft's text never reached the viewer");
    assert.ok(!all.includes(Buffer.from(content.body.subarray(0, 64))), 'no version state was sent to the viewer');
    assert.equal((await api.list()).body.versions.filter((v) => v.name === 'Sneaky').length, 0, "the viewer's attempts changed nothing");
  } finally {
    viewerSocket?.close();
    closeAll(...clients.map((c) => c.provider));
    await server.stop();
    server.cleanup();
  }
});

test('bad requests get a 4xx with a message', async () => {
  const server = await startServer();
  try {
    const board = await createBoardWithLinks(server, 'Roadmap', 'sprint');
    const token = board.links.edit.token;
    const base = `/api/boards/${board.id}/history`;
    const unknown = await call<{ message: string }>(server, 'GET', `${base}/nope`, token);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /no such version/);
    assert.equal((await call(server, 'POST', `${base}/nope/restore`, token)).status, 404);
    assert.equal((await call(server, 'GET', `${base}/${'x'.repeat(80)}`, token)).status, 400);
    assert.equal((await call(server, 'POST', base, token, {})).status, 400, 'a named version needs a name');
    assert.equal((await call(server, 'POST', base, token, { name: '   ' })).status, 400);
    assert.equal((await call(server, 'POST', base, token, { name: 'x'.repeat(101) })).status, 400);
    assert.equal((await call(server, 'POST', base, token, { kind: 'automatic' })).status, 400, 'only the server takes automatic versions');
    const named = await call<{ id: string }>(server, 'POST', base, token, { name: 'One' });
    const undoWrong = await call<{ message: string }>(server, 'POST', `${base}/${named.body.id}/undo`, token);
    assert.equal(undoWrong.status, 404);
    assert.match(undoWrong.body.message, /not the one left by a restore/);
    // Naming a version taken automatically keeps it for good.
    const template = await call<{ id: string; name: string | null }>(server, 'POST', base, token, { kind: 'before-template' });
    const renamed = await call<{ id: string; name: string; kind: string }>(server, 'PATCH', `${base}/${template.body.id}`, token, { name: '  Sprint 14 start\u0007 ' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'Sprint 14 start', 'trimmed, control characters removed');
    assert.equal(renamed.body.kind, 'before-template');
    assert.equal((await call(server, 'PATCH', `${base}/nope`, token, { name: 'x' })).status, 404);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

function shapeWithNote(note: string) {
  return {
    id: 'shape:draft',
    typeName: 'shape',
    type: 'geo',
    x: 0,
    y: 0,
    rotation: 0,
    parentId: 'page:page',
    index: 'a1',
    props: { w: 100, h: 80, geo: 'rectangle', color: 'black' },
    meta: { note },
  };
}
