import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import type { CreatedBoard } from '@planboard/shared';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { eventually, exportedShapes, launchBrowser, newParticipant, pointIn, screenshot, waitForCanvas } from './browser.js';
import { importCards } from './canvas-helpers.js';

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

/** A story card on one canvas (the live board's, or the version's beside it). */
const cardOn = (canvas: Locator, title: string) => canvas.getByTestId('story-card').filter({ hasText: title });
// The live board's canvas (tldraw names its own inner canvas "canvas" too, on both canvases).
const live = (page: Page) => page.locator('.stage > [data-testid="canvas"]');
const versionCanvas = (page: Page) => page.getByTestId('version-canvas');

async function cardTitles(board: CreatedBoard): Promise<string[]> {
  const shapes = await exportedShapes(server.url, board.id, board.links.edit.token);
  return shapes.filter((s) => s['type'] === 'story-card').map((s) => String((s['props'] as { title: string }).title)).sort();
}

async function open(page: Page, board: CreatedBoard, link: 'owner' | 'edit' = 'edit') {
  await page.goto(`${server.url}${board.links[link].url}`);
  await waitForCanvas(page);
  await page.getByRole('button', { name: 'Zoom to fit' }).click().catch(() => undefined);
}

test('a person names a version, opens it read-only beside the live board, restores it for everyone, and undoes the restore', async () => {
  const board = await createBoardWithLinks(server, 'Q3 roadmap', 'sprint');
  await importCards(server.url, board, 'Title,Estimate\nSearch by SKU,3\nExport invoices,5\nDark mode,8\n');
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  const bo = await (await newParticipant(browser, 'Bo', '#e8590c')).newPage();
  await open(ada, board, 'owner');
  await open(bo, board);
  await cardOn(live(ada), 'Dark mode').waitFor();
  const original = await cardTitles(board);

  // History, from the header; "Name this version".
  await ada.getByTestId('history-button').click();
  const panel = ada.getByTestId('history-panel');
  await panel.waitFor();
  await ada.getByLabel('Name this version').click();
  await ada.keyboard.type('Before PI planning');
  await ada.keyboard.press('Enter');
  await panel.getByTestId('version-row').filter({ hasText: 'Before PI planning' }).waitFor();
  await eventually(() => panel.getByTestId('history-notice').textContent(), (t) => /Saved/.test(t ?? ''), 'the saved message');
  const row = panel.getByTestId('version-row').filter({ hasText: 'Before PI planning' });
  assert.match((await row.textContent()) ?? '', /Today/);
  assert.match((await row.textContent()) ?? '', /KB|bytes/);
  await screenshot(ada, 'history-panel-1280');
  // Esc closes the panel; the shortcut opens it again.
  await ada.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  await ada.keyboard.press('Control+Alt+Shift+KeyH');
  await panel.waitFor();
  await ada.getByTestId('history-panel').getByRole('button', { name: 'Close version history' }).click();

  // Ada deletes a card on the live board; Bo sees it go.
  const dark = await pointIn(cardOn(live(ada), 'Dark mode'), 0.25, 0.75);
  await ada.mouse.click(dark.x, dark.y);
  await ada.keyboard.press('Delete');
  await cardOn(live(bo), 'Dark mode').waitFor({ state: 'detached' });
  const edited = await eventually(() => cardTitles(board), (t) => !t.includes('Dark mode'), 'the deletion to be stored');

  // Open the version: it shows beside the live board, read-only.
  await ada.getByTestId('history-button').click();
  await ada.getByTestId('version-row').filter({ hasText: 'Before PI planning' }).getByTestId('view-version').click();
  const view = ada.getByTestId('version-view');
  await view.waitFor();
  await cardOn(versionCanvas(ada), 'Dark mode').waitFor({ timeout: 20_000 });
  await screenshot(ada, 'history-version-beside-live-1280');
  assert.equal(await cardOn(live(ada), 'Dark mode').count(), 0, 'the live board still lacks the card');
  const liveBox = (await live(ada).boundingBox())!;
  const versionBox = (await view.boundingBox())!;
  assert.ok(liveBox.x + liveBox.width <= versionBox.x + 4, `side by side: live ${JSON.stringify(liveBox)}, version ${JSON.stringify(versionBox)}`);
  assert.match((await view.textContent()) ?? '', /Read-only/);
  await screenshot(ada, 'history-version-beside-live-1280');
  // Trying to edit the version: select a card there, press Delete, type: nothing changes anywhere.
  const inVersion = await pointIn(cardOn(versionCanvas(ada), 'Export invoices'), 0.25, 0.75);
  await ada.mouse.click(inVersion.x, inVersion.y);
  await ada.keyboard.press('Delete');
  await ada.keyboard.press('Backspace');
  await ada.keyboard.type('xyz');
  await ada.mouse.move(inVersion.x, inVersion.y);
  await ada.mouse.down();
  await ada.mouse.move(inVersion.x + 150, inVersion.y + 80, { steps: 5 });
  await ada.mouse.up();
  assert.equal(await cardOn(versionCanvas(ada), 'Export invoices').count(), 1, 'the version cannot be edited');
  assert.equal(await versionCanvas(ada).locator('.tl-shape').filter({ hasText: 'xyz' }).count(), 0, 'nothing typed landed in the version');
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(await cardTitles(board), edited, 'the live board is unchanged by anything done to the version');

  // Restore it (asks first); Bo sees the card come back live.
  await view.getByTestId('restore-viewed').click();
  const dialog = ada.getByTestId('restore-dialog');
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? '', /undo/);
  await screenshot(ada, 'history-restore-confirm-1280');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await ada.getByTestId('restore-toast').waitFor();
  await view.waitFor({ state: 'detached' });
  await cardOn(live(bo), 'Dark mode').waitFor({ timeout: 15_000 });
  await cardOn(live(ada), 'Dark mode').waitFor();
  assert.deepEqual(await eventually(() => cardTitles(board), (t) => t.length === original.length, 'the restore stored'), original);
  await ada.getByTestId('history-panel').getByTestId('version-row').filter({ hasText: 'Before restore' }).waitFor();
  await screenshot(ada, 'history-restored-toast-1280');
  await screenshot(bo, 'history-restored-seen-by-bo-1280');

  // Undo restore (the toast's button): the deletion is back, for Bo too.
  await ada.getByTestId('undo-restore').click();
  await cardOn(live(bo), 'Dark mode').waitFor({ state: 'detached', timeout: 15_000 });
  assert.deepEqual(await eventually(() => cardTitles(board), (t) => !t.includes('Dark mode'), 'the undo stored'), edited);

  // Restore again from the list (back on screen since the restore), and undo with Ctrl+Z right after, as with any change.
  await ada.getByTestId('history-panel').waitFor();
  await ada.getByTestId('version-row').filter({ hasText: 'Before PI planning' }).getByTestId('restore-version').click();
  await ada.getByTestId('confirm-restore').click();
  await cardOn(live(bo), 'Dark mode').waitFor({ timeout: 15_000 });
  await ada.keyboard.press('Escape');
  await ada.keyboard.press('Control+z');
  await cardOn(live(bo), 'Dark mode').waitFor({ state: 'detached', timeout: 15_000 });
  await ada.getByTestId('restore-toast').waitFor({ state: 'detached' });
  assert.deepEqual(await eventually(() => cardTitles(board), (t) => !t.includes('Dark mode'), 'the undo by key stored'), edited);
  await ada.context().close();
  await bo.context().close();
});

