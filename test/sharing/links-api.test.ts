import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode, WS_SUBPROTOCOL, type CreatedBoard, type CreatedLink, type LinkSummary } from '@planboard/shared';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { openRawSocket, withTimeout } from '../support/raw-socket.js';
import { closeAll, connectClient, putShape, recordCloses, waitFor, waitForSync } from '../support/clients.js';
import { databaseBytes, openSqlite, rowsOfBoard, sqlitePath, storedRecords } from '../support/stored.js';

let server: RunningServer;
before(async () => {
  server = await startServer({ env: { AUTH_FAILURES_PER_MINUTE: '1000' } });
});
after(async () => {
  await server.stop();
  server.cleanup();
});

type Credential = 'none' | 'bad' | 'expired' | 'revoked' | 'viewer' | 'editor' | 'owner';
const CREDENTIALS: Credential[] = ['none', 'bad', 'expired', 'revoked', 'viewer', 'editor', 'owner'];

async function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function createLink(boardId: string, ownerToken: string, body: object): Promise<CreatedLink> {
  const response = await call('POST', `/api/boards/${boardId}/links`, ownerToken, body);
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as CreatedLink;
}

/** A fresh board and a token for each kind of credential. */
async function fixture(): Promise<{ board: CreatedBoard; tokens: Record<Credential, string | undefined> }> {
  const board = await createBoardWithLinks(server, 'Roles');
  const owner = board.links.owner.token;
  const expiring = await createLink(board.id, owner, { role: 'editor', expiresAt: new Date(Date.now() + 400).toISOString() });
  const revoked = await createLink(board.id, owner, { role: 'editor', label: 'to revoke' });
  assert.equal((await call('DELETE', `/api/boards/${board.id}/links/${revoked.id}`, owner)).status, 204);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expiring.expiresAt!) - Date.now() + 20)));
  return {
    board,
    tokens: {
      none: undefined,
      bad: `${board.links.owner.id}.${'A'.repeat(43)}`,
      expired: expiring.token,
      revoked: revoked.token,
      viewer: board.links.view.token,
      editor: board.links.edit.token,
      owner,
    },
  };
}

test('POST /api/boards returns the board with owner, edit and view links', async () => {
  const board = await createBoardWithLinks(server, 'Launch plan');
  assert.equal(board.title, 'Launch plan');
  for (const [key, role] of [['owner', 'owner'], ['edit', 'editor'], ['view', 'viewer']] as const) {
    const link = board.links[key];
    assert.equal(link.role, role);
    assert.match(link.token, /^[0-9a-z]{14}\.[A-Za-z0-9_-]{43}$/, 'URL-safe token with 256 random bits');
    assert.equal(link.url, `/b/${board.id}#${link.token}`);
  }
  assert.equal(new Set(Object.values(board.links).map((l) => l.token)).size, 3);
});

test('every route × every credential answers with the right status', async () => {
  const { board, tokens } = await fixture();
  const id = board.id;
  // Expected status per credential; 'ok' is the route's success status.
  const routes: { name: string; minimum: 'viewer' | 'editor' | 'owner'; ok: number; run: (token?: string) => Promise<Response> }[] = [
    { name: 'GET board', minimum: 'viewer', ok: 200, run: (t) => call('GET', `/api/boards/${id}`, t) },
    { name: 'PATCH board', minimum: 'editor', ok: 200, run: (t) => call('PATCH', `/api/boards/${id}`, t, { title: 'Renamed' }) },
    { name: 'GET links', minimum: 'owner', ok: 200, run: (t) => call('GET', `/api/boards/${id}/links`, t) },
    { name: 'POST view link', minimum: 'editor', ok: 201, run: (t) => call('POST', `/api/boards/${id}/links`, t, { role: 'viewer' }) },
    { name: 'POST edit link', minimum: 'owner', ok: 201, run: (t) => call('POST', `/api/boards/${id}/links`, t, { role: 'editor' }) },
    {
      name: 'DELETE link',
      minimum: 'owner',
      ok: 204,
      run: async (t) => {
        const target = await createLink(id, tokens.owner!, { role: 'viewer', label: 'disposable' });
        return call('DELETE', `/api/boards/${id}/links/${target.id}`, t);
      },
    },
  ];
  const rank = { viewer: 0, editor: 1, owner: 2 } as const;
  for (const route of routes) {
    for (const credential of CREDENTIALS) {
      const response = await route.run(tokens[credential]);
      let expected: number;
      if (credential === 'viewer' || credential === 'editor' || credential === 'owner') {
        expected = rank[credential] >= rank[route.minimum] ? route.ok : 403;
      } else {
        expected = 401;
      }
      const text = await response.text();
      assert.equal(response.status, expected, `${route.name} with ${credential} token: ${text}`);
      if (expected >= 400) assert.ok((JSON.parse(text) as { message: string }).message.length > 0, 'errors carry a message');
    }
  }
  // DELETE board last: it is the only route that destroys the fixture.
  for (const credential of CREDENTIALS.filter((c) => c !== 'owner')) {
    const response = await call('DELETE', `/api/boards/${id}`, tokens[credential]);
    assert.equal(response.status, credential === 'viewer' || credential === 'editor' ? 403 : 401, `DELETE board with ${credential}`);
  }
  assert.equal((await call('DELETE', `/api/boards/${id}`, tokens.owner)).status, 204);
  assert.equal((await call('GET', `/api/boards/${id}`, tokens.owner)).status, 404, 'the board is gone');
});

