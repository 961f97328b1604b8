import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { PLANNING_META_KEY, STORY_CARD_TYPE, type StoryCardProps } from '@planboard/shared';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import {
  boxOf,
  card,
  currentTool,
  drag,
  eventually,
  exportedShapes,
  focusCanvas,
  lane,
  laneTotal,
  launchBrowser,
  newParticipant,
  pointIn,
  screenshot,
  shapeIds,
  shapesOnScreen,
  waitForCanvas,
  waitForText,
  zoomToFit,
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

/**
 * Places a story card the way a person does: press C, click in the lane, type the title with
 * real key presses, Enter. Typing must go into the title: no tool changes, no stray shape.
 */
async function addCard(page: Page, laneName: string, title: string, fx = 0.3, fy = 0.3, via: 'key' | 'toolbar' = 'key'): Promise<void> {
  const point = await pointIn(lane(page, laneName), fx, fy);
  await focusCanvas(page);
  await page.keyboard.press('Escape');
  if (via === 'key') await page.keyboard.press('c');
  else await page.getByTestId('tools.story-card').click();
  assert.equal(await currentTool(page), 'tools.story-card');
  const before = await shapeIds(page);
  await page.mouse.click(point.x, point.y);
  const input = page.getByTestId('card-title-input');
  await input.waitFor({ timeout: 10_000 }).catch(async (error: Error) => {
    await screenshot(page, 'add-card-failed');
    throw new Error(`${error.message}\nno title editor after placing a card in ${laneName}; focus is on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 160))}`);
  });
  const tool = await currentTool(page);
  // Card titles hold letters that are tool shortcuts (r, e, a, t, d ...): they must reach the title.
  await page.keyboard.type(title);
  assert.equal(await currentTool(page), tool, `typing "${title}" changed the tool`);
  assert.equal(await input.inputValue(), title, 'every key reached the title');
  await page.keyboard.press('Enter');
  await card(page, title).waitFor();
  const after = await shapeIds(page);
  assert.equal(after.length, before.length + 1, `placing "${title}" added one shape, no stray one`);
  assert.equal(await shapesOnScreen(page, STORY_CARD_TYPE).filter({ hasText: title }).count(), 1);
}

/** Clicks the middle of a card on screen (Shift held to add it to the selection). */
async function clickCard(page: Page, title: string, shift = false): Promise<void> {
  const point = await pointIn(card(page, title), 0.25, 0.75);
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.click(point.x, point.y);
  if (shift) await page.keyboard.up('Shift');
}

/** Selects a lane by clicking its heading, as a person selects a frame. */
async function selectLane(page: Page, name: string): Promise<void> {
  const heading = lane(page, name).locator('.tl-frame-heading');
  const point = await pointIn(heading, 0.3, 0.5);
  await page.mouse.click(point.x, point.y);
}

/** Clears a field and types a new value with real key presses. */
async function retype(page: Page, testId: string, value: string, commit: 'Enter' | 'Tab' = 'Enter'): Promise<void> {
  const field = page.getByTestId(testId);
  await field.click();
  await field.press('Control+A');
  await field.pressSequentially(value);
  await field.press(commit);
}

/** The edit link, copied from the Share dialog like an owner sends it to the team. */
async function copyEditLink(page: Page): Promise<string> {
  await page.getByTestId('share-button').click();
  await page.getByRole('button', { name: 'Copy edit link' }).click();
  await page.getByRole('button', { name: 'Copied!' }).waitFor();
  const url = await page.evaluate(() => navigator.clipboard.readText());
  await page.getByTestId('share-dialog').getByRole('button', { name: 'Close' }).click();
  return url;
}

async function storedCards(boardId: string, token: string): Promise<Map<string, StoryCardProps>> {
  const cards = await exportedShapes(server.url, boardId, token, STORY_CARD_TYPE);
  return new Map(cards.map((c) => [(c['props'] as StoryCardProps).title, c['props'] as StoryCardProps]));
}

test('story map from the home page: cards in two releases, release and activity totals live in a second browser, activities and steps added in the panel', async () => {
  const adaContext = await newParticipant(browser, 'Ada');
  await adaContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const ada = await adaContext.newPage();
  await ada.goto(server.url);
  await ada.getByLabel('Board title').pressSequentially('Checkout story map');
  await ada.getByTestId('template-story-map').click();
  await ada.getByRole('button', { name: 'Create board' }).click();
  await ada.waitForURL(/\/b\/[0-9a-z]{14}$/);
  await waitForCanvas(ada);
  await zoomToFit(ada);
  for (const release of ['MVP', 'Release 2', 'Later']) await waitForText(ada, laneTotal(release), '0 cards · 0 pts');
  const editUrl = await copyEditLink(ada);
  const boardId = new URL(editUrl).pathname.split('/')[2]!;
  const token = decodeURIComponent(new URL(editUrl).hash.slice(1));

  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await grace.goto(editUrl);
  await waitForCanvas(grace);
  await waitForText(grace, laneTotal('MVP'), '0 cards · 0 pts');

  // Ada adds two cards to the MVP and one to Release 2, estimating them in the card panel.
  await addCard(ada, 'MVP', 'Sign up with email');
  await ada.getByTestId('panel-estimate-3').click();
  await addCard(ada, 'MVP', 'Pay by card', 0.3, 0.75);
  await ada.getByTestId('panel-estimate-5').click();
  await addCard(ada, 'Release 2', 'Pay with Apple Pay');
  await ada.getByTestId('panel-estimate-8').click();

  await waitForText(grace, laneTotal('MVP'), '2 cards · 8 pts');
  await waitForText(grace, laneTotal('Release 2'), '1 card · 8 pts');
  await waitForText(grace, laneTotal('Later'), '0 cards · 0 pts');
  // The first activity column holds all three cards.
  await waitForText(grace, '[data-testid="activity-total"][data-name="Activity 1"]', '3 cards · 16 pts');

  // Grace drags "Pay by card" from the MVP to Release 2: both browsers recount.
  await zoomToFit(grace);
  await drag(grace, await pointIn(card(grace, 'Pay by card'), 0.5, 0.75), await pointIn(lane(grace, 'Release 2'), 0.3, 0.75));
  await waitForText(ada, laneTotal('MVP'), '1 card · 3 pts');
  await waitForText(ada, laneTotal('Release 2'), '2 cards · 13 pts');

  // Growing the map from the panel: a release, an activity, and a step under Activity 2.
  const notesBefore = (await shapeIds(grace, 'note')).length;
  await focusCanvas(ada);
  await ada.keyboard.press('Escape');
  await ada.getByTestId('add-release').click();
  // Grace looks at the whole board again to see the new release (off screen, a lane draws nothing).
  await eventually(async () => {
    await zoomToFit(grace);
    return grace.locator(laneTotal('Release 3')).count();
  }, (n) => n === 1, 'the new release on Grace\'s screen');
  await waitForText(grace, laneTotal('Release 3'), '0 cards · 0 pts');
  await ada.getByTestId('add-activity').click();
  await waitForText(grace, '[data-testid="activity-total"][data-name="New activity"]', '0 cards · 0 pts');
  await zoomToFit(ada);
  assert.ok(await ada.getByTestId('add-step').isDisabled(), 'a step needs an activity chosen first');
  const activity = shapesOnScreen(ada, 'note').filter({ hasText: 'Activity 2' });
  const activityPoint = await pointIn(activity, 0.5, 0.5);
  await ada.mouse.click(activityPoint.x, activityPoint.y);
  await ada.getByTestId('add-step').click();
  await eventually(() => shapesOnScreen(grace, 'note').filter({ hasText: 'New step' }).count(), (n) => n === 2, 'the new activity\'s step and the added step on Grace\'s screen');
  // An activity and a step note were added (each activity comes with its first step).
  await eventually(async () => (await shapeIds(grace, 'note')).length, (n) => n === notesBefore + 3, 'Grace to see the new activity, its step and the new step');
  const stored = await exportedShapes(server.url, boardId, token, 'note');
  const kinds = stored.map((s) => (s['meta'] as Record<string, { kind?: string }>)[PLANNING_META_KEY]?.kind).sort();
  assert.deepEqual(kinds, ['activity', 'activity', 'activity', 'activity', 'step', 'step', 'step', 'step', 'step']);
  await screenshot(ada, 'story-map');
  await adaContext.close();
  await grace.context().close();
});

test('sprint planning: table, canvas and panel edits reach the other browser; a row click brings its card into the free part of the screen', async () => {
  const board = await createBoardWithLinks(server, 'Sprint 14', 'sprint');
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await ada.goto(server.url + board.links.owner.url);
  await grace.goto(server.url + board.links.edit.url);
  await Promise.all([waitForCanvas(ada), waitForCanvas(grace)]);
  await zoomToFit(ada);
  await waitForText(grace, laneTotal('Sprint 1'), '0 / 30 pts · 0 cards');

  await addCard(ada, 'Sprint 1', 'Password reset');
  await addCard(ada, 'Sprint 1', 'Audit log', 0.3, 0.6);
  await ada.keyboard.press('Escape');
  await waitForText(grace, laneTotal('Sprint 1'), '0 / 30 pts + 2 unestimated · 2 cards');

  // Ada opens the backlog table with Shift+B and estimates "Password reset" at 13.
  await focusCanvas(ada);
  await ada.keyboard.press('Shift+B');
  const table = ada.getByTestId('backlog-table');
  await table.waitFor();
  const row = (title: string) => table.getByTestId('backlog-row').filter({ hasText: title });
  await row('Password reset').getByTestId('cell-estimate').selectOption('13');
  await grace.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="story-card"]')).some((c) => c.textContent?.includes('Password reset') && c.querySelector('[data-testid="card-estimate"]')?.textContent === '13'), undefined, { timeout: 15_000 });
  await waitForText(grace, laneTotal('Sprint 1'), '13 / 30 pts + 1 unestimated · 2 cards');

  // Over capacity: the total turns to the warning colour for everyone.
  await row('Audit log').getByTestId('cell-estimate').selectOption('21');
  await waitForText(grace, laneTotal('Sprint 1'), '34 / 30 pts · 2 cards');
  assert.match((await grace.locator(laneTotal('Sprint 1')).getAttribute('class')) ?? '', /pb-total--over/);

  // Grace clicks "Audit log" on her canvas and sets its status in the card panel; Ada's table follows.
  await zoomToFit(grace);
  await clickCard(grace, 'Audit log');
  await grace.getByTestId('card-panel').getByText('Story card', { exact: true }).waitFor();
  await grace.getByTestId('panel-status').selectOption('blocked');
  await eventually(() => row('Audit log').getByTestId('cell-status').inputValue(), (v) => v === 'blocked', 'Ada\'s table to show the status');

  // Grace selects the sprint by its heading and types a new capacity: back under capacity.
  await focusCanvas(grace);
  await grace.keyboard.press('Escape');
  await selectLane(grace, 'Sprint 1');
  await retype(grace, 'panel-capacity', '40');
  await waitForText(ada, laneTotal('Sprint 1'), '34 / 40 pts · 2 cards');

  // Grace renames a card inline: double-click its title, type, Enter. Ada's table follows.
  await focusCanvas(grace);
  await grace.keyboard.press('Escape');
  const title = await pointIn(card(grace, 'Password reset'), 0.5, 0.5);
  const graceShapes = await shapeIds(grace);
  await grace.mouse.dblclick(title.x, title.y);
  await grace.getByTestId('card-title-input').waitFor();
  const graceTool = await currentTool(grace);
  await grace.keyboard.press('End');
  await grace.keyboard.type(' by email');
  assert.equal(await currentTool(grace), graceTool, 'typing the new title changed the tool');
  await grace.keyboard.press('Enter');
  assert.deepEqual(await shapeIds(grace), graceShapes, 'renaming drew nothing');
  await row('Password reset by email').waitFor({ timeout: 15_000 });

  // Ada pans the canvas until the card is out of the part of the screen she can see, then clicks its
  // row: the card comes back into the part that neither the table nor the card panel covers, selected.
  const freeArea = async () => {
    const canvas = await boxOf(ada.locator('.tl-canvas'));
    const tableBox = await boxOf(table);
    const panel = ada.getByTestId('card-panel');
    const panelBox = (await panel.isVisible()) ? await boxOf(panel) : null;
    return { left: panelBox ? panelBox.x + panelBox.width : canvas.x, right: tableBox.x, top: canvas.y, bottom: canvas.y + canvas.height };
  };
  type Box = { x: number; y: number; width: number; height: number };
  type Area = Awaited<ReturnType<typeof freeArea>>;
  const inside = (box: Box, area: Area) => box.x >= area.left && box.x + box.width <= area.right && box.y >= area.top && box.y + box.height <= area.bottom;
  const overlaps = (box: Box | null, area: Area) => box !== null && box.x < area.right && box.x + box.width > area.left && box.y < area.bottom && box.y + box.height > area.top;
  await focusCanvas(ada);
  await ada.keyboard.press('Escape');
  await ada.keyboard.press('h');
  const area = await freeArea();
  for (let i = 0; i < 2; i++) await drag(ada, { x: area.left + 40, y: area.top + 60 }, { x: area.right - 40, y: area.bottom - 40 });
  await ada.keyboard.press('v');
  await eventually(async () => card(ada, 'Audit log').boundingBox().catch(() => null), (box) => !overlaps(box, area), 'the card to leave the part of the screen Ada sees')
    .catch(async (error: Error) => {
      await screenshot(ada, 'pan-failed');
      throw error;
    });
  await row('Audit log').locator('td').first().click();
  await ada.getByTestId('card-panel').getByText('Story card', { exact: true }).waitFor();
  assert.equal(await ada.getByTestId('panel-title').inputValue(), 'Audit log', 'the row\'s card is the one selected');
  // The camera glides there (longer on a busy machine): wait for it to arrive, not a fixed time.
  await eventually(
    async () => ({ cardBox: await boxOf(card(ada, 'Audit log')), free: await freeArea() }),
    ({ cardBox, free }) => inside(cardBox, free),
    'the card to be inside the free part of the screen',
    5_000,
  );
  await screenshot(ada, 'row-click-finds-card');

  // Multi-select editing: click one card, Shift+click the other, one change in the panel.
  await focusCanvas(ada);
  await ada.keyboard.press('Shift+B');
  await table.waitFor({ state: 'detached' });
  await zoomToFit(ada);
  await clickCard(ada, 'Password reset by email');
  await clickCard(ada, 'Audit log', true);
  await ada.getByTestId('card-panel').getByText('2 story cards').waitFor({ timeout: 5000 }).catch(async (error: Error) => {
    await screenshot(ada, 'multi-select-failed');
    throw error;
  });
  await ada.getByTestId('panel-priority').selectOption('high');
  await eventually(() => grace.locator('[data-testid="story-card"] .pb-card__priority--high').count(), (n) => n === 2, 'both cards marked high priority on Grace\'s screen');
  const cards = await storedCards(board.id, board.links.owner.token);
  assert.deepEqual([...cards.values()].map((c) => c.priority), ['high', 'high']);

  // A template inserted later lands beside the sprint, with its own totals, for everyone.
  await ada.getByTestId('insert-template').selectOption('retro');
  await waitForText(grace, laneTotal('Went well'), '0 cards · 0 pts');
  await waitForText(grace, laneTotal('Sprint 1'), '34 / 40 pts · 2 cards');
  await screenshot(ada, 'sprint');
  await ada.context().close();
  await grace.context().close();
});

