import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import {
  currentTool,
  drag,
  drawRectangle,
  eventually,
  exportedBoard,
  exportedRecords,
  exportedShapes,
  focusCanvas,
  launchBrowser,
  metric,
  newParticipant,
  screenshot,
  shapeIds,
  shapesOnScreen,
  waitForCanvas,
  waitForShapeCount,
} from './browser.js';

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
  await adaContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const ada = await adaContext.newPage();
  const foreign = await guardOrigin(ada, server.url);
  await ada.goto(server.url);
  await ada.getByLabel('Board title').pressSequentially('Sprint 42 planning');
  const opened = Date.now();
  await ada.getByRole('button', { name: 'Create board' }).click();
  await ada.waitForURL(/\/b\/[0-9a-z]{14}$/);
  await ada.getByLabel('Your name').pressSequentially('Ada');
  await ada.keyboard.press('Enter');
  await waitForCanvas(ada);
  console.log(`# time to open a new board (click to canvas): ${Date.now() - opened} ms`);
  assert.equal(await ada.locator('h1').textContent(), 'Sprint 42 planning');
  await ada.getByTestId('connection-status').and(ada.locator('[data-status="connected"]')).waitFor();
  const boardId = new URL(ada.url()).pathname.split('/')[2]!;

  // She draws a rectangle with the keyboard and the mouse.
  await drawRectangle(ada, { x: 400, y: 300 }, { x: 560, y: 400 });
  await waitForShapeCount(ada, 1, 'geo');

  // She copies the edit link from the Share dialog and sends it to Grace.
  await ada.getByTestId('share-button').click();
  await ada.getByRole('button', { name: 'Copy edit link' }).click();
  await ada.getByRole('button', { name: 'Copied!' }).waitFor();
  const editUrl = await ada.evaluate(() => navigator.clipboard.readText());
  assert.match(editUrl, new RegExp(`^${server.url}/b/${boardId}#`));
  await ada.getByTestId('share-dialog').getByRole('button', { name: 'Close' }).click();
  const editToken = decodeURIComponent(new URL(editUrl).hash.slice(1));

  const graceContext = await newParticipant(browser, 'Grace', '#2f9e44');
  const grace = await graceContext.newPage();
  const graceForeign = await guardOrigin(grace, server.url);
  await grace.goto(editUrl);
  await waitForCanvas(grace);
  await waitForShapeCount(grace, 1, 'geo');
  assert.doesNotMatch(grace.url(), /#/, 'the token left the address bar');

  // Each sees the other in the presence list, and Ada's cursor with her name on Grace's canvas.
  await grace.locator('[data-testid="presence-list"] li[data-name="Ada"]').waitFor();
  await ada.locator('[data-testid="presence-list"] li[data-name="Grace"]').waitFor();
  await ada.mouse.move(700, 350, { steps: 4 });
  await ada.mouse.move(720, 360, { steps: 4 });
  await grace.locator('.tl-collaborator__cursor').first().waitFor({ timeout: 15_000 });
  await grace.getByText('Ada', { exact: true }).first().waitFor();

  // Grace draws a rectangle of her own; Ada sees it appear.
  await drawRectangle(grace, { x: 700, y: 500 }, { x: 820, y: 580 });
  await waitForShapeCount(ada, 2, 'geo');
  assert.deepEqual(await shapeIds(ada, 'geo'), await shapeIds(grace, 'geo'), 'both see the same two shapes');

  // A reload keeps everything, and the server holds exactly what both screens show.
  await grace.reload();
  await waitForCanvas(grace);
  await waitForShapeCount(grace, 2, 'geo');
  const stored = await exportedShapes(server.url, boardId, editToken, 'geo');
  assert.deepEqual(stored.map((s) => s['id']).sort(), await shapeIds(grace, 'geo'));
  await screenshot(grace, 'live-board');

  assert.deepEqual(foreign, [], 'no request left the origin');
  assert.deepEqual(graceForeign, [], 'no request left the origin');
  await adaContext.close();
  await graceContext.close();
});

