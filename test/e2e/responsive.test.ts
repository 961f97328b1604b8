import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser } from './browser.js';
import { SCREENS, assertNoHorizontalOverflow, assertOnScreen, personAt, screenshot, waitForBoard, type ScreenSize } from './person.js';

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

const TITLE = 'Checkout revamp: Q3 story map';
const JIRA_CSV = `Summary,Issue key,Issue Type,Status,Sprint,Parent summary,Reporter
Guest checkout without an account,SHOP-11,Story,To Do,,Checkout,Grace
Saved cards,SHOP-12,Story,In Progress,,Checkout,Grace
Search suggestions,SHOP-13,Story,To Do,,Search,Grace
`;

/** Opens the board as a person on `screen` through a link, checks the header, then uses Status, Export and Share. */
async function checkBoardPage(page: Page, screen: ScreenSize, role: 'owner' | 'viewer') {
  const where = `${role} at ${screen.width}×${screen.height}`;
  await waitForBoard(page);
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await screenshot(page, `responsive-${screen.name}-${role}`);
  await assertNoHorizontalOverflow(page, where);

  // The title stays readable: at least the first word shows, whatever the width.
  const title = page.getByRole('heading', { level: 1 });
  await assertOnScreen(page, title, `the board title (${where})`);
  const titleWidth = (await title.boundingBox())!.width;
  assert.ok(titleWidth >= (screen.name === 'phone' ? 60 : 200), `${where}: the title is ${titleWidth} px wide`);
  if (role === 'viewer') await assertOnScreen(page, page.getByTestId('view-only-badge'), `the view-only badge (${where})`);

  // Status: on screen, and a tap explains it.
  const status = page.getByTestId('connection-status');
  await assertOnScreen(page, status, `the connection status (${where})`);
  await status.click({ timeout: 5000 });
  const details = page.getByTestId('connection-details');
  await details.waitFor();
  await assertOnScreen(page, details, `the connection details (${where})`);
  assert.match((await details.textContent())!, /Live: every edit is saved/);
  await status.click({ timeout: 5000 });
  await details.waitFor({ state: 'detached' });

  // Export: on screen, its menu too.
  const exportButton = page.getByTestId('export-button');
  await assertOnScreen(page, exportButton, `Export (${where})`);
  await exportButton.click({ timeout: 5000 });
  const menu = page.getByRole('menu', { name: 'Export' });
  await menu.waitFor();
  await assertOnScreen(page, menu, `the export menu (${where})`);
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });

  // Share: on screen, and its dialog wholly on screen.
  const share = page.getByTestId('share-button');
  await assertOnScreen(page, share, `Share (${where})`);
  await share.click({ timeout: 5000 });
  const dialog = page.getByTestId('share-dialog');
  await dialog.waitFor();
  if (role === 'owner') await page.getByTestId('link-row').first().waitFor();
  await screenshot(page, `responsive-${screen.name}-${role}-share`);
  await assertOnScreen(page, dialog, `the share dialog (${where})`);
  await assertOnScreen(page, page.getByTestId('copy-view-link'), `Copy view link (${where})`);
  await assertNoHorizontalOverflow(page, `${where}, share dialog open`);
  await dialog.getByRole('button', { name: 'Close' }).click({ timeout: 5000 });
  await dialog.waitFor({ state: 'hidden' });

  // Secondary actions: inline where they fit, in the More menu where they do not; always reachable.
  const backlogInline = page.getByTestId('backlog-button');
  if (await backlogInline.isVisible()) {
    await backlogInline.click({ timeout: 5000 });
  } else {
    await page.getByTestId('more-button').click({ timeout: 5000 });
    const more = page.getByTestId('more-menu');
    await assertOnScreen(page, more, `the More menu (${where})`);
    if (role === 'owner' && screen.name !== 'desktop') assert.ok(await more.getByText('Import CSV…').isVisible(), 'Import CSV is in the More menu');
    await screenshot(page, `responsive-${screen.name}-${role}-more`);
    await page.getByTestId('menu-backlog').click({ timeout: 5000 });
  }
  const table = page.getByTestId('backlog-table');
  await table.waitFor();
  await assertOnScreen(page, table.getByRole('button', { name: 'Close backlog' }), `closing the backlog (${where})`);
  await assertNoHorizontalOverflow(page, `${where}, backlog open`);
  await page.keyboard.press('Escape');
  await table.waitFor({ state: 'detached' });

  // An owner imports from any screen: the dialog and its preview fit on it.
  if (role === 'owner') {
    const inline = page.getByTestId('import-button');
    if (await inline.isVisible()) await inline.click({ timeout: 5000 });
    else {
      await page.getByTestId('more-button').click({ timeout: 5000 });
      await page.getByTestId('menu-import').click({ timeout: 5000 });
    }
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-file').setInputFiles({ name: 'jira.csv', mimeType: 'text/csv', buffer: Buffer.from(JIRA_CSV) });
    await dialog.getByTestId('import-preview').waitFor();
    await screenshot(page, `responsive-${screen.name}-${role}-import`);
    await assertOnScreen(page, dialog, `the import dialog (${where})`);
    await assertNoHorizontalOverflow(page, `${where}, import preview open`);
    await dialog.getByTestId('import-confirm').scrollIntoViewIfNeeded();
    await assertOnScreen(page, dialog.getByTestId('import-confirm'), `the Import button (${where})`);
    await dialog.getByRole('button', { name: 'Cancel' }).click({ timeout: 5000 });
    await dialog.waitFor({ state: 'detached' });
  }

  // Swiping sideways does not move the page onto blank space.
  await page.mouse.move(screen.width / 2, screen.height / 2);
  await page.mouse.wheel(600, 0);
  assert.equal(await page.evaluate(() => window.scrollX), 0, `${where}: the page does not scroll sideways`);
}