test('on a phone, history is in the ⋯ menu and a version replaces the view, with a clear way back', async () => {
  const board = await createBoardWithLinks(server, 'Sprint 15', 'sprint');
  await importCards(server.url, board, 'Title\nSearch by SKU\nExport invoices\n');
  await fetch(`${server.url}/api/boards/${board.id}/history`, {
    method: 'POST',
    headers: { authorization: `Bearer ${board.links.edit.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Before PI planning' }),
  });
  const context = await newParticipant(browser, 'Cy', '#2f9e44', { width: 390, height: 844 });
  const page = await context.newPage();
  await open(page, board);
  // A template insert (from the ⋯ menu) is one restore away: the server keeps a version first.
  await page.getByTestId('more-button').click();
  await page.getByTestId('menu-template-retro').click();
  await page.getByTestId('more-button').click();
  await page.getByTestId('menu-history').click();
  const panel = page.getByTestId('history-panel');
  await panel.waitFor();
  await panel.getByTestId('version-row').filter({ hasText: 'Before template insert' }).waitFor();
  await screenshot(page, 'history-panel-390');
  await panel.getByTestId('version-row').filter({ hasText: 'Before PI planning' }).getByTestId('view-version').click();
  await page.getByTestId('version-view').waitFor();
  await cardOn(versionCanvas(page), 'Search by SKU').waitFor({ timeout: 20_000 });
  await screenshot(page, 'history-version-390');
  const view = (await page.getByTestId('version-view').boundingBox())!;
  assert.ok(view.width >= 389, 'the version takes the whole width of a phone');
  await page.getByTestId('back-to-live').click();
  await page.getByTestId('version-view').waitFor({ state: 'detached' });
  // The live board is back, the whole width of the phone (its camera where the template insert left it).
  assert.ok(((await live(page).boundingBox())?.width ?? 0) >= 389);
  await screenshot(page, 'history-back-to-live-390');

  // A viewer has no history at all.
  const viewer = await (await newParticipant(browser, 'Vi')).newPage();
  await viewer.goto(`${server.url}${board.links.view.url}`);
  await waitForCanvas(viewer);
  assert.equal(await viewer.getByTestId('history-button').count(), 0);
  await viewer.keyboard.press('Control+Alt+Shift+KeyH');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await viewer.getByTestId('history-panel').count(), 0);
  await viewer.context().close();
  await context.close();
});
