import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { CloseCode, WS_SUBPROTOCOL } from '@planboard/shared';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { withTimeout } from '../support/raw-socket.js';

// Issue 11's smaller relay points: the websocket origin check compared the host only; behind a
// proxy every user shared the proxy's address for rate limits (one guesser behind an office NAT
// locked out everyone), and even a valid token was refused from a limited address; the
// subprotocol token was echoed back in the response header.

let server: RunningServer;
before(async () => {
  server = await startServer({ env: { AUTH_FAILURES_PER_MINUTE: '3' } });
});
after(async () => {
  await server.stop();
  server.cleanup();
});

/** Opens a websocket; resolves to 'open' or the close code the server gave. */
function attempt(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]): Promise<{ outcome: 'open' | number; protocolHeader: string | undefined; socket: WebSocket }> {
  const socket = new WebSocket(url, protocols, options);
  let protocolHeader: string | undefined;
  socket.on('upgrade', (response) => (protocolHeader = response.headers['sec-websocket-protocol'] as string | undefined));
  socket.on('error', () => undefined);
  return withTimeout(
    new Promise((resolve) => {
      // The server closes a refused socket right after opening it; an admitted one gets its sync step 1.
      socket.once('message', () => resolve({ outcome: 'open', protocolHeader, socket }));
      socket.once('close', (code) => resolve({ outcome: code, protocolHeader, socket }));
    }),
    5000,
    `websocket ${url}`,
  );
}

test('the websocket origin check compares scheme, host and port', async () => {
  const board = await createBoardWithLinks(server);
  const url = `${server.wsUrl}/${board.id}?token=${board.links.view.token}`;
  const own = `http://127.0.0.1:${server.port}`;
  const cases: [string, 'open' | number][] = [
    [own, 'open'],
    [`https://127.0.0.1:${server.port}`, CloseCode.forbidden],
    [`http://127.0.0.1:${server.port + 1}`, CloseCode.forbidden],
    ['http://127.0.0.1', CloseCode.forbidden],
    ['http://evil.example', CloseCode.forbidden],
  ];
  for (const [origin, expected] of cases) {
    const { outcome, socket } = await attempt(url, { origin });
    assert.equal(outcome, expected, origin);
    socket.close();
  }
});

test('the subprotocol token is accepted but never echoed: the answer is the fixed protocol name', async () => {
  const board = await createBoardWithLinks(server);
  const token = board.links.view.token;
  const withName = await attempt(`${server.wsUrl}/${board.id}`, {}, [WS_SUBPROTOCOL, token]);
  assert.equal(withName.outcome, 'open');
  assert.equal(withName.protocolHeader, WS_SUBPROTOCOL);
  withName.socket.close();
  // A client offering only the token gets no protocol back (and certainly not its token).
  const tokenOnly = await attempt(`${server.wsUrl}/${board.id}`, {}, [token]);
  assert.equal(tokenOnly.protocolHeader, undefined);
  tokenOnly.socket.close();
  assert.doesNotMatch(server.output(), new RegExp(token.split('.')[1]!), 'the token is not in the logs either');
});

test('a valid token from a rate-limited address is still accepted; wrong ones get 429', async () => {
  const board = await createBoardWithLinks(server);
  const get = (token: string) => fetch(`${server.url}/api/boards/${board.id}`, { headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; i < 3; i++) await get(`wrong-${i}`);
  assert.equal((await get('wrong-again')).status, 429);
  assert.equal((await get(board.links.edit.token)).status, 200);
  const valid = await attempt(`${server.wsUrl}/${board.id}?token=${board.links.edit.token}`);
  assert.equal(valid.outcome, 'open');
  valid.socket.close();
  const wrong = await attempt(`${server.wsUrl}/${board.id}?token=wrong`);
  assert.equal(wrong.outcome, CloseCode.rateLimited);
});

test('TRUST_PROXY: the client address comes from the trusted proxy, so one guesser does not lock out the office', async () => {
  const proxied = await startServer({ env: { AUTH_FAILURES_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1' } });
  try {
    const board = await createBoardWithLinks(proxied);
    const get = (forwardedFor: string, token: string) =>
      fetch(`${proxied.url}/api/boards/${board.id}`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': forwardedFor } });
    for (let i = 0; i < 3; i++) await get('203.0.113.7', `wrong-${i}`);
    assert.equal((await get('203.0.113.7', 'wrong')).status, 429, 'the guesser is limited');
    assert.equal((await get('203.0.113.8', 'mistyped')).status, 401, 'a colleague behind the same proxy is not');
    const ws = (forwardedFor: string, token: string) =>
      attempt(`${proxied.wsUrl}/${board.id}?token=${token}`, { headers: { 'x-forwarded-for': forwardedFor } });
    assert.equal((await ws('203.0.113.7', 'wrong')).outcome, CloseCode.rateLimited);
    const colleague = await ws('203.0.113.8', board.links.view.token);
    assert.equal(colleague.outcome, 'open');
    colleague.socket.close();
  } finally {
    await proxied.stop();
    proxied.cleanup();
  }
  // Without TRUST_PROXY, a forged X-Forwarded-For changes nothing: the limit follows the socket's address.
  const board = await createBoardWithLinks(server);
  const spoof = (forwardedFor: string, token: string) =>
    fetch(`${server.url}/api/boards/${board.id}`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': forwardedFor } });
  for (let i = 0; i < 4; i++) await spoof(`198.51.100.${i}`, `wrong-${i}`);
  assert.equal((await spoof('198.51.100.99', 'wrong')).status, 429);
});