for (const screen of SCREENS) {
  test(`board page at ${screen.width}×${screen.height}: no sideways overflow; title, status, Export and Share on screen and usable, for owner and viewer`, async () => {
    // The home page first: where a person starts, on the same screen.
    const home = await personAt(browser, screen, 'Olivia');
    try {
      const page = await home.newPage();
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Create board' }).waitFor();
      await screenshot(page, `responsive-${screen.name}-home`);
      await assertNoHorizontalOverflow(page, `home page at ${screen.width}×${screen.height}`);
      await assertOnScreen(page, page.getByLabel('Board title'), 'the board title field');
    } finally {
      await home.close();
    }

    const board = await createBoardWithLinks(server, TITLE, 'story-map');
    for (const role of ['owner', 'viewer'] as const) {
      const context = await personAt(browser, screen, role === 'owner' ? 'Olivia' : 'Victor');
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}${board.links[role === 'owner' ? 'owner' : 'view'].url}`);
        await checkBoardPage(page, screen, role);
      } finally {
        await context.close();
      }
    }
  });
}

test('editing on a tablet (820×1180): a card placed and named by keyboard, estimated in the panel, which does not cover it', async () => {
  const tablet = SCREENS.find((s) => s.name === 'tablet')!;
  const board = await createBoardWithLinks(server, 'Sprint 7 planning', 'sprint');
  const context = await personAt(browser, tablet, 'Tess');
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}${board.links.edit.url}`);
    await waitForBoard(page);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+1'); // zoom to fit
    await page.waitForTimeout(400);
    const label = (await page.locator('.tl-frame-heading').filter({ hasText: /^Backlog/ }).first().boundingBox())!;
    await page.keyboard.press('c');
    await page.mouse.click(label.x + 80, label.y + label.height + 80);
    await page.getByTestId('card-title-input').waitFor();
    await page.keyboard.type('Tablet-made story');
    await page.keyboard.press('Enter');
    const card = page.getByTestId('story-card').filter({ hasText: 'Tablet-made story' });
    await card.waitFor();
    const box = (await card.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const panel = page.getByTestId('card-panel');
    await panel.getByRole('button', { name: '3 points', exact: true }).click();
    await card.getByTestId('card-estimate').filter({ hasText: /^3$/ }).waitFor();
    await page.waitForTimeout(500);
    const cardBox = (await card.boundingBox())!;
    const panelBox = (await panel.boundingBox())!;
    const apart = cardBox.x >= panelBox.x + panelBox.width || cardBox.x + cardBox.width <= panelBox.x || cardBox.y >= panelBox.y + panelBox.height || cardBox.y + cardBox.height <= panelBox.y;
    assert.ok(apart, `the panel ${JSON.stringify(panelBox)} leaves the card ${JSON.stringify(cardBox)} in sight`);
    await screenshot(page, 'responsive-tablet-editing');
    await assertNoHorizontalOverflow(page, 'tablet while editing');
    const response = await fetch(`${server.url}/api/boards/${board.id}/export.csv`, { headers: { authorization: `Bearer ${board.links.view.token}` } });
    assert.match(await response.text(), /Tablet-made story,,3,/);
  } finally {
    await context.close();
  }
});
