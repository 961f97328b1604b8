import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, newParticipant } from './browser.js';
import { SHOTS, boxOf, card, importCards, inside, laneFrame, laneHeader, openBoard, overlaps, waitForText, laneTotal, zoomShown, type Rect } from './canvas-helpers.js';

// Issue 10: a board opens fitted to its content, each person's view of each board is remembered,
// and whatever the UI adds is brought into view and briefly highlighted; releases are numbered.

let server: RunningServer;
let browser: Browser;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

const CARDS = 'Summary,Story Points\nSign in with single sign-on,8\nRefund a cancelled order,3\nSearch orders,5\n';

/** The part of the canvas no tldraw panel covers. */
async function openArea(page: Page): Promise<{ canvas: Rect; covers: Rect[] }> {
  const canvas = await boxOf(page.locator('.tl-canvas'));
  const covers: Rect[] = [];
  for (const selector of ['.tlui-menu-zone', '.tlui-main-toolbar']) {
    const box = await page.locator(selector).first().boundingBox();
    if (box) covers.push(box);
  }
  return { canvas, covers };
}

async function assertInView(page: Page, what: string, box: Rect): Promise<void> {
  const { canvas, covers } = await openArea(page);
  assert.ok(inside(box, canvas), `${what} is on screen: ${JSON.stringify(box)} in ${JSON.stringify(canvas)}`);
  for (const cover of covers) assert.ok(!overlaps(box, cover), `${what} is not under a panel: ${JSON.stringify(box)} vs ${JSON.stringify(cover)}`);
}

test('a board opens fitted to its content, and each person finds their own view of each board again', async () => {
  const board = await createBoardWithLinks(server, 'Checkout map', 'story-map');
  await importCards(server.url, board, CARDS);
  const other = await createBoardWithLinks(server, 'Other board', 'backlog');

  const context = await newParticipant(browser, 'Ada');
  const page = await context.newPage();
  await openBoard(page, server.url, board);
  await waitForText(laneTotal(page, 'MVP'), '3 cards · 16 pts');
  await page.waitForTimeout(800);
  const fitted = await zoomShown(page);
  assert.ok(fitted < 1, `fitted, not at 100% (${fitted})`);
  for (const name of ['MVP', 'Release 2', 'Later']) {
    await assertInView(page, `lane ${name}`, await boxOf(laneFrame(page, name)));
    await assertInView(page, `header of ${name}`, await boxOf(laneHeader(page, name)));
  }
  for (const note of await page.locator('.tl-shape[data-shape-type="note"]').all()) await assertInView(page, 'an activity or step', await boxOf(note));
  await page.screenshot({ path: `${SHOTS}/first-view-1280.png` });

  // Ada zooms in on the first card (Ctrl + wheel) and scrolls a little; she reloads: the same view.
  const first = await boxOf(card(page, 'Sign in with single sign-on'));
  await page.mouse.move(first.x + first.width / 2, first.y + first.height / 2);
  await page.keyboard.down('Control');
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -40);
  await page.keyboard.up('Control');
  await page.mouse.wheel(0, 120);
  await page.waitForTimeout(800);
  const before = await boxOf(card(page, 'Sign in with single sign-on'));
  const zoomBefore = await zoomShown(page);
  assert.ok(zoomBefore > fitted, 'zoomed in');
  await page.reload();
  await page.locator('.tl-canvas').waitFor();
  await card(page, 'Sign in with single sign-on').waitFor();
  await page.waitForTimeout(800);
  const after = await boxOf(card(page, 'Sign in with single sign-on'));
  assert.equal(await zoomShown(page), zoomBefore, 'the same zoom after a reload');
  assert.ok(Math.abs(after.x - before.x) <= 3 && Math.abs(after.y - before.y) <= 3, `the same place: ${JSON.stringify({ before, after })}`);

  // Another board in the same browser opens fitted (views are per board) ...
  await openBoard(page, server.url, other);
  await laneTotal(page, 'Inbox').waitFor();
  await page.waitForTimeout(800);
  for (const name of ['Inbox', 'Out of scope']) await assertInView(page, `lane ${name}`, await boxOf(laneFrame(page, name)));
  // ... and back on the first board Ada's view is still hers.
  await openBoard(page, server.url, board);
  await card(page, 'Sign in with single sign-on').waitFor();
  await page.waitForTimeout(800);
  assert.equal(await zoomShown(page), zoomBefore);

  // Grace, in her own browser, gets the fitted view, not Ada's.
  const grace = await (await newParticipant(browser, 'Grace', '#e03131')).newPage();
  await openBoard(grace, server.url, board);
  await waitForText(laneTotal(grace, 'MVP'), '3 cards · 16 pts');
  await grace.waitForTimeout(800);
  assert.equal(await zoomShown(grace), fitted);
  await grace.context().close();

  // On a phone the board opens fitted too.
  const phone = await (await newParticipant(browser, 'Ada')).newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await openBoard(phone, server.url, board);
  await waitForText(laneTotal(phone, 'MVP'), '3 cards · 16 pts');
  await phone.waitForTimeout(800);
  for (const name of ['MVP', 'Release 2', 'Later']) await assertInView(phone, `lane ${name}`, await boxOf(laneFrame(phone, name)));
  await phone.screenshot({ path: `${SHOTS}/first-view-390.png` });
  await phone.context().close();
  await context.close();
});

