import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { createRectangle, drawRectangleWithMouse, launchBrowser, newParticipant, shapes, waitForCanvas, waitForShape } from './browser.js';

let server: RunningServer;
let browser: Browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

/** Records every request that leaves the server's origin (and refuses it). */
async function guardOrigin(page: Page, origin: string): Promise<string[]> {
  const foreign: string[] = [];
  await page.context().route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  return foreign;
}

test('create a board in the UI, draw together live, see each other, reload, make no foreign request', async () => {
  // Ada has never used Planboard: she creates a board from the home page and is asked her name.
  const adaContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const ada = await adaContext.newPage();
  const foreign = await guardOrigin(ada, server.url);
  await ada.goto(server.url);
  await ada.getByLabel('Board title').fill('Sprint 42 planning');
  const opened = Date.now();
  await ada.getByRole('button', { name: 'Create board' }).click();
  await ada.waitForURL(/\/b\/[0-9a-z]{14}$/);
  await ada.getByLabel('Your name').fill('Ada');
  await ada.getByRole('button', { name: 'Join board' }).click();
  await waitForCanvas(ada);
  console.log(`# time to open a new board (click to canvas): ${Date.now() - opened} ms`);
  assert.equal(await ada.locator('h1').textContent(), 'Sprint 42 planning');
  await ada.getByTestId('connection-status').and(ada.locator('[data-status="connected"]')).waitFor();

  // She draws a rectangle with the keyboard and the mouse.
  await drawRectangleWithMouse(ada, { x: 400, y: 300 }, { x: 560, y: 400 });
  await waitForShape(ada, { type: 'geo' });

  // Grace opens the edit link Ada was given.
  const editUrl = await ada.evaluate(() => (JSON.parse(localStorage.getItem('planboard:boards')!) as { editUrl: string }[])[0]!.editUrl);
  const graceContext = await newParticipant(browser, 'Grace', '#2f9e44');
  const grace = await graceContext.newPage();
  const graceForeign = await guardOrigin(grace, server.url);
  await grace.goto(editUrl);
  await waitForCanvas(grace);
  await waitForShape(grace, { type: 'geo' });
  assert.doesNotMatch(grace.url(), /#/, 'the token left the address bar');

  // Each sees the other in the presence list, and Ada's cursor with her name on Grace's canvas.
  await grace.locator('[data-testid="presence-list"] li[data-name="Ada"]').waitFor();
  await ada.locator('[data-testid="presence-list"] li[data-name="Grace"]').waitFor();
  await ada.mouse.move(700, 350, { steps: 4 });
  await ada.mouse.move(720, 360, { steps: 4 });
  await grace.locator('.tl-collaborator__cursor').first().waitFor({ timeout: 15_000 });
  await grace.getByText('Ada', { exact: true }).first().waitFor();

  // Grace draws; Ada sees it.
  await createRectangle(grace, 'from-grace', 100, 100);
  await waitForShape(ada, { id: 'shape:from-grace' });

  // A reload keeps everything.
  await grace.reload();
  await waitForCanvas(grace);
  await waitForShape(grace, { id: 'shape:from-grace' });
  assert.equal((await shapes(grace)).length, 2);
  await grace.screenshot({ path: 'test-results/live-board.png' }).catch(() => undefined);

  assert.deepEqual(foreign, [], 'no request left the origin');
  assert.deepEqual(graceForeign, [], 'no request left the origin');
  await adaContext.close();
  await graceContext.close();
});

test('offline: edits are kept, survive a reload, and merge when the connection returns', async () => {
  const board = await createBoardWithLinks(server, 'Offline');
  const linus = await (await newParticipant(browser, 'Linus')).newPage();
  const margaret = await (await newParticipant(browser, 'Margaret', '#e03131')).newPage();
  await linus.goto(server.url + board.links.edit.url);
  await margaret.goto(server.url + board.links.owner.url);
  await Promise.all([waitForCanvas(linus), waitForCanvas(margaret)]);
  // Let the service worker take control so the app shell is cached for the offline reload.
  await linus.waitForFunction(() => navigator.serviceWorker?.controller !== null || false, undefined, { timeout: 10_000 }).catch(() => undefined);
  await linus.reload();
  await waitForCanvas(linus);

  await linus.context().setOffline(true);
  await linus.locator('[data-status="offline"]').waitFor();
  await createRectangle(linus, 'offline-1', 50, 50);
  await createRectangle(linus, 'offline-2', 250, 50);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.ok(!(await shapes(margaret)).some((s) => s.id.startsWith('shape:offline')), 'offline edits stay local');

  await linus.reload();
  await waitForCanvas(linus);
  await waitForShape(linus, { id: 'shape:offline-2' });

  await linus.context().setOffline(false);
  await waitForShape(margaret, { id: 'shape:offline-1' }, 20_000);
  await waitForShape(margaret, { id: 'shape:offline-2' });
  await linus.locator('[data-status="connected"]').waitFor({ timeout: 20_000 });
  await linus.context().close();
  await margaret.context().close();
});

test('notes, text, arrows, frames and pasted images (as data URLs) all sync', async () => {
  const board = await createBoardWithLinks(server, 'Everything');
  const a = await (await newParticipant(browser, 'Ann')).newPage();
  const b = await (await newParticipant(browser, 'Ben')).newPage();
  await a.goto(server.url + board.links.owner.url);
  await b.goto(server.url + board.links.edit.url);
  await Promise.all([waitForCanvas(a), waitForCanvas(b)]);
  // 1x1 PNG
  const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  await a.evaluate((src) => {
    type Editor = { createAssets(a: object[]): void; createShapes(s: object[]): void };
    const editor = (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor;
    editor.createAssets([
      { id: 'asset:pasted', typeName: 'asset', type: 'image', meta: {}, props: { name: 'dot.png', src, w: 1, h: 1, mimeType: 'image/png', isAnimated: false } },
    ]);
    editor.createShapes([
      { id: 'shape:note', type: 'note', x: 0, y: 0 },
      { id: 'shape:text', type: 'text', x: 300, y: 0 },
      { id: 'shape:arrow', type: 'arrow', x: 0, y: 300, props: { end: { x: 200, y: 100 } } },
      { id: 'shape:frame', type: 'frame', x: 600, y: 0, props: { w: 300, h: 200, name: 'Sprint 1' } },
      { id: 'shape:image', type: 'image', x: 600, y: 300, props: { assetId: 'asset:pasted', w: 100, h: 100 } },
    ]);
  }, png);
  for (const [id, type] of [['shape:note', 'note'], ['shape:text', 'text'], ['shape:arrow', 'arrow'], ['shape:frame', 'frame'], ['shape:image', 'image']]) {
    await waitForShape(b, { id, type });
  }
  const asset = await b.evaluate(() => {
    type Editor = { getAsset(id: string): { props: { src: string } } | undefined };
    return (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor.getAsset('asset:pasted')?.props.src;
  });
  assert.equal(asset, png, 'the image travels inside the board as a data URL');
  await a.context().close();
  await b.context().close();
});
