import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, newParticipant } from './browser.js';

// A person names cards by typing: press C (or the toolbar's card), click, type, Enter; or
// double-click a card and type. The titles are full of tldraw's tool shortcuts (d, r, a, t, e, o,
// n, f, l, x, h, v...), so any key that reaches the canvas instead of the title box shows up as a
// changed tool, a stray shape or a missing letter.

const SHOTS = 'test/e2e/screenshots';
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

interface ExportedRecord { typeName: string; type?: string; props?: { title?: string } }

async function exportedShapes(boardId: string, token: string): Promise<ExportedRecord[]> {
  const response = await fetch(`${server.url}/api/boards/${boardId}/export.json`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { records: Record<string, ExportedRecord> };
  return Object.values(body.records).filter((record) => record.typeName === 'shape');
}

/** Records every tool the toolbar shows as pressed from now on (tldraw marks it `aria-pressed`). */
async function watchToolbar(page: Page): Promise<void> {
  // A string, not a function: the test runner's transform would add helpers the page lacks.
  await page.evaluate(`(() => {
    const seen = [];
    window.toolsSeen = seen;
    const note = () => {
      const pressed = document.querySelector('.tlui-main-toolbar [aria-pressed="true"]')?.getAttribute('data-value');
      if (pressed && seen.at(-1) !== pressed) seen.push(pressed);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-pressed'], childList: true });
  })()`);
}
const toolsSeen = (page: Page) => page.evaluate(() => (window as unknown as { toolsSeen: string[] }).toolsSeen);
const pressedTool = (page: Page) => page.locator('.tlui-main-toolbar [aria-pressed="true"]').first().getAttribute('data-value');

/** Types a title into the open title box with real key presses and ends it with Enter. */
async function typeTitle(page: Page, title: string, shot?: string): Promise<void> {
  const input = page.getByTestId('card-title-input');
  await input.waitFor({ timeout: 10_000 });
  await watchToolbar(page);
  // Give the canvas every chance to take the keyboard back, as it did within milliseconds.
  await page.waitForTimeout(300);
  assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'the title box has the keyboard');
  await page.keyboard.type(title, { delay: 20 });
  assert.equal(await input.inputValue(), title, 'every letter went into the title box');
  if (shot) await page.screenshot({ path: shot });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'detached', timeout: 5_000 });
  assert.deepEqual(await toolsSeen(page), ['select'], 'the tool did not change while typing');
}

const card = (page: Page, title: string) => page.getByTestId('story-card').filter({ hasText: title });

test('a card placed with C, and one with the toolbar button, take their titles from the keyboard; double-click renames', async () => {
  const board = await createBoardWithLinks(server, 'Typing titles', 'blank');
  const token = board.links.edit.token;
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  await ada.goto(`${server.url}${board.links.edit.url}`);
  await ada.locator('.tl-canvas').waitFor({ timeout: 30_000 });
  const grace = await (await newParticipant(browser, 'Grace', '#e03131')).newPage();
  await grace.goto(`${server.url}${board.links.edit.url}`);
  await grace.locator('.tl-canvas').waitFor({ timeout: 30_000 });

  // 1. Press C, click on an empty spot, type.
  const first = 'Draw the refund flow for late orders';
  await ada.mouse.click(500, 420);
  await ada.keyboard.press('c');
  assert.equal(await pressedTool(ada), 'story-card', 'C picks the card tool');
  await ada.mouse.click(500, 420);
  await typeTitle(ada, first, `${SHOTS}/card-typing-editing-1280.png`);
  await card(ada, first).waitFor({ timeout: 5_000 });
  await ada.screenshot({ path: `${SHOTS}/card-typing-1280.png` });

  // 2. The toolbar's card button, a click elsewhere, type.
  const second = 'Export a shareable PDF of the roadmap';
  await ada.locator('.tlui-main-toolbar [data-value="story-card"]').click();
  await ada.mouse.click(820, 420);
  await typeTitle(ada, second);
  await card(ada, second).waitFor({ timeout: 5_000 });

  // 3. Double-click the first card (as a hand does: a short pause between the presses), select
  //    its title and type a new one.
  const renamed = 'Offer a full refund for late orders';
  const box = (await card(ada, first).boundingBox())!;
  await ada.mouse.click(box.x + box.width / 2, box.y + box.height - 20);
  await ada.waitForTimeout(120);
  await ada.mouse.down({ clickCount: 2 });
  await ada.mouse.up({ clickCount: 2 });
  await ada.getByTestId('card-title-input').waitFor({ timeout: 5_000 });
  await ada.keyboard.press('ControlOrMeta+a');
  await typeTitle(ada, renamed);
  await card(ada, renamed).waitFor({ timeout: 5_000 });
  assert.equal(await card(ada, first).count(), 0, 'the old title is gone');

  // What the other participant sees, and what the server stored.
  await card(grace, renamed).waitFor({ timeout: 10_000 });
  await card(grace, second).waitFor({ timeout: 10_000 });
  let shapes: ExportedRecord[] = [];
  for (let i = 0; i < 50; i++) {
    shapes = await exportedShapes(board.id, token);
    if (shapes.some((s) => s.props?.title === renamed)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(
    shapes.map((s) => [s.type, s.props?.title]).sort(),
    [['story-card', renamed], ['story-card', second]].sort(),
    'two named cards and no stray shape from a key that reached the canvas',
  );
  await ada.context().close();
  await grace.context().close();
});

test('double-click on a card that is not selected yet starts typing at once (no second click into the box)', async () => {
  const board = await createBoardWithLinks(server, 'Rename', 'blank');
  const page = await (await newParticipant(browser, 'Ada')).newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}${board.links.edit.url}`);
  await page.locator('.tl-canvas').waitFor({ timeout: 30_000 });
  await page.mouse.click(195, 400);
  await page.keyboard.press('c');
  await page.mouse.click(195, 400);
  await typeTitle(page, 'First title');
  // Deselect by clicking empty canvas, then double-click the card.
  await page.keyboard.press('Escape');
  await page.mouse.click(40, 650);
  const box = (await card(page, 'First title').boundingBox())!;
  await page.mouse.dblclick(box.x + 60, box.y + box.height / 2);
  await page.getByTestId('card-title-input').waitFor({ timeout: 5_000 });
  await page.keyboard.press('ControlOrMeta+a');
  await typeTitle(page, 'Renamed on a phone');
  await card(page, 'Renamed on a phone').waitFor({ timeout: 5_000 });
  await page.screenshot({ path: `${SHOTS}/card-typing-390.png` });
  const shapes = await exportedShapes(board.id, board.links.edit.token);
  await page.context().close();
  assert.ok(shapes.length >= 1);
});
