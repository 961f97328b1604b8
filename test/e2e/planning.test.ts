import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, newParticipant, waitForCanvas } from './browser.js';

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

type Editor = {
  getCurrentPageShapes(): { id: string; type: string; parentId: string; props: Record<string, unknown>; meta: Record<string, unknown> }[];
  pageToScreen(point: { x: number; y: number }): { x: number; y: number };
  getShapePageBounds(id: string): { x: number; y: number; w: number; h: number } | undefined;
  zoomToFit(): void;
  getSelectedShapeIds(): string[];
};

/** Where on screen a lane (frame) of the given name is, at a fraction of its width/height. */
async function pointInLane(page: Page, name: string, fx = 0.5, fy = 0.3): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([laneName, ax, ay]) => {
      const editor = (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor;
      const lane = editor.getCurrentPageShapes().find((s) => s.type === 'frame' && s.props['name'] === laneName);
      if (!lane) throw new Error(`no lane ${laneName}`);
      const box = editor.getShapePageBounds(lane.id)!;
      return editor.pageToScreen({ x: box.x + box.w * (ax as number), y: box.y + box.h * (ay as number) });
    },
    [name, fx, fy] as const,
  );
}

const laneTotal = (name: string) => `[data-testid="lane-total"][data-name="${name}"]`;