test('card panel: title, description, assignee, labels, votes and key typed in the panel reach the card on the other screen and the server', async () => {
  const board = await createBoardWithLinks(server, 'Grooming', 'backlog');
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await ada.goto(server.url + board.links.owner.url);
  await grace.goto(server.url + board.links.edit.url);
  await Promise.all([waitForCanvas(ada), waitForCanvas(grace)]);
  await zoomToFit(ada);
  await addCard(ada, 'Inbox', 'Search orders', 0.3, 0.3, 'toolbar');

  // The card is selected after placing it: Ada fills in the panel, field by field, with keys.
  const shapesBefore = await shapeIds(ada);
  await retype(ada, 'panel-title', 'Search past orders', 'Tab');
  await retype(ada, 'panel-description', 'As a buyer I find an order by its number or an item in it.', 'Tab');
  await retype(ada, 'panel-assignee', 'Grace Hopper', 'Tab');
  await retype(ada, 'panel-labels', 'search, web,  api ', 'Tab');
  await retype(ada, 'panel-votes', '4', 'Tab');
  await retype(ada, 'panel-key', 'SHOP-7', 'Tab');
  await ada.getByTestId('panel-priority').selectOption('urgent');
  // None of those keys reached the canvas (the text holds r, e, a, d, t ...: tool shortcuts there).
  assert.deepEqual(await shapeIds(ada), shapesBefore, 'typing in the panel drew nothing');
  assert.equal(await currentTool(ada), 'tools.select', 'typing in the panel changed no tool');

  const seen = card(grace, 'Search past orders');
  await seen.waitFor({ timeout: 15_000 });
  await eventually(() => seen.innerText(), (text) => /SHOP-7/.test(text) && /● 4/.test(text), 'the key and votes on Grace\'s card');
  assert.match(await seen.locator('.pb-card__labels').innerText(), /search[\s\S]*web[\s\S]*api/);
  assert.equal(await seen.locator('.pb-card__avatar').innerText(), 'GH');
  const stored = (await storedCards(board.id, board.links.owner.token)).get('Search past orders')!;
  assert.equal(stored.description, 'As a buyer I find an order by its number or an item in it.');
  assert.equal(stored.assignee, 'Grace Hopper');
  assert.deepEqual(stored.labels, ['search', 'web', 'api']);
  assert.equal(stored.votes, 4);
  assert.equal(stored.externalKey, 'SHOP-7');
  assert.equal(stored.priority, 'urgent');
  await eventually(() => seen.locator('.pb-card__priority--urgent').count(), (n) => n === 1, 'the urgent mark on Grace\'s card');
  // Grace selects the card and sees the same values in her panel.
  await zoomToFit(grace);
  await clickCard(grace, 'Search past orders');
  assert.equal(await grace.getByTestId('panel-description').inputValue(), stored.description);
  assert.equal(await grace.getByTestId('panel-assignee').inputValue(), 'Grace Hopper');
  await screenshot(grace, 'card-panel');
  await ada.context().close();
  await grace.context().close();
});

