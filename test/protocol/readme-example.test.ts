import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import type { BoardExport } from '@planboard/shared';
import { createBoardWithLinks, startServer } from '../support/server.js';
import { waitFor } from '../support/clients.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The README's client example: the fenced block after its `readme-example` marker, verbatim. */
function readmeExample(): string {
  const match = /<!-- readme-example[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, 'README.md has no readme-example block');
  return match[1]!;
}

test("the README's WebsocketProvider example joins a board with its link token and syncs it", async (t) => {
  const server = await startServer();
  t.after(async () => {
    await server.stop();
    server.cleanup();
  });
  const board = await createBoardWithLinks(server, 'README example', 'story-map');
  const snippet = readmeExample();
  assert.match(snippet, /new WebsocketProvider\('ws:\/\/localhost:3000\/ws', boardId, doc, \{ params: \{ token \} \}\)/);

  // The block runs as a module of its own. Only the server's address differs from the README (the
  // test server listens on a free port); boardId and token come from the board's edit link, as a
  // reader would take them from /b/<boardId>#<token>. Node 20 has no global WebSocket: the prelude
  // gives it the `ws` one, as the README says.
  const dir = fileURLToPath(new URL('../.tmp/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}readme-example-${process.pid}.mjs`;
  const source = [
    `globalThis.WebSocket ??= (await import('ws')).WebSocket;`,
    `const boardId = ${JSON.stringify(board.id)};`,
    `const token = ${JSON.stringify(board.links.edit.token)};`,
    snippet.replace('ws://localhost:3000/ws', server.wsUrl),
    'export { doc, provider };',
  ].join('\n');
  writeFileSync(file, source);
  const logged: string[] = [];
  const log = t.mock.method(console, 'log', (...args: unknown[]) => void logged.push(args.join(' ')));
  const { doc, provider } = (await import(pathToFileURL(file).href)) as { doc: Y.Doc; provider: WebsocketProvider };
  t.after(() => {
    provider.destroy();
    doc.destroy(); // stops the awareness timer the provider started
    rmSync(file, { force: true });
  });

  await waitFor(() => provider.synced, 'the README example to sync');
  const exported = (await (await fetch(`${server.url}/api/boards/${board.id}/export.json`, { headers: { authorization: `Bearer ${board.links.view.token}` } })).json()) as BoardExport;
  const stored = Object.keys(exported.records).length;
  assert.ok(stored > 0, 'the story-map template stores records');
  assert.equal(doc.getMap('tl_records').size, stored);
  await waitFor(() => logged.length > 0, 'the example to log the records');
  log.mock.restore();
  assert.deepEqual(logged, [`${stored} records on the board`]);
});

test('without the token the same example is refused (close 4401) and never syncs', async (t) => {
  const server = await startServer();
  t.after(async () => {
    await server.stop();
    server.cleanup();
  });
  const board = await createBoardWithLinks(server, 'README example, no token');
  const { WebsocketProvider } = await import('y-websocket');
  const { WebSocket } = await import('ws');
  const Yjs = await import('yjs');
  const doc = new Yjs.Doc();
  // The README's call with the options object left out: what the example said before.
  const provider = new WebsocketProvider(server.wsUrl, board.id, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, connect: false });
  const closes: number[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push(event.code);
  });
  provider.connect();
  t.after(() => {
    provider.destroy();
    doc.destroy();
  });
  await waitFor(() => closes.length > 0, 'the server to close the connection');
  assert.equal(closes[0], 4401);
  assert.equal(provider.synced, false);
});
