import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, newParticipant } from './browser.js';

/**
 * What the facilitation browser tests share (facilitation-*.test.ts): a server and Chromium per
 * file, a sprint board with three imported backlog cards, participants on a laptop (1280×800) or
 * a phone (390×844, touch), and ways to act and look as a person does.
 */
export const SHOTS = 'test/e2e/screenshots';
export const PHONE = { width: 390, height: 844 };
export let server: RunningServer;
export let browser: Browser;
/** One server and one Chromium per test file. */
export function useServerAndBrowser(): void {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer({ env: { BOARD_CREATIONS_PER_MINUTE: '100' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });
}

export const CARDS = ['Saved cards at checkout', 'Refund flow', 'Search by SKU'];

export async function setUpBoard() {
  const board = await createBoardWithLinks(server, 'Sprint 14 planning', 'sprint');
  const csv = `title,estimate\n${CARDS.map((t) => `${t},`).join('\n')}\n`;
  const response = await fetch(`${server.url}/api/boards/${board.id}/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${board.links.owner.token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  assert.equal(response.status, 200);
  return board;
}

export async function open(name: string, color: string, url: string, viewport = { width: 1280, height: 800 }, waitFor: string | null = CARDS[0]!): Promise<Page> {
  const context = viewport.width < 600 ? await phoneContext(name, color) : await newParticipant(browser, name, color, viewport);
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('.tl-canvas').waitFor({ timeout: 30_000 });
  if (waitFor) await page.locator('.pb-card', { hasText: waitFor }).first().waitFor({ timeout: 30_000 });
  return page;
}

/** A phone: touch screen, 390×844. */
export async function phoneContext(name: string, color: string) {
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true });
  await context.addInitScript(([n, c]) => {
    if (!localStorage.getItem('planboard:user')) localStorage.setItem('planboard:user', JSON.stringify({ id: crypto.randomUUID(), name: n, color: c }));
  }, [name, color]);
  return context;
}

export const card = (page: Page, title: string) => page.locator('.tl-shape', { has: page.locator('.pb-card', { hasText: title }) }).first();
export const cardId = async (page: Page, title: string) => (await page.locator('.pb-card', { hasText: title }).first().getAttribute('data-card-id'))!;

/** Clicks (taps, on a phone) a card where it is drawn, as a person does. */
export async function clickCard(page: Page, title: string, options: { alt?: boolean } = {}) {
  const box = (await card(page, title).boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height * 0.45;
  if (page.viewportSize()!.width < 600) {
    await page.touchscreen.tap(x, y);
  } else {
    if (options.alt) await page.keyboard.down('Alt');
    await page.mouse.click(x, y);
    if (options.alt) await page.keyboard.up('Alt');
  }
}

export async function waitForText(page: Page, selector: string, text: string | RegExp, timeout = 15_000) {
  const locator = page.locator(selector);
  const started = Date.now();
  for (;;) {
    const texts = await locator.allTextContents();
    if (texts.some((t) => (typeof text === 'string' ? t.trim() === text : text.test(t)))) return;
    if (Date.now() - started > timeout) throw new Error(`wanted ${text} in ${selector}, found ${JSON.stringify(texts)}`);
    await page.waitForTimeout(100);
  }
}

export async function until(what: string, check: () => Promise<boolean>, timeout = 15_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const overlaps = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

export async function openPanel(page: Page) {
  if ((await page.getByTestId('facilitation-panel').count()) === 0) await page.getByTestId('facilitate-button').click();
  await page.getByTestId('facilitation-panel').waitFor();
}
export async function closePanel(page: Page) {
  if ((await page.getByTestId('facilitation-panel').count()) > 0) await page.getByTestId('facilitate-button').click();
  await page.getByTestId('facilitation-panel').waitFor({ state: 'detached' });
}

/** The dots this page's canvas shows as its own on a card, and the count it shows ('' while hidden). */
export async function dotsOn(page: Page, id: string) {
  const marker = page.locator(`[data-testid="card-dots"][data-card-id="${id}"]`);
  if ((await marker.count()) === 0) return { mine: 0, count: '' };
  return { mine: Number(await marker.getAttribute('data-mine')), count: (await marker.getAttribute('data-count')) ?? '' };
}

