import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator } from 'playwright-core';
import { STORY_CARD_TYPE, type ImportResult, type StoryCardProps } from '@planboard/shared';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { card, currentTool, eventually, exportedShapes, launchBrowser, shapeIds, newParticipant, screenshot, waitForCanvas } from './browser.js';

// The backlog table (Shift+B) as a person uses it: sort by a header click, filter with the
// selects, search by typing, and edit cells in place; every edit reaches the other browser's
// canvas and the server.

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

const CSV = [
  'Summary,Issue key,Status,Story Points,Assignee,Labels,Description',
  'Search orders,SHOP-1,To Do,3,Ada,search,Find an order by number',
  'Export invoices,SHOP-2,In Progress,8,Grace,billing,Monthly PDF',
  'Refund a payment,SHOP-3,Done,5,Ada,billing,Partial refunds too',
  'Gift cards,SHOP-4,To Do,13,,checkout,Sell and redeem',
  'Order history,SHOP-5,Blocked,2,Grace,search,Waiting for the API',
].join('\n');

async function importCards(boardId: string, token: string): Promise<void> {
  const response = await fetch(`${server.url}/api/boards/${boardId}/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: CSV,
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(((await response.json()) as ImportResult).imported, 5);
}

/** The titles of the rows the table shows, top to bottom. */
function titles(table: Locator): Promise<string[]> {
  return table.getByTestId('cell-title').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
}

test('backlog table: sort, filter and search narrow the rows; inline edits of title, estimate, status, assignee, labels and priority reach the other browser and the server', async () => {
  const board = await createBoardWithLinks(server, 'Shop backlog', 'backlog');
  await importCards(board.id, board.links.edit.token);
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await ada.goto(server.url + board.links.owner.url);
  await grace.goto(server.url + board.links.edit.url);
  await Promise.all([waitForCanvas(ada), waitForCanvas(grace)]);

  // The Backlog button opens the table (Shift+B does too: see planning.test.ts).
  await ada.getByTestId('backlog-button').click();
  const table = ada.getByTestId('backlog-table');
  await table.waitFor();
  const count = table.getByTestId('backlog-count');
  await eventually(() => count.innerText(), (t) => t === '5 of 5 cards · 31 pts', 'all five cards counted');

  const shapesBefore = await shapeIds(ada);
  // Sort: one click on "Est." sorts ascending, a second descending.
  await table.getByTestId('sort-estimate').click();
  assert.deepEqual(await titles(table), ['Order history', 'Search orders', 'Refund a payment', 'Export invoices', 'Gift cards']);
  await table.getByTestId('sort-estimate').click();
  assert.deepEqual(await titles(table), ['Gift cards', 'Export invoices', 'Refund a payment', 'Search orders', 'Order history']);
  assert.equal((await table.locator('th[aria-sort="descending"]').innerText()).replace(/\s/g, ''), 'Est.▼');
  await table.getByTestId('sort-title').click();
  assert.deepEqual(await titles(table), ['Export invoices', 'Gift cards', 'Order history', 'Refund a payment', 'Search orders']);

  // Search: typed key by key into the search field (it has the focus when the table opens).
  await table.getByTestId('backlog-search').pressSequentially('billing');
  await eventually(() => titles(table), (t) => t.join() === 'Export invoices,Refund a payment', 'the search to keep the two billing cards');
  assert.equal(await count.innerText(), '2 of 5 cards · 13 pts');
  await table.getByTestId('backlog-search').press('Control+A');
  await table.getByTestId('backlog-search').pressSequentially('order');
  // "order" is in two titles and in one description ("Find an order by number" is Search orders').
  await eventually(() => titles(table), (t) => t.join() === 'Order history,Search orders', 'the search on "order"');
  await table.getByTestId('backlog-clear').click();
  await eventually(() => count.innerText(), (t) => t.startsWith('5 of 5'), 'clear filters to show every card');

  // Filters: status, then assignee on top of it.
  await table.getByTestId('filter-status').selectOption('todo');
  assert.deepEqual(await titles(table), ['Gift cards', 'Search orders']);
  await table.getByTestId('filter-assignee').selectOption('Ada');
  assert.deepEqual(await titles(table), ['Search orders']);
  assert.equal(await count.innerText(), '1 of 5 cards · 3 pts');
  await table.getByTestId('backlog-clear').click();
  await table.getByTestId('filter-label').selectOption('search');
  assert.deepEqual(await titles(table), ['Order history', 'Search orders']);
  await table.getByTestId('filter-estimate').selectOption('2');
  assert.deepEqual(await titles(table), ['Order history']);
  await table.getByTestId('backlog-clear').click();

  // Inline edits, typed into the cells: each one reaches Grace's canvas.
  // A row by its card's exact title (the row's text carries the title beside the input).
  const row = (title: string) => table.getByTestId('backlog-row').filter({ has: ada.locator('.mirror').filter({ hasText: new RegExp(`^${title}$`) }) });
  const gift = row('Gift cards');
  const typeInto = async (cell: Locator, text: string) => {
    await cell.click();
    await cell.press('Control+A');
    await cell.pressSequentially(text);
    await cell.press('Enter');
  };
  await typeInto(gift.getByTestId('cell-title'), 'Gift cards and vouchers');
  await card(grace, 'Gift cards and vouchers').waitFor({ timeout: 15_000 });
  const vouchers = row('Gift cards and vouchers');
  await vouchers.getByTestId('cell-estimate').selectOption('21');
  await vouchers.getByTestId('cell-status').selectOption('in-progress');
  await typeInto(vouchers.getByTestId('cell-assignee'), 'Linus Torvalds');
  await typeInto(vouchers.getByTestId('cell-labels'), 'checkout, payments');
  await vouchers.getByTestId('cell-priority').selectOption('high');

  const seen = card(grace, 'Gift cards and vouchers');
  await eventually(() => seen.getByTestId('card-estimate').innerText(), (t) => t === '21', 'the estimate on Grace\'s card');
  await eventually(() => seen.innerText(), (t) => /In progress/.test(t) && /payments/.test(t), 'the status and labels on Grace\'s card');
  assert.equal(await seen.locator('.pb-card__avatar').innerText(), 'LT');
  await eventually(() => seen.locator('.pb-card__priority--high').count(), (n) => n === 1, 'the priority mark on Grace\'s card');
  const stored = (await exportedShapes(server.url, board.id, board.links.owner.token, STORY_CARD_TYPE))
    .map((shape) => shape['props'] as StoryCardProps)
    .find((props) => props.externalKey === 'SHOP-4')!;
  assert.deepEqual(
    { title: stored.title, estimate: stored.estimate, status: stored.status, assignee: stored.assignee, labels: stored.labels, priority: stored.priority },
    { title: 'Gift cards and vouchers', estimate: '21', status: 'in-progress', assignee: 'Linus Torvalds', labels: ['checkout', 'payments'], priority: 'high' },
  );
  await eventually(() => count.innerText(), (t) => t === '5 of 5 cards · 39 pts', 'the footer total to follow the estimate');

  // Escape in a cell puts the card's value back; nothing is sent.
  const title = row('Search orders').getByTestId('cell-title');
  await title.click();
  await title.pressSequentially(' (draft)');
  await title.press('Escape');
  assert.equal(await title.inputValue(), 'Search orders');
  await card(grace, 'Search orders').waitFor();
  assert.equal(await card(grace, 'Search orders (draft)').count(), 0);
  // Nothing typed into the table reached the canvas as a shortcut (no shape drawn, no tool changed).
  assert.deepEqual(await shapeIds(ada), shapesBefore);
  assert.equal(await currentTool(ada), 'tools.select');
  await screenshot(ada, 'backlog-table');
  await ada.context().close();
  await grace.context().close();
});
