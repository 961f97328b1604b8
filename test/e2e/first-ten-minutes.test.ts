import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { derivePlanning, type BoardExport, type StoredRecord } from '@planboard/shared';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { eventually, launchBrowser } from './browser.js';
import { SCREENS, assertNoHorizontalOverflow, assertOnScreen, personAt, screenshot, waitForBoard } from './person.js';

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

const desktop = SCREENS.find((s) => s.name === 'desktop')!;
const phone = SCREENS.find((s) => s.name === 'phone')!;

// Shaped like a Jira Cloud export: a sprint named as Jira names it, an epic, columns Planboard does not use.
const JIRA_CSV = `Summary,Issue key,Issue Type,Status,Priority,Sprint,Parent summary,Reporter,Created
Guest checkout,SHOP-11,Story,To Do,High,SHOP Sprint 1,Checkout,Grace,2026-11-02
Saved cards,SHOP-12,Story,In Progress,Medium,SHOP Sprint 1,Checkout,Grace,2026-11-02
Search suggestions,SHOP-13,Story,To Do,Low,,Search,Grace,2026-11-03
Search by category,SHOP-14,Story,To Do,Low,,Search,Grace,2026-11-03
Fix footer links,SHOP-15,Bug,Done,Lowest,,,Grace,2026-11-04
`;

/** The board as the server has it (over HTTP, with the owner's link). */
async function exported(boardId: string, token: string): Promise<StoredRecord[]> {
  const response = await fetch(`${server.url}/api/boards/${boardId}/export.json`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  return Object.values(((await response.json()) as BoardExport).records) as StoredRecord[];
}

/** The name of a lane (a frame) as the canvas shows it. */
const laneLabel = (page: Page, name: string) => page.locator('.tl-frame-heading').filter({ hasText: new RegExp(`^${name}`) }).first();
const card = (page: Page, title: string) => page.getByTestId('story-card').filter({ hasText: title }).first();

/** Places a story card as a person does: C, click in the lane under its name, type the title, Enter. */
async function placeCard(page: Page, lane: string, title: string, slot: number) {
  await page.keyboard.press('Escape');
  const label = await laneLabel(page, lane).boundingBox();
  assert.ok(label, `the ${lane} lane is on screen`);
  await page.keyboard.press('c');
  await page.mouse.click(label.x + 110, label.y + label.height + 60 + slot * 110);
  const input = page.getByTestId('card-title-input');
  await input.waitFor({ timeout: 10_000 });
  await page.keyboard.type(title, { delay: 15 });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'detached' });
  await card(page, title).waitFor();
}