/** Waits until an element matching `selector` shows exactly `text`; says what it saw if not. */
async function waitForText(page: Page, selector: string, text: string, timeout = 15_000) {
  await page.waitForFunction(
    ([css, expected]) => Array.from(document.querySelectorAll(css)).some((el) => el.textContent?.trim() === expected),
    [selector, text] as const,
    { timeout },
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}\nwanted "${text}" in ${selector}, found ${JSON.stringify(await page.locator(selector).allTextContents())}`);
  });
}

/** Places a story card the way a person does: press C, click in the lane, type the title, Enter. */
async function addCardWithKeyboard(page: Page, lane: string, title: string, fy = 0.3) {
  const point = await pointInLane(page, lane, 0.3, fy);
  await page.keyboard.press('Escape');
  await page.keyboard.press('c');
  await page.mouse.click(point.x, point.y);
  const input = page.getByTestId('card-title-input');
  await input.waitFor({ timeout: 10_000 }).catch(async (error: Error) => {
    await page.screenshot({ path: 'test-results/add-card-failed.png' }).catch(() => undefined);
    const state = await page.evaluate(() => {
      const editor = (window as unknown as { __planboard: { editor: { getCurrentToolId(): string; getEditingShapeId(): string | null } } }).__planboard.editor;
      return { tool: editor.getCurrentToolId(), editing: editor.getEditingShapeId(), focus: document.activeElement?.outerHTML.slice(0, 120) };
    });
    throw new Error(`${error.message}\nno title editor after placing a card in ${lane}: ${JSON.stringify(state)}`);
  });
  await input.fill(title);
  await input.press('Enter');
  await input.waitFor({ state: 'detached' });
}

test('story map from the home page: cards in two releases, release totals change live in a second browser', async () => {
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  await ada.goto(server.url);
  await ada.getByLabel('Board title').fill('Checkout story map');
  await ada.getByTestId('template-story-map').click();
  await ada.getByRole('button', { name: 'Create board' }).click();
  await ada.waitForURL(/\/b\/[0-9a-z]{14}$/);
  await waitForCanvas(ada);
  await ada.evaluate(() => { (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor.zoomToFit(); });
  for (const release of ['MVP', 'Release 2', 'Later']) await waitForText(ada, laneTotal(release), '0 cards · 0 pts');

  const editUrl = await ada.evaluate(() => (JSON.parse(localStorage.getItem('planboard:boards')!) as { editUrl: string }[])[0]!.editUrl);
  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await grace.goto(editUrl);
  await waitForCanvas(grace);
  await waitForText(grace, laneTotal('MVP'), '0 cards · 0 pts');

  // Ada adds two cards to the MVP and one to Release 2, estimating them in the card panel.
  await addCardWithKeyboard(ada, 'MVP', 'Sign up with email');
  await ada.getByTestId('panel-estimate-3').click();
  await addCardWithKeyboard(ada, 'MVP', 'Pay by card', 0.75);
  await ada.getByTestId('panel-estimate-5').click();
  await addCardWithKeyboard(ada, 'Release 2', 'Pay with Apple Pay');
  await ada.getByTestId('panel-estimate-8').click();

  await waitForText(grace, laneTotal('MVP'), '2 cards · 8 pts');
  await waitForText(grace, laneTotal('Release 2'), '1 card · 8 pts');
  await waitForText(grace, laneTotal('Later'), '0 cards · 0 pts');
  // The first activity column holds all three cards.
  await waitForText(grace, '[data-testid="activity-total"][data-name="Activity 1"]', '3 cards · 16 pts');

  // Grace moves "Pay by card" from the MVP to Release 2: both browsers recount.
  await grace.evaluate(() => { (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor.zoomToFit(); });
  const card = await grace.evaluate(() => (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor.getCurrentPageShapes().find((s) => s.props['title'] === 'Pay by card')!.id);
  const from = await grace.evaluate((id) => {
    const editor = (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor;
    const box = editor.getShapePageBounds(id)!;
    return editor.pageToScreen({ x: box.x + box.w / 2, y: box.y + box.h / 2 });
  }, card);
  const to = await pointInLane(grace, 'Release 2', 0.3, 0.75);
  await grace.mouse.move(from.x, from.y);
  await grace.mouse.down();
  await grace.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 6 });
  await grace.mouse.move(to.x, to.y, { steps: 6 });
  await grace.mouse.up();
  await waitForText(ada, laneTotal('MVP'), '1 card · 3 pts');
  await waitForText(ada, laneTotal('Release 2'), '2 cards · 13 pts');

  // Growing the map from the panel: a release appears for both.
  await ada.keyboard.press('Escape');
  await ada.getByTestId('add-release').click();
  await waitForText(grace, laneTotal('Release 4'), '0 cards · 0 pts');
  await ada.screenshot({ path: 'test-results/story-map.png' }).catch(() => undefined);
  await ada.context().close();
  await grace.context().close();
});

test('sprint planning: an estimate edited in the backlog table changes the card badge and the sprint total in another browser', async () => {
  const board = await createBoardWithLinks(server, 'Sprint 14', 'sprint');
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await ada.goto(server.url + board.links.owner.url);
  await grace.goto(server.url + board.links.edit.url);
  await Promise.all([waitForCanvas(ada), waitForCanvas(grace)]);
  await waitForText(grace, laneTotal('Sprint 1'), '0 / 30 pts · 0 cards');

  await addCardWithKeyboard(ada, 'Sprint 1', 'Password reset');
  await addCardWithKeyboard(ada, 'Sprint 1', 'Audit log', 0.6);
  await ada.keyboard.press('Escape');
  await waitForText(grace, laneTotal('Sprint 1'), '0+ / 30 pts · 2 cards');

  // Ada opens the backlog table with Shift+B and estimates "Password reset" at 13.
  await ada.mouse.click(5, 400); // focus the page outside any field
  await ada.keyboard.press('Shift+B');
  const table = ada.getByTestId('backlog-table');
  await table.waitFor();
  const row = table.getByTestId('backlog-row').filter({ hasText: 'Password reset' });
  await row.getByTestId('cell-estimate').selectOption('13');

  const badge = grace.locator('[data-testid="story-card"]').filter({ hasText: 'Password reset' }).getByTestId('card-estimate');
  await grace.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="story-card"]')).some((card) => card.textContent?.includes('Password reset') && card.querySelector('[data-testid="card-estimate"]')?.textContent === '13'), undefined, { timeout: 15_000 });
  assert.equal(await badge.textContent(), '13');
  await waitForText(grace, laneTotal('Sprint 1'), '13+ / 30 pts · 2 cards');

  // Over capacity: the total turns to the warning colour for everyone.
  await table.getByTestId('backlog-row').filter({ hasText: 'Audit log' }).getByTestId('cell-estimate').selectOption('21');
  await waitForText(grace, laneTotal('Sprint 1'), '34 / 30 pts · 2 cards');
  assert.match((await grace.locator(laneTotal('Sprint 1')).getAttribute('class')) ?? '', /pb-total--over/);

  // An edit on Grace's canvas side (card panel) shows in Ada's table.
  await grace.evaluate(() => {
    const editor = (window as unknown as { __planboard: { editor: Editor & { select(id: string): void } } }).__planboard.editor;
    editor.select(editor.getCurrentPageShapes().find((s) => s.props['title'] === 'Audit log')!.id);
  });
  await grace.getByTestId('panel-status').selectOption('blocked');
  await ada.waitForFunction(() => {
    const row = Array.from(document.querySelectorAll('[data-testid="backlog-row"]')).find((r) => r.textContent?.includes('Audit log'));
    return (row?.querySelector('[data-testid="cell-status"]') as HTMLSelectElement | null)?.value === 'blocked';
  }, undefined, { timeout: 15_000 });

  // Capacity edited in the panel: back under capacity.
  await grace.evaluate(() => {
    const editor = (window as unknown as { __planboard: { editor: Editor & { select(id: string): void } } }).__planboard.editor;
    editor.select(editor.getCurrentPageShapes().find((s) => s.type === 'frame' && s.props['name'] === 'Sprint 1')!.id);
  });
  await grace.getByTestId('panel-capacity').fill('40');
  await grace.getByTestId('panel-capacity').press('Enter');
  await waitForText(ada, laneTotal('Sprint 1'), '34 / 40 pts · 2 cards');

  // Grace renames a card inline: double-click its title, type, Enter. Ada's table follows.
  const center = await grace.evaluate(() => {
    const editor = (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor;
    const card = editor.getCurrentPageShapes().find((s) => s.props['title'] === 'Password reset')!;
    const box = editor.getShapePageBounds(card.id)!;
    return editor.pageToScreen({ x: box.x + box.w / 2, y: box.y + box.h / 2 });
  });
  await grace.keyboard.press('Escape');
  await grace.mouse.dblclick(center.x, center.y);
  await grace.getByTestId('card-title-input').fill('Password reset by email');
  await grace.getByTestId('card-title-input').press('Enter');
  await table.getByTestId('backlog-row').filter({ hasText: 'Password reset by email' }).waitFor({ timeout: 15_000 });

  // Clicking a row selects the card on Ada's canvas.
  await table.getByTestId('backlog-row').filter({ hasText: 'Audit log' }).locator('td').first().click();
  const selectedTitles = () => ada.evaluate(() => {
    const editor = (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor;
    const ids = editor.getSelectedShapeIds();
    return editor.getCurrentPageShapes().filter((s) => ids.includes(s.id)).map((s) => s.props['title']);
  });
  assert.deepEqual(await selectedTitles(), ['Audit log']);

  // Multi-select editing: both cards selected, one change in the panel, both change for Grace.
  await ada.evaluate(() => {
    const editor = (window as unknown as { __planboard: { editor: Editor & { select(...ids: string[]): void } } }).__planboard.editor;
    editor.select(...editor.getCurrentPageShapes().filter((s) => s.type === 'story-card').map((s) => s.id));
  });
  await ada.getByTestId('card-panel').getByText('2 story cards').waitFor();
  await ada.getByTestId('panel-priority').selectOption('high');
  await grace.waitForFunction(() => {
    const editor = (window as unknown as { __planboard: { editor: Editor } }).__planboard.editor;
    const cards = editor.getCurrentPageShapes().filter((s) => s.type === 'story-card');
    return cards.length === 2 && cards.every((card) => card.props['priority'] === 'high');
  }, undefined, { timeout: 15_000 });

  // A template inserted later lands beside the sprint, with its own totals, for everyone.
  await ada.getByTestId('insert-template').selectOption('retro');
  await waitForText(grace, laneTotal('Went well'), '0 cards · 0 pts');
  await waitForText(grace, laneTotal('Sprint 1'), '34 / 40 pts · 2 cards');
  await ada.screenshot({ path: 'test-results/sprint-table.png' }).catch(() => undefined);
  await ada.context().close();
  await grace.context().close();
});

test('CSV import from the UI lands in the backlog lane for everyone; board exports as PNG', async () => {
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
  await ada.keyboard.press('Escape');

  await ada.getByTestId('export-menu').getByRole('button', { name: 'Export' }).click();
  const download = ada.waitForEvent('download');
  await ada.getByRole('menuitem', { name: 'Board as PNG' }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /\.png$/);
  const path = await file.path();
  const bytes = readFileSync(path);
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');

  // The selected frame alone, as SVG: only the Inbox and its cards are in it.
  await ada.evaluate(() => {
    const editor = (window as unknown as { __planboard: { editor: Editor & { select(id: string): void } } }).__planboard.editor;
    editor.select(editor.getCurrentPageShapes().find((s) => s.type === 'frame' && s.props['name'] === 'Inbox')!.id);
  });
  await ada.getByTestId('export-button').click();
  const svgDownload = ada.waitForEvent('download');
  await ada.getByRole('menuitem', { name: 'Selected frame as SVG' }).click();
  const svgFile = await svgDownload;
  assert.match(svgFile.suggestedFilename(), /\.svg$/);
  const svg = readFileSync(await svgFile.path(), 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /Search orders/);
  assert.doesNotMatch(svg, /Needs refinement/, 'other lanes are not in the frame export');
  await ada.context().close();
  await grace.context().close();
});