test('offline: edits are kept, survive a reload, and merge when the connection returns', async () => {
  const board = await createBoardWithLinks(server, 'Offline');
  const linusContext = await newParticipant(browser, 'Linus');
  // Linus's board socket goes through a switch the test controls: "offline" closes both ends of
  // it for real (the server sees the connection go) and refuses new ones until back online.
  let cableIn = true;
  const open: { close(): Promise<void> }[] = [];
  await linusContext.routeWebSocket(/\/ws\//, (ws) => {
    if (!cableIn) return void ws.close({ code: 1000, reason: 'offline' });
    const upstream = ws.connectToServer();
    open.push({ close: async () => { await upstream.close(); await ws.close({ code: 1000, reason: 'offline' }); } });
  });
  const linus = await linusContext.newPage();
  const margaret = await (await newParticipant(browser, 'Margaret', '#e03131')).newPage();
  await linus.goto(server.url + board.links.edit.url);
  await margaret.goto(server.url + board.links.owner.url);
  await Promise.all([waitForCanvas(linus), waitForCanvas(margaret)]);
  // Let the service worker take control so the app shell is cached for the offline reload.
  await linus.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 10_000 }).catch(() => undefined);
  await linus.reload();
  await waitForCanvas(linus);
  await eventually(() => metric(server.url, 'planboard_connections'), (n) => n === 2, 'both participants connected');

  // The network goes away: the browser knows it, and the server has really lost Linus's socket.
  cableIn = false;
  await linus.context().setOffline(true);
  await Promise.all(open.splice(0).map((s) => s.close()));
  await linus.locator('[data-status="offline"]').waitFor();
  await eventually(() => metric(server.url, 'planboard_connections'), (n) => n === 1, 'the server to see Linus leave');

  await drawRectangle(linus, { x: 300, y: 300 }, { x: 420, y: 380 });
  await drawRectangle(linus, { x: 600, y: 300 }, { x: 720, y: 380 });
  await waitForShapeCount(linus, 2, 'geo');
  const offlineShapes = await shapeIds(linus, 'geo');
  await margaret.waitForTimeout(500);
  assert.deepEqual(await shapeIds(margaret, 'geo'), [], 'offline edits stay local');
  assert.deepEqual(await exportedShapes(server.url, board.id, board.links.owner.token, 'geo'), [], 'and are not on the server');

  // A reload while offline keeps them (the browser's copy).
  await linus.reload();
  await waitForCanvas(linus);
  await waitForShapeCount(linus, 2, 'geo');
  await linus.locator('[data-status="offline"]').waitFor();

  cableIn = true;
  await linus.context().setOffline(false);
  await linus.locator('[data-status="connected"]').waitFor({ timeout: 20_000 });
  await waitForShapeCount(margaret, 2, 'geo', 20_000);
  assert.deepEqual(await shapeIds(margaret, 'geo'), offlineShapes);
  await eventually(
    async () => (await exportedShapes(server.url, board.id, board.links.owner.token, 'geo')).map((s) => s['id']).sort(),
    (ids) => JSON.stringify(ids) === JSON.stringify(offlineShapes),
    'the offline shapes stored on the server',
  );
  await linus.context().close();
  await margaret.context().close();
});

test('notes, text, arrows, frames and a dropped PNG image, all made with mouse and keys, reach the other participant', async () => {
  const board = await createBoardWithLinks(server, 'Everything');
  const a = await (await newParticipant(browser, 'Ann')).newPage();
  const b = await (await newParticipant(browser, 'Ben')).newPage();
  await a.goto(server.url + board.links.owner.url);
  await b.goto(server.url + board.links.edit.url);
  await Promise.all([waitForCanvas(a), waitForCanvas(b)]);

  // A note: N, click. A text: T, click, type, Escape. An arrow: A, drag. A frame: F, drag.
  await focusCanvas(a);
  await a.keyboard.press('n');
  await a.mouse.click(250, 250);
  await a.keyboard.press('Escape');
  await a.keyboard.press('Escape');
  await a.keyboard.press('t');
  await a.mouse.click(500, 200);
  const toolWhileEditing = await currentTool(a);
  const shapesBeforeTyping = await shapeIds(a);
  // "Release goals" holds r, e, l, a, s, g, o, t: each a tool shortcut if the keys escaped the text.
  await a.keyboard.type('Release goals');
  assert.equal(await currentTool(a), toolWhileEditing, 'typing did not switch tools');
  assert.deepEqual(await shapeIds(a), shapesBeforeTyping, 'typing drew nothing');
  await shapesOnScreen(a, 'text').filter({ hasText: 'Release goals' }).waitFor();
  await a.keyboard.press('Escape');
  await a.keyboard.press('Escape');
  await a.keyboard.press('a');
  await drag(a, { x: 250, y: 500 }, { x: 450, y: 600 });
  await a.keyboard.press('Escape');
  await a.keyboard.press('f');
  await drag(a, { x: 750, y: 150 }, { x: 1000, y: 350 });
  await a.keyboard.press('Escape');

  // An image file dropped onto the canvas: a real PNG (a picture of the Share button).
  const png = await a.getByTestId('share-button').screenshot();
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const dataTransfer = await a.evaluateHandle((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'share.png', { type: 'image/png' }));
    return transfer;
  }, png.toString('base64'));
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await a.locator('.tl-canvas').dispatchEvent(type, { dataTransfer, clientX: 700, clientY: 550 });
  }

  for (const type of ['note', 'text', 'arrow', 'frame', 'image']) await waitForShapeCount(b, 1, type);
  await shapesOnScreen(b, 'text').filter({ hasText: 'Release goals' }).waitFor();
  const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
  // Ben's screen shows the very picture Ann dropped.
  await b.waitForFunction((src) => Array.from(document.querySelectorAll('.tl-shape[data-shape-type="image"] img')).some((img) => (img as HTMLImageElement).src === src), dataUrl, { timeout: 15_000 })
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\nBen's image shape: ${await shapesOnScreen(b, 'image').first().innerHTML().catch(() => 'none')}`.slice(0, 3000));
    });
  const stored = await exportedBoard(server.url, board.id, board.links.edit.token);
  const assets = exportedRecords(stored).filter((r) => r.typeName === 'asset');
  assert.equal(assets.length, 1);
  assert.equal((assets[0]!['props'] as { src: string }).src, dataUrl, 'the image travels inside the board as a data URL');
  await screenshot(b, 'everything-peer');
  await a.context().close();
  await b.context().close();
});