test('roadmap timeline: theme totals on the canvas follow cards placed and estimated in each theme row', async () => {
  const board = await createBoardWithLinks(server, 'Roadmap 2027', 'roadmap-timeline');
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await ada.goto(server.url + board.links.owner.url);
  await grace.goto(server.url + board.links.edit.url);
  await Promise.all([waitForCanvas(ada), waitForCanvas(grace)]);
  const themeTotal = (name: string) => `[data-testid="theme-total"][data-name="${name}"]`;
  for (const theme of ['Theme A', 'Theme B', 'Theme C']) await waitForText(grace, themeTotal(theme), '0 cards · 0 pts');
  await zoomToFit(ada);
  const quarter = 'Q1';
  // Theme rows run down the quarters: the top third of a quarter is Theme A, the middle Theme B.
  await addCard(ada, quarter, 'Single sign-on', 0.5, 0.15);
  await ada.getByTestId('panel-estimate-8').click();
  await addCard(ada, quarter, 'Audit export', 0.5, 0.5);
  await ada.getByTestId('panel-estimate-3').click();
  await waitForText(grace, themeTotal('Theme A'), '1 card · 8 pts');
  await waitForText(grace, themeTotal('Theme B'), '1 card · 3 pts');
  await waitForText(grace, themeTotal('Theme C'), '0 cards · 0 pts');
  // Moving the card into Theme C moves its points there.
  await zoomToFit(grace);
  await drag(grace, await pointIn(card(grace, 'Audit export'), 0.5, 0.75), await pointIn(lane(grace, quarter), 0.5, 0.85));
  await waitForText(ada, themeTotal('Theme B'), '0 cards · 0 pts');
  await waitForText(ada, themeTotal('Theme C'), '1 card · 3 pts');
  await screenshot(ada, 'roadmap-themes');
  await ada.context().close();
  await grace.context().close();
});

