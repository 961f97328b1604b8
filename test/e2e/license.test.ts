import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import WebSocket from 'ws';
import type { ClientConfig } from '@planboard/shared';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, screenshot } from './browser.js';

// tldraw refuses to run without a license key over https on a public host. The browser here
// believes it is on https://plan.example.com: every request (and the board's websocket) is
// carried to the real server by the test, so the page sees exactly what a deployment serves.

const PUBLIC = 'https://plan.example.com';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function publicVisitor(server: RunningServer): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  await context.addInitScript(() => {
    localStorage.setItem('planboard:user', JSON.stringify({ id: crypto.randomUUID(), name: 'Pat', color: '#1971c2' }));
  });
  await context.route(`${PUBLIC}/**`, async (route) => {
    const url = new URL(route.request().url());
    try {
      const response = await route.fetch({ url: server.url + url.pathname + url.search });
      await route.fulfill({ response });
    } catch {
      // The page was closed while a request (e.g. a font) was in flight.
    }
  });
  await context.routeWebSocket((url) => url.origin === PUBLIC.replace('https', 'wss'), (ws) => {
    const upstream = new WebSocket(server.wsUrl.replace(/\/ws$/, '') + new URL(ws.url()).pathname + new URL(ws.url()).search, { origin: server.url });
    upstream.binaryType = 'nodebuffer';
    const pending: (string | Buffer)[] = [];
    upstream.on('open', () => pending.splice(0).forEach((m) => upstream.send(m)));
    upstream.on('message', (data: Buffer) => ws.send(data));
    upstream.on('close', (code, reason) => void ws.close({ code: code === 1005 || code === 1006 ? 1000 : code, reason: reason.toString() }).catch(() => undefined));
    upstream.on('error', () => undefined);
    ws.onMessage((message) => (upstream.readyState === WebSocket.OPEN ? upstream.send(message) : pending.push(message)));
    ws.onClose(() => upstream.close());
  });
  return context;
}

async function openBoard(server: RunningServer) {
  const board = await createBoardWithLinks(server, 'Public roadmap');
  const context = await publicVisitor(server);
  const page = await context.newPage();
  const config = page.waitForResponse((response) => response.url() === `${PUBLIC}/api/config`);
  await page.goto(`${PUBLIC}/b/${board.id}#${board.links.edit.token}`);
  return { page, context, config: (await (await config).json()) as ClientConfig };
}

test('over https on a public host without TLDRAW_LICENSE_KEY the page says the canvas needs a license key', async () => {
  const server = await startServer();
  try {
    const { page, context, config } = await openBoard(server);
    assert.equal(config.tldrawLicenseKey, null);
    const message = page.getByTestId('license-message');
    await message.waitFor();
    assert.match(await message.innerText(), /needs a tldraw license key/);
    assert.match(await message.innerText(), /TLDRAW_LICENSE_KEY/);
    assert.equal(await page.locator('.tl-canvas').count(), 0, 'no blank canvas instead');
    await screenshot(page, 'license-message');
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('TLDRAW_LICENSE_KEY set on the server reaches the browser, and the board opens on its canvas', async () => {
  const key = 'tldraw-test-key-not-real';
  const server = await startServer({ env: { TLDRAW_LICENSE_KEY: key } });
  try {
    const { page, context, config } = await openBoard(server);
    assert.equal(config.tldrawLicenseKey, key, 'the browser was handed the key');
    await page.locator('.tl-canvas').waitFor({ timeout: 30_000 });
    await page.locator('[data-status="connected"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.getByTestId('license-message').count(), 0);
    assert.equal(new URL(page.url()).origin, PUBLIC);
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  } finally {
    await server.stop();
    server.cleanup();
  }
});