/** Waits for the highlight of what was just added; answers the highlighted boxes. */
async function highlighted(page: Page, count: number): Promise<Rect[]> {
  const marks = page.getByTestId('highlight');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="highlight"]').length === n, count, { timeout: 10_000 }).catch(async () => {
    assert.fail(`wanted ${count} highlights, saw ${await marks.count()}`);
  });
  await page.waitForTimeout(450); // the camera's move
  // Until it has come to rest (it takes longer on a busy machine): two reads 100 ms apart agree.
  const read = async () => {
    const boxes: Rect[] = [];
    for (const mark of await marks.all()) boxes.push(await boxOf(mark));
    return boxes;
  };
  let boxes = await read();
  for (let tries = 0; tries < 50; tries++) {
    await page.waitForTimeout(100);
    const again = await read();
    if (JSON.stringify(again) === JSON.stringify(boxes)) break;
    boxes = again;
  }
  return boxes;
}

async function highlightGone(page: Page): Promise<void> {
  await page.getByTestId('highlight').first().waitFor({ state: 'detached', timeout: 5000 });
}

test('what the UI adds is brought into view and highlighted: a release (named in sequence), an activity, a template, imported cards', async () => {
  const board = await createBoardWithLinks(server, 'Growing map', 'story-map');
  const page = await (await newParticipant(browser, 'Ada')).newPage();
  await openBoard(page, server.url, board);
  await laneTotal(page, 'Later').waitFor();
  await page.waitForTimeout(800);

  // Look at the top-left corner up close first, so what is added lands off screen.
  await page.keyboard.press('Shift+0');
  await page.mouse.move(640, 400);
  await page.mouse.wheel(-400, -300);
  await page.waitForTimeout(400);

  await page.getByTestId('add-release').click();
  await laneHeader(page, 'Release 3').waitFor({ timeout: 5000 });
  assert.equal(await laneHeader(page, 'Release 4').count(), 0, 'named Release 3, after MVP, Release 2, Later');
  const [release] = await highlighted(page, 1);
  await assertInView(page, 'the new release', release!);
  await page.screenshot({ path: `${SHOTS}/reveal-release-1280.png` });
  await highlightGone(page);

  await page.getByTestId('add-activity').click();
  const activity = await highlighted(page, 2); // the activity and its first step
  for (const box of activity) await assertInView(page, 'the new activity', box);
  await highlightGone(page);

  await page.getByTestId('insert-template').selectOption('retro');
  const retro = await highlighted(page, 3);
  for (const box of retro) await assertInView(page, 'an inserted lane', box);
  await laneHeader(page, 'Went well').waitFor();
  await highlightGone(page);

  // Imported cards, through the import dialog.
  const file = join(tmpdir(), `planboard-import-${process.pid}.csv`);
  writeFileSync(file, 'Summary,Story Points\nPay with a saved card,5\nPay by bank transfer,8\nShow the order total,2\n');
  await page.getByRole('button', { name: 'Import CSV' }).click();
  await page.getByTestId('import-file').setInputFiles(file);
  const confirm = page.getByTestId('import-dialog').getByRole('button', { name: /^Import \d+ card/ });
  await confirm.click(); // choosing a file only previews; nothing is imported until this click
  await page.getByTestId('import-result').waitFor({ timeout: 10_000 });
  await page.keyboard.press('Escape');
  const imported = await highlighted(page, 3);
  for (const box of imported) await assertInView(page, 'an imported card', box);
  await page.screenshot({ path: `${SHOTS}/reveal-import-1280.png` });
  await page.context().close();
});