test('CSV import from the UI lands in the backlog lane for everyone; Export gives board PNG and SVG, and the selected frame as PNG and SVG', async () => {
  const board = await createBoardWithLinks(server, 'Grooming', 'backlog');
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await ada.goto(server.url + board.links.owner.url);
  await grace.goto(server.url + board.links.view.url);
  await Promise.all([waitForCanvas(ada), waitForCanvas(grace)]);

  await ada.getByTestId('import-button').click();
  const csv = 'Summary,Issue key,Status,Custom field (Story Points)\nSearch orders,SHOP-1,To Do,3\nExport invoices,SHOP-2,In Progress,5\n,SHOP-3,To Do,1\n';
  await ada.getByTestId('import-file').setInputFiles({ name: 'jira.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await ada.getByTestId('import-confirm').click();
  const result = ada.getByTestId('import-result');
  await result.waitFor({ timeout: 15_000 });
  assert.match((await result.textContent()) ?? '', /2 cards/);
  assert.match((await result.textContent()) ?? '', /row 4/);
  await waitForText(grace, laneTotal('Inbox'), '2 cards · 8 pts');
  await ada.getByTestId('import-done').click();

  const download = async (item: string) => {
    await ada.getByTestId('export-button').click();
    const pending = ada.waitForEvent('download');
    await ada.getByRole('menuitem', { name: item }).click();
    const file = await pending;
    return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
  };
  const isPng = (bytes: Buffer) => bytes.subarray(1, 4).toString('latin1') === 'PNG';
  const pngWidth = (bytes: Buffer) => bytes.readUInt32BE(16);

  // The cards as CSV and Markdown, and the board as JSON, from the same menu.
  const cardsCsv = await download('Cards as CSV');
  assert.match(cardsCsv.name, /\.csv$/);
  assert.match(cardsCsv.bytes.toString('utf8'), /SHOP-1,Search orders/);
  const cardsMd = (await download('Cards as Markdown')).bytes.toString('utf8');
  assert.match(cardsMd, /Inbox[^\n]*2 cards · 8 pts/);
  assert.match(cardsMd, /\| SHOP-2 \| Export invoices \| 5 \|/);
  const boardJson = JSON.parse((await download('Board as JSON')).bytes.toString('utf8')) as { records: Record<string, { type?: string }> };
  assert.equal(Object.values(boardJson.records).filter((r) => r.type === STORY_CARD_TYPE).length, 2);

  const boardPng = await download('Board as PNG');
  assert.match(boardPng.name, /\.png$/);
  assert.ok(isPng(boardPng.bytes), 'a PNG file');
  const boardSvg = await download('Board as SVG');
  assert.match(boardSvg.name, /\.svg$/);
  const svg = boardSvg.bytes.toString('utf8');
  assert.ok(svg.startsWith('<svg'), 'an SVG file');
  // Text as the SVG shows it (tldraw may write a frame heading word by word: look for first words).
  const shows = (file: string, text: string) => file.includes(`>${text}`);
  const otherLanes = ['Needs', 'Ready', 'Out'];
  for (const text of ['Search orders', 'Export invoices', 'Inbox', ...otherLanes]) assert.ok(shows(svg, text), `the board SVG shows ${text}`);

  // The Inbox lane alone: Ada selects it by its heading.
  await zoomToFit(ada);
  await selectLane(ada, 'Inbox');
  const framePng = await download('Selected frame as PNG');
  assert.match(framePng.name, /\.png$/);
  assert.ok(isPng(framePng.bytes), 'a PNG file');
  assert.ok(pngWidth(framePng.bytes) < pngWidth(boardPng.bytes), `the frame image (${pngWidth(framePng.bytes)} px) is narrower than the board's (${pngWidth(boardPng.bytes)} px)`);
  const frameSvg = (await download('Selected frame as SVG')).bytes.toString('utf8');
  assert.ok(frameSvg.startsWith('<svg'), 'an SVG file');
  assert.ok(shows(frameSvg, 'Search orders') && shows(frameSvg, 'Export invoices'), 'the frame SVG shows the cards in the Inbox');
  for (const text of otherLanes) assert.ok(!shows(frameSvg, text), `other lanes are not in the frame export (found ${text})`);
  await ada.context().close();
  await grace.context().close();
});