test('the websocket admits each credential with the right close code', async () => {
  const { board, tokens } = await fixture();
  for (const credential of ['none', 'bad', 'expired', 'revoked'] as const) {
    const query = tokens[credential] ? `?token=${tokens[credential]}` : '';
    const raw = await openRawSocket(`${server.wsUrl}/${board.id}${query}`);
    const closed = await withTimeout(raw.closed, 5000, `close for ${credential}`);
    assert.equal(closed.code, CloseCode.unauthorized, `${credential}: ${closed.reason}`);
    assert.ok(closed.reason.length > 0);
  }
  for (const credential of ['viewer', 'editor', 'owner'] as const) {
    const client = connectClient(server.wsUrl, board.id, undefined, tokens[credential]!);
    await waitForSync(client.provider);
    closeAll(client.provider);
  }
});

test('the token is also accepted as a websocket subprotocol, and never echoed back', async () => {
  const board = await createBoardWithLinks(server);
  const { default: WebSocket } = await import('ws');
  const socket = new WebSocket(`${server.wsUrl}/${board.id}`, [WS_SUBPROTOCOL, board.links.view.token]);
  const upgrade = new Promise<string | undefined>((resolve) => socket.once('upgrade', (response) => resolve(response.headers['sec-websocket-protocol'])));
  const firstMessage = await withTimeout(
    new Promise<Buffer>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(data));
      socket.once('close', (code) => reject(new Error(`closed ${code}`)));
    }),
    5000,
    'sync step 1 from the server',
  );
  assert.equal(firstMessage[0], 0, 'a sync message');
  assert.equal(await upgrade, WS_SUBPROTOCOL, 'the answer is the fixed protocol name, not the token');
  socket.close();
});

test('revoking a link closes its open websockets with 4401 within a second; expiry does too', async () => {
  const board = await createBoardWithLinks(server);
  const owner = board.links.owner.token;
  const stakeholder = await createLink(board.id, owner, { role: 'viewer', label: 'Stakeholders' });
  const expiring = await createLink(board.id, owner, { role: 'viewer', expiresAt: new Date(Date.now() + 1500).toISOString() });
  const revokedSocket = await openRawSocket(`${server.wsUrl}/${board.id}?token=${stakeholder.token}`);
  const expiringSocket = await openRawSocket(`${server.wsUrl}/${board.id}?token=${expiring.token}`);
  const editor = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  await waitForSync(editor.provider);
  const editorCloses = recordCloses(editor.provider);

  const revokedAt = Date.now();
  assert.equal((await call('DELETE', `/api/boards/${board.id}/links/${stakeholder.id}`, owner)).status, 204);
  const closed = await withTimeout(revokedSocket.closed, 1000, 'the revoked link to be cut off within one second');
  assert.equal(closed.code, CloseCode.unauthorized);
  assert.match(closed.reason, /revoked/);
  assert.ok(Date.now() - revokedAt < 1000);

  const expired = await withTimeout(expiringSocket.closed, 3000, 'the expired link to be cut off');
  assert.equal(expired.code, CloseCode.unauthorized);
  assert.match(expired.reason, /expired/);
  assert.ok(Date.now() >= Date.parse(expiring.expiresAt!));

  assert.deepEqual(editorCloses, [], 'other links keep working: the editor was never disconnected');
  const listed = (await (await call('GET', `/api/boards/${board.id}/links`, owner)).json()) as LinkSummary[];
  assert.deepEqual(listed.map((l) => l.label ?? '(none)').sort(), ['(none)', 'Edit link', 'Owner', 'View link']);
  assert.ok(listed.every((l) => !('token' in l)), 'tokens are never listed');
  closeAll(editor.provider);
});