/** Clicks a card where it is on screen (the canvas, not the card's HTML, takes the pointer). */
async function clickCard(page: Page, title: string) {
  const box = await card(page, title).boundingBox();
  assert.ok(box, `the card "${title}" is on screen`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** True when two on-screen boxes share any pixel. */
function overlap(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function onScreenCard(page: Page, cards: Locator): Promise<Locator | null> {
  for (let i = 0; i < (await cards.count()); i++) {
    const box = await cards.nth(i).boundingBox();
    if (box && box.x >= 0 && box.y >= 60 && box.x + box.width <= phone.width && box.y + box.height <= phone.height - 80) return cards.nth(i);
  }
  return null;
}

test('the first ten minutes: template, three cards by keyboard, an estimate, a Jira import with its preview, a view link opened on a phone, revoked', async () => {
  const owner = await personAt(browser, desktop, 'Priya');
  const page = await owner.newPage();

  // 1. A board from a template, on the home page.
  await page.goto(server.url);
  await page.getByLabel('Board title').click();
  await page.keyboard.type('Sprint 12 planning');
  await page.getByTestId('template-sprint').click();
  await screenshot(page, 'ftm-01-home');
  await page.getByRole('button', { name: 'Create board' }).click();
  await waitForBoard(page);
  await page.getByRole('heading', { level: 1, name: 'Sprint 12 planning' }).waitFor();
  const boardId = new URL(page.url()).pathname.split('/').at(-1)!;
  await screenshot(page, 'ftm-02-board');

  // 2. Three cards, named by keyboard (after Shift+1, "zoom to fit", so the lanes are in view).
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+1');
  await page.waitForTimeout(400);
  const titles = ['Checkout with Apple Pay', 'Order history page', 'Email receipts'];
  for (const [i, title] of titles.entries()) await placeCard(page, 'Backlog', title, i);
  await screenshot(page, 'ftm-03-three-cards');

  // 3. An estimate, from the card panel's buttons (named for screen readers).
  await page.keyboard.press('Escape');
  await clickCard(page, titles[0]!);
  const panel = page.getByTestId('card-panel');
  await panel.waitFor();
  await assertOnScreen(page, panel.getByRole('button', { name: 'no estimate', exact: true }), 'the "no estimate" button');
  await assertOnScreen(page, panel.getByRole('button', { name: 'unknown', exact: true }), 'the "unknown" button');
  await panel.getByRole('button', { name: '5 points', exact: true }).click();
  await card(page, titles[0]!).getByTestId('card-estimate').filter({ hasText: /^5$/ }).waitFor();
  await screenshot(page, 'ftm-04-estimated');

  // 4. A Jira file, previewed before it changes the board.
  await page.keyboard.press('Escape');
  await page.getByTestId('import-button').click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByTestId('import-file').setInputFiles({ name: 'jira-sprint-12.csv', mimeType: 'text/csv', buffer: Buffer.from(JIRA_CSV) });
  const preview = dialog.getByTestId('import-preview');
  await preview.waitFor();
  await screenshot(page, 'ftm-05-import-preview');
  assert.equal((await preview.getByTestId('preview-summary').textContent())!.trim(), '5 cards found');
  assert.equal(
    (await preview.getByTestId('preview-destinations').textContent())!.replace(/\s+/g, ' ').trim(),
    '2 into Sprint 1 (by their sprint) · 3 into Backlog',
  );
  const notes = await preview.getByTestId('preview-notes').textContent();
  assert.match(notes!, /No story points column/);
  assert.match(notes!, /Issue Type, Reporter and Created are not used/);
  const becomes = async (header: string) => (await preview.locator(`[data-testid="preview-columns"] tr[data-header="${header}"] td`).nth(1).textContent())?.trim();
  assert.equal(await becomes('Summary'), 'Title');
  assert.equal(await becomes('Sprint'), 'Sprint frame of that name');
  assert.equal(await becomes('Issue Type'), 'Not used');
  assert.equal(await preview.getByTestId('preview-rows').locator('tbody tr').count(), 5);
  // Nothing has changed yet: the board still holds its three cards.
  assert.equal(await page.getByTestId('story-card').count(), 3);
  await dialog.getByTestId('import-confirm').click();
  await dialog.getByTestId('import-result').waitFor();
  await screenshot(page, 'ftm-06-imported');
  await dialog.getByTestId('import-done').click();
  await card(page, 'Guest checkout').waitFor();
  await screenshot(page, 'ftm-07-imported-on-board');
  // 5. A view link, opened on a phone.
  await page.keyboard.press('Escape');
  await page.getByTestId('share-button').click();
  await page.getByTestId('copy-view-link').click();
  const link = await page.getByTestId('shared-link').inputValue();
  assert.match(link, new RegExp(`/b/${boardId}#`));
  await screenshot(page, 'ftm-08-share');
  // The server has the imported cards where the file said: its sprint's cards in the sprint frame.
  const model = derivePlanning(await exported(boardId, decodeURIComponent(new URL(link).hash.slice(1))));
  const laneOf = (title: string) => model.lanes.find((l) => l.id === model.cards.find((c) => c.props.title === title)?.laneId)?.name;
  assert.deepEqual(['Guest checkout', 'Saved cards', 'Search suggestions', 'Fix footer links', 'Email receipts'].map(laneOf), ['Sprint 1', 'Sprint 1', 'Backlog', 'Backlog', 'Backlog']);
  assert.equal(model.cards.length, 8);

  await page.getByTestId('share-dialog').getByRole('button', { name: 'Close' }).click();

  const stakeholder = await personAt(browser, phone, 'Sam');
  const mobile = await stakeholder.newPage();
  await mobile.goto(link);
  await waitForBoard(mobile);
  await mobile.getByTestId('view-only-badge').waitFor();
  await screenshot(mobile, 'ftm-09-phone-view');
  await assertNoHorizontalOverflow(mobile, 'the view link on a phone');
  await assertOnScreen(mobile, mobile.getByRole('heading', { level: 1, name: 'Sprint 12 planning' }), 'the board title on the phone');

  // The stakeholder taps a card: its details slide up from the bottom and the card stays in sight.
  let tapped = await onScreenCard(mobile, mobile.getByTestId('story-card'));
  if (!tapped) {
    // Not in the first view: the backlog table brings one there.
    await mobile.getByTestId('more-button').click();
    await mobile.getByTestId('menu-backlog').click();
    await mobile.getByTestId('backlog-row').first().click();
    await mobile.keyboard.press('Escape');
    await mobile.getByTestId('backlog-table').waitFor({ state: 'detached' });
    await mobile.waitForTimeout(600);
    tapped = await onScreenCard(mobile, mobile.getByTestId('story-card'));
  }
  assert.ok(tapped, 'a card is on the phone screen');
  const before = (await tapped.boundingBox())!;
  await mobile.touchscreen.tap(before.x + before.width / 2, before.y + before.height / 2);
  const sheet = mobile.getByTestId('card-panel');
  await sheet.waitFor();
  // The canvas pans the card out from under the sheet (longer on a busy machine): wait for it.
  const { cardBox, sheetBox } = await eventually(
    async () => ({ cardBox: (await tapped.boundingBox())!, sheetBox: (await sheet.boundingBox())! }),
    ({ cardBox, sheetBox }) => !overlap(cardBox, sheetBox),
    'the sheet not to cover the tapped card',
    5_000,
  );
  assert.ok(sheetBox.width >= phone.width - 2 && sheetBox.y + sheetBox.height >= phone.height - 2, `a bottom sheet: ${JSON.stringify(sheetBox)}`);
  assert.ok(cardBox.y >= 52, 'the card is below the header');
  assert.ok(await sheet.getByTestId('panel-title').isDisabled(), 'view only: the fields cannot be changed');
  await screenshot(mobile, 'ftm-10-phone-card');
  await assertNoHorizontalOverflow(mobile, 'the phone with the sheet open');
  await sheet.getByTestId('panel-done').click();
  await sheet.waitFor({ state: 'detached' });

  // 6. The owner revokes the link: asked first, told that one person is using it.
  await page.getByTestId('share-button').click();
  const row = page.locator('[data-testid="link-row"][data-label="View link"]');
  await row.getByTestId('link-active').filter({ hasText: '1 now' }).waitFor();
  await row.getByTestId('revoke-link').click();
  const confirm = page.getByTestId('revoke-confirm');
  await confirm.waitFor();
  assert.match((await confirm.getByTestId('revoke-count').textContent())!, /1 person is using it now and will lose access at once/);
  await screenshot(page, 'ftm-11-revoke-confirm');
  // Keeping it keeps it.
  await confirm.getByTestId('revoke-cancel').click();
  await confirm.waitFor({ state: 'detached' });
  assert.ok(await mobile.getByTestId('view-only-badge').isVisible(), 'still open on the phone');
  await row.getByTestId('revoke-link').click();
  await page.getByTestId('revoke-confirm-button').click();
  await row.waitFor({ state: 'detached' });
  await mobile.getByRole('heading', { name: 'Your access to this board has ended' }).waitFor({ timeout: 5000 });
  await screenshot(mobile, 'ftm-12-phone-revoked');

  await stakeholder.close();
  await owner.close();
});

test('backlog table at 1280×800: main columns without widening, Escape closes it from anywhere in it', async () => {
  const board = await createBoardWithLinks(server, 'Grooming', 'backlog');
  await fetch(`${server.url}/api/boards/${board.id}/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${board.links.edit.token}` },
    body: JIRA_CSV,
  });
  const context = await personAt(browser, desktop, 'Lin');
  const page = await context.newPage();
  await page.goto(`${server.url}${board.links.edit.url}`);
  await waitForBoard(page);
  await page.mouse.click(640, 400);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+B');
  const table = page.getByTestId('backlog-table');
  await table.waitFor();
  await table.getByTestId('backlog-row').first().waitFor();
  await screenshot(page, 'backlog-01-open');
  const area = (await table.boundingBox())!;
  for (const column of ['key', 'title', 'lane', 'estimate', 'votes', 'status', 'assignee', 'labels']) {
    const box = (await table.getByTestId(`sort-${column}`).boundingBox())!;
    assert.ok(box.x >= area.x && box.x + box.width <= area.x + area.width, `the ${column} column is in view without widening`);
  }
  assert.equal(await table.getByRole('button', { name: 'Wide table' }).getAttribute('aria-pressed'), 'false');
  // Spoken estimate names in the cells' choices.
  const estimate = table.getByTestId('cell-estimate').first();
  assert.equal(await estimate.locator('option[value="none"]').getAttribute('aria-label'), 'no estimate');
  assert.equal(await estimate.locator('option[value="?"]').getAttribute('aria-label'), 'unknown');

  // Escape from a filter (not only from the search box) closes the table.
  await table.getByTestId('filter-status').focus();
  await page.keyboard.press('Escape');
  await table.waitFor({ state: 'detached' });
  // And from the search box after typing: the first Escape clears the search, the second closes.
  await page.keyboard.press('Shift+B');
  await table.waitFor();
  await page.keyboard.type('Search');
  await page.keyboard.press('Escape');
  assert.equal(await table.getByTestId('backlog-search').inputValue(), '');
  await page.keyboard.press('Escape');
  await table.waitFor({ state: 'detached' });
  await context.close();
});

test('when the connection drops, a banner says edits are kept and will sync; it goes when they have', async () => {
  const board = await createBoardWithLinks(server, 'Train ride', 'sprint');
  const imported = await fetch(`${server.url}/api/boards/${board.id}/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${board.links.edit.token}` },
    body: 'Summary,Issue key\nOffline edits,T-1\n',
  });
  assert.equal(imported.status, 200);
  const context = await personAt(browser, desktop, 'Ada');
  const page = await context.newPage();
  await page.goto(`${server.url}${board.links.edit.url}`);
  await waitForBoard(page);
  const banner = page.getByTestId('connection-banner');
  assert.equal(await banner.count(), 0, 'no banner while connected');

  await server.kill();
  await banner.and(page.locator('[data-state="offline"]')).waitFor({ timeout: 15_000 });
  assert.match((await banner.textContent())!, /Your edits are kept on this device and will sync when the connection is back/);

  // An edit while the server is gone.
  await clickCard(page, 'Offline edits');
  await page.getByTestId('card-panel').getByRole('button', { name: '8 points', exact: true }).click();
  await card(page, 'Offline edits').getByTestId('card-estimate').filter({ hasText: /^8$/ }).waitFor();
  await banner.filter({ hasText: /waiting/ }).waitFor();
  // The card sat where the card panel opens: the canvas pans it out from under the panel.
  await eventually(
    async () => ({ panelBox: (await page.getByTestId('card-panel').boundingBox())!, cardBox: (await card(page, 'Offline edits').boundingBox())! }),
    ({ panelBox, cardBox }) => !overlap(panelBox, cardBox),
    'the card panel not to cover the card',
    5_000,
  );
  await screenshot(page, 'banner-01-offline');

  const restarted = await startServer({ dataDir: server.dataDir, port: server.port });
  server = restarted;
  await banner.and(page.locator('[data-state="synced"]')).waitFor({ timeout: 20_000 });
  assert.match((await banner.textContent())!, /Back online\.\s*Your edits are synced\./);
  await screenshot(page, 'banner-02-synced');
  await banner.waitFor({ state: 'detached', timeout: 10_000 });
  const model = derivePlanning(await exported(board.id, board.links.owner.token));
  assert.equal(model.cards.find((c) => c.props.externalKey === 'T-1')?.props.estimate, '8', 'the offline edit reached the server');
  await context.close();
});
