import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, newParticipant } from './browser.js';
import { SHOTS, card, importCards, laneTotal, openBoard, pinchZoomTo, waitForText } from './canvas-helpers.js';

// Issue 10: the first PNG export must produce a file and show that it is working; exported images
// must not cut the start of long titles and must carry the lane totals.

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

const LONG = 'Customers can split a refund between the original card and store credit';

/** Records every text the export status shows, from now on. */
async function watchStatus(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const seen = [];
    window.exportStatus = seen;
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="export-status"]')?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
}

/** Chooses an item of the Export menu with the mouse and saves the download; answers its path and how long it took. */
async function exportVia(page: Page, item: string, path: string): Promise<{ path: string; ms: number }> {
  await page.getByTestId('export-button').click();
  const started = Date.now();
  const download = page.waitForEvent('download', { timeout: 30_000 });
  await page.getByTestId(`export-${item}`).click();
  const file = await download;
  const ms = Date.now() - started;
  await file.saveAs(path);
  return { path, ms };
}

function pngSize(path: string): { width: number; height: number; bytes: number } {
  const data = readFileSync(path);
  assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  assert.equal(data.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), bytes: data.length };
}

test('the first PNG export makes a file and says so; images carry lane totals and whole titles, even zoomed out', async () => {
  const board = await createBoardWithLinks(server, 'Sprint 15', 'sprint');
  await importCards(server.url, board, `Summary,Story Points\n${LONG},8\nRefund a cancelled order,\nSearch orders by customer,13\n`);
  const page = await (await newParticipant(browser, 'Ada')).newPage();
  await openBoard(page, server.url, board);
  await waitForText(laneTotal(page, 'Backlog'), '3 cards · 21 pts + 1 unestimated');
  await card(page, LONG).waitFor();
  // Zoomed out, the canvas shows cards' far view; an export must still show whole titles.
  await pinchZoomTo(page, 0.3, { x: 640, y: 400 });
  assert.ok((await page.locator('.pb-card__far').count()) > 0, 'far view on the canvas');
  await watchStatus(page);

  const first = await exportVia(page, 'png', `${SHOTS}/export-first.png`);
  const png = pngSize(first.path);
  assert.ok(png.width >= 800 && png.height >= 600 && png.bytes > 20_000, `a real image: ${JSON.stringify(png)}`);
  await page.getByTestId('export-status').filter({ hasText: 'Saved Sprint-15.png' }).waitFor({ timeout: 5000 });
  const statuses = (await page.evaluate('window.exportStatus')) as string[];
  assert.deepEqual(statuses, ['Making the PNG image…', 'Saved Sprint-15.png'], 'the export said it was working, then what it saved');
  assert.equal(await page.getByTestId('export-error').count(), 0);

  const second = await exportVia(page, 'png', `${SHOTS}/export-second.png`);
  const again = pngSize(second.path);
  assert.deepEqual([again.width, again.height], [png.width, png.height], 'the same image twice');
  console.log(`# PNG export: first ${first.ms} ms, second ${second.ms} ms, ${png.width}×${png.height} px, ${png.bytes} bytes`);

  // The SVG of the same board: its text is readable, so check it holds the totals and whole titles.
  const svgFile = await exportVia(page, 'svg', `${SHOTS}/export-board.svg`);
  const svg = readFileSync(svgFile.path, 'utf8');
  for (const total of ['3 cards · 21 pts + 1 unestimated', '0 / 30 pts · 0 cards']) assert.ok(svg.includes(total), `the image shows the total "${total}"`);
  assert.ok(svg.includes(LONG), 'the long title is whole in the image');
  assert.ok(!svg.includes('pb-card__far'), 'exported cards use the near view, not the zoomed-out one');
  await page.screenshot({ path: `${SHOTS}/export-zoomed-out-1280.png` });
  await page.context().close();
});