test('deleting a board closes its sockets and removes its data', async () => {
  const board = await createBoardWithLinks(server);
  const editor = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  await waitForSync(editor.provider);
  putShape(editor.doc, 'shape:doomed', 1, 1);
  await waitFor(() => 'shape:doomed' in storedRecords(server.dataDir, board.id), 'the edit stored');
  await createLink(board.id, board.links.owner.token, { role: 'viewer', label: 'extra' });
  const before = rowsOfBoard(server.dataDir, board.id);
  assert.ok(before.boards === 1 && before.board_updates! > 0 && before.board_links! >= 4, `rows before: ${JSON.stringify(before)}`);
  const closedCodes = recordCloses(editor.provider);
  assert.equal((await call('DELETE', `/api/boards/${board.id}`, board.links.owner.token)).status, 204);
  await waitFor(() => closedCodes.includes(CloseCode.boardDeleted), 'the editor to be told the board was deleted');
  // Every row of the board is gone from every table of the SQLite file.
  const after = rowsOfBoard(server.dataDir, board.id);
  assert.deepEqual(after, Object.fromEntries(Object.keys(before).map((table) => [table, 0])), 'no row of the board is left');
  closeAll(editor.provider);
});

test('only a hash of each token is stored: no token or secret appears anywhere in the SQLite file', async () => {
  const board = await createBoardWithLinks(server, 'Secrets');
  const extra = await createLink(board.id, board.links.owner.token, { role: 'viewer', label: 'Stakeholders' });
  const tokens = [...Object.values(board.links).map((l) => l.token), extra.token];
  // The links work (so they are stored), then the file is read byte by byte.
  for (const token of tokens) assert.equal((await call('GET', `/api/boards/${board.id}`, token)).status, 200);
  const bytes = databaseBytes(server.dataDir);
  for (const token of tokens) {
    const secret = token.split('.')[1]!;
    assert.equal(bytes.indexOf(token), -1, 'a token is in the database');
    assert.equal(bytes.indexOf(secret), -1, 'a secret is in the database');
    assert.equal(bytes.indexOf(Buffer.from(secret, 'base64url')), -1, 'a secret\'s raw bytes are in the database');
  }
  // What is stored per link is a fixed-size digest, different for every link.
  const db = openSqlite(sqlitePath(server.dataDir), { readonly: true });
  try {
    const hashes = (db.prepare('SELECT secret_hash FROM board_links WHERE board_id = ?').all(board.id) as { secret_hash: Buffer }[]).map((r) => r.secret_hash);
    assert.equal(hashes.length, 4);
    assert.equal(new Set(hashes.map((h) => h.toString('hex'))).size, 4);
    assert.ok(hashes.every((h) => h.length === hashes[0]!.length && h.length >= 32), 'digests of one fixed size');
  } finally {
    db.close();
  }
});

test('link input is validated, and the last owner link cannot be revoked', async () => {
  const board = await createBoardWithLinks(server);
  const owner = board.links.owner.token;
  const post = (body: unknown) => call('POST', `/api/boards/${board.id}/links`, owner, body);
  assert.equal((await post({ role: 'admin' })).status, 400);
  assert.equal((await post({})).status, 400);
  assert.equal((await post({ role: 'viewer', expiresAt: 'tomorrow' })).status, 400);
  const past = await post({ role: 'viewer', expiresAt: new Date(Date.now() - 1000).toISOString() });
  assert.equal(past.status, 400);
  assert.match(((await past.json()) as { message: string }).message, /future/);
  assert.equal((await post({ role: 'viewer', label: 'x'.repeat(101) })).status, 400);
  const last = await call('DELETE', `/api/boards/${board.id}/links/${board.links.owner.id}`, owner);
  assert.equal(last.status, 409);
  assert.equal((await call('DELETE', `/api/boards/${board.id}/links/nope`, owner)).status, 404);
  assert.equal((await call('PATCH', `/api/boards/${board.id}`, owner, { title: '   ' })).status, 400);
});

test('tokens never reach the logs', async () => {
  const board = await createBoardWithLinks(server);
  await call('GET', `/api/boards/${board.id}`, board.links.owner.token);
  const client = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
  await waitForSync(client.provider);
  closeAll(client.provider);
  await fetch(`${server.url}/b/${board.id}?token=${board.links.view.token}`);
  const logs = server.output();
  for (const link of Object.values(board.links)) {
    assert.ok(!logs.includes(link.token), `the ${link.role} token appears in the logs`);
    assert.ok(!logs.includes(link.token.split('.')[1]!), `the ${link.role} secret appears in the logs`);
  }
  assert.match(logs, new RegExp(`/ws/${board.id}`), 'the websocket request itself is logged');
});
