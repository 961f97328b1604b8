import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, newParticipant } from './browser.js';

/**
 * A sprint-planning workshop in three browsers: Ada (owner) facilitates, Bo (editor) takes part,
 * Cy (viewer) watches. Everything is done through the screen: clicks, key presses, what each
 * person sees.
 */
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

const CARDS = ['Saved cards at checkout', 'Refund flow', 'Search by SKU'];

async function setUpBoard() {
  const board = await createBoardWithLinks(server, 'Sprint 14 planning', 'sprint');
  // The backlog arrives as a CSV export from the tracker (the import is tested on its own).
  const csv = `title,estimate\n${CARDS.map((t) => `${t},`).join('\n')}\n`;
  const response = await fetch(`${server.url}/api/boards/${board.id}/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${board.links.owner.token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  assert.equal(response.status, 200);
  return board;
}

async function open(name: string, color: string, url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await newParticipant(browser, name, color);
  await context.grantPermissions([]);
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(url);
  await page.locator('.tl-canvas').waitFor({ timeout: 30_000 });
  await page.locator('.pb-card', { hasText: CARDS[0]! }).first().waitFor({ timeout: 30_000 });
  return page;
}

const card = (page: Page, title: string) => page.locator('.tl-shape', { has: page.locator('.pb-card', { hasText: title }) }).first();

/** Clicks a card where it is drawn, as a person does (tldraw takes pointer events on the canvas). */
async function clickCard(page: Page, title: string) {
  const box = (await card(page, title).boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.6);
}

/** Whether the card is drawn inside the visible part of the canvas. */
async function cardOnScreen(page: Page, title: string): Promise<boolean> {
  const box = await card(page, title).boundingBox().catch(() => null);
  const viewport = page.viewportSize()!;
  if (!box) return false;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return cx > 0 && cx < viewport.width && cy > 52 && cy < viewport.height;
}

async function waitForText(page: Page, selector: string, text: string | RegExp, timeout = 15_000) {
  const locator = page.locator(selector);
  const started = Date.now();
  for (;;) {
    const texts = await locator.allTextContents();
    if (texts.some((t) => (typeof text === 'string' ? t.trim() === text : text.test(t)))) return;
    if (Date.now() - started > timeout) throw new Error(`wanted ${text} in ${selector}, found ${JSON.stringify(texts)}`);
    await page.waitForTimeout(100);
  }
}

async function until(what: string, check: () => Promise<boolean>, timeout = 15_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const seconds = (text: string) => {
  const [m, s] = text.trim().split(':').map(Number);
  return m! * 60 + s!;
};

test('a workshop: poker round, timer, dot vote, summon and follow-me in three browsers', async () => {
  const board = await setUpBoard();
  const url = (token: string) => `${server.url}/b/${board.id}#${token}`;
  const ada = await open('Ada', '#e03131', url(board.links.owner.token));
  const bo = await open('Bo', '#2f9e44', url(board.links.edit.token));
  const cy = await open('Cy', '#1971c2', url(board.links.view.token));
  const everyone = [ada, bo, cy];

  // Ada sees the whole board (Shift+1) and drags the first card into the sprint frame.
  await ada.locator('.tl-canvas').click({ position: { x: 1000, y: 450 } });
  await ada.keyboard.press('Shift+1');
  await ada.waitForTimeout(500);
  const from = (await card(ada, CARDS[0]!).boundingBox())!;
  const sprintLabel = (await ada.locator('.tl-frame-heading', { hasText: 'Sprint 1' }).boundingBox())!;
  await ada.mouse.move(from.x + from.width / 2, from.y + from.height / 3);
  await ada.mouse.down();
  await ada.mouse.move(sprintLabel.x + from.width / 2 + 20, sprintLabel.y + sprintLabel.height + from.height, { steps: 12 });
  await ada.mouse.up();
  for (const page of everyone) await waitForText(page, '[data-testid="lane-total"][data-name="Sprint 1"]', /^0 \/ 30 pts.*· 1 card$/);

  // Ada takes the facilitator's chair; everyone sees it.
  await ada.getByTestId('facilitate-button').click();
  await ada.getByTestId('take-chair').click();
  for (const page of everyone) await waitForText(page, '[data-testid="chair-badge"]', 'Facilitator: Ada');

  // ---- planning poker ----
  await ada.getByTestId('poker-card').selectOption({ label: `${CARDS[0]} · Sprint 1` });
  await ada.getByTestId('poker-open').click();
  for (const page of everyone) await page.getByTestId('poker-tray').waitFor();
  assert.equal(await cy.getByTestId('poker-value').count(), 0, 'a viewer has no deck');
  await ada.locator('[data-testid="poker-value"][data-value="8"]').click();
  await bo.locator('[data-testid="poker-value"][data-value="5"]').click();
  for (const page of everyone) {
    await waitForText(page, '[data-testid="poker-voters"] li.done', '✓ Ada');
    await waitForText(page, '[data-testid="poker-voters"] li.done', '✓ Bo');
  }
  // Before the reveal nobody's screen shows anyone else's value.
  assert.equal(await cy.getByTestId('poker-result').count(), 0);
  assert.match(await bo.getByTestId('poker-my-vote').textContent() ?? '', /Your vote: 5/);
  await ada.screenshot({ path: `${SHOTS}/facilitation-poker-voting-1280.png` });
  await ada.getByTestId('poker-reveal').click();
  for (const page of everyone) {
    await page.getByTestId('poker-result').waitFor();
    assert.equal(await page.locator('[data-testid="poker-result"] .bar[data-value="5"]').getAttribute('data-count'), '1');
    assert.equal(await page.locator('[data-testid="poker-result"] .bar[data-value="8"]').getAttribute('data-count'), '1');
    await waitForText(page, '[data-testid="poker-verdict"]', /furthest apart/);
  }
  await bo.screenshot({ path: `${SHOTS}/facilitation-poker-revealed-1280.png` });
  await ada.getByTestId('poker-accept').click();
  for (const page of everyone) {
    await waitForText(page, '[data-testid="poker-accepted"]', 'Accepted: 8 points');
    await waitForText(page, '[data-testid="lane-total"][data-name="Sprint 1"]', /^8 \/ 30 pts · 1 card$/);
    await until('the card to show 8', async () => (await card(page, CARDS[0]!).locator('.pb-card__estimate').first().textContent())?.trim() === '8');
  }
  await ada.getByTestId('poker-close').click();
  for (const page of everyone) await page.getByTestId('poker-tray').waitFor({ state: 'detached' });

  // ---- the timer ----
  const minutes = ada.getByTestId('timer-minutes');
  await minutes.click({ clickCount: 3 });
  await ada.keyboard.type('3');
  await ada.getByTestId('timer-start').click();
  for (const page of everyone) await page.getByTestId('timer-remaining').waitFor();
  const readAll = () => Promise.all(everyone.map(async (page) => seconds((await page.getByTestId('timer-remaining').textContent())!)));
  const running = await readAll();
  assert.ok(Math.max(...running) - Math.min(...running) <= 1, `same remaining time: ${running}`);
  assert.ok(running.every((s) => s > 170 && s <= 180), `about three minutes: ${running}`);
  await ada.getByTestId('timer-pause').click();
  for (const page of everyone) await page.locator('[data-testid="timer"][data-status="paused"]').waitFor();
  const paused = await readAll();
  assert.equal(new Set(paused).size, 1, `a paused timer reads the same everywhere: ${paused}`);
  await ada.getByTestId('timer-add').click();
  for (const page of everyone) await until('a minute more', async () => seconds((await page.getByTestId('timer-remaining').textContent())!) === paused[0]! + 60);
  await cy.waitForTimeout(1200);
  assert.equal(seconds((await cy.getByTestId('timer-remaining').textContent())!), paused[0]! + 60, 'still paused');
  await ada.getByTestId('timer-resume').click();
  for (const page of everyone) await page.locator('[data-testid="timer"][data-status="running"]').waitFor();
  await ada.screenshot({ path: `${SHOTS}/facilitation-timer-1280.png` });

  // ---- dot vote on the backlog lane ----
  await ada.getByTestId('dots-scope').selectOption({ label: 'Backlog' });
  await ada.getByTestId('dots-start').click();
  for (const page of everyone) await page.getByTestId('dot-tray').waitFor();
  // Dots are placed by clicking cards (facilitation-dots.test.ts); the tray's card list is the fallback.
  for (const page of [ada, bo]) await page.getByTestId('dots-list-toggle').click();
  const addDot = (page: Page, title: string) => page.locator(`[data-testid="dot-tray"] li[data-title="${title}"] [data-testid="dot-add"]`).click();
  await addDot(bo, CARDS[1]!);
  await addDot(bo, CARDS[2]!);
  await addDot(ada, CARDS[1]!);
  await waitForText(bo, '[data-testid="dots-left"]', '1 of 3 dots left');
  for (const page of everyone) await waitForText(page, '[data-testid="dot-tray"] .head', /2 voted/);
  assert.equal(await cy.getByTestId('dot-count').count(), 0, 'counts stay hidden until the reveal');
  await ada.getByTestId('dots-reveal').click();
  for (const page of everyone) {
    await waitForText(page, `[data-testid="dot-tray"] li[data-title="${CARDS[1]}"] [data-testid="dot-count"]`, '2');
    await waitForText(page, `[data-testid="dot-tray"] li[data-title="${CARDS[2]}"] [data-testid="dot-count"]`, '1');
    // The counts are written to the cards.
    await until('the card to carry its votes', async () => (await card(page, CARDS[1]!).locator('.pb-card__votes').textContent().catch(() => null))?.trim() === '● 2');
  }
  await cy.screenshot({ path: `${SHOTS}/facilitation-dots-revealed-viewer-1280.png` });
  await ada.getByTestId('dots-end').click();

  // ---- summon: Ada looks at one card closely; Bo and Cy are elsewhere ----
  for (const page of [bo, cy]) {
    await page.locator('.tl-canvas').click({ position: { x: 1000, y: 450 } });
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 600);
    await until(`${CARDS[2]} off screen`, async () => !(await cardOnScreen(page, CARDS[2]!)));
  }
  await clickCard(ada, CARDS[2]!);
  await ada.keyboard.press('Shift+2');
  await until(`${CARDS[2]} on Ada's screen after Shift+2`, () => cardOnScreen(ada, CARDS[2]!), 5_000);
  await ada.getByTestId('summon').click();
  for (const page of [bo, cy]) {
    await until(`${CARDS[2]} brought on screen`, () => cardOnScreen(page, CARDS[2]!));
    await page.getByTestId('attention-banner').waitFor();
  }
  await cy.screenshot({ path: `${SHOTS}/facilitation-summoned-viewer-1280.png` });
  // Cy says "Not now": back to where Cy was.
  await cy.getByTestId('attention-not-now').click();
  await until('Cy back where Cy was', async () => !(await cardOnScreen(cy, CARDS[2]!)));

  // Cy clicks Ada in the who-is-here list to jump to Ada's view.
  await cy.getByTestId('facilitate-button').click();
  await cy.locator('[data-testid="people"] li[data-name="Ada"] [data-testid="jump-to"]').click();
  await until(`Cy to see ${CARDS[2]} again`, () => cardOnScreen(cy, CARDS[2]!));
  await cy.getByTestId('facilitate-button').click();

  // ---- follow me: Bo follows, Cy (a viewer) opts out ----
  await ada.getByTestId('follow-me').click();
  for (const page of [bo, cy]) await page.locator('[data-testid="attention-banner"][data-mode="follow"]').waitFor();
  await cy.getByTestId('attention-not-now').click();
  await waitForText(bo, '[data-testid="following-pill"]', /Following Ada/);
  await bo.screenshot({ path: `${SHOTS}/facilitation-follow-me-1280.png` });
  // Ada's who-is-here list says who follows whom.
  await waitForText(ada, '[data-testid="people"] li[data-name="Bo"] .follows', 'follows Ada');
  await ada.screenshot({ path: `${SHOTS}/facilitation-facilitator-follow-me-1280.png` });
  // Ada scrolls away from the card: Bo's view comes along, Cy's does not.
  assert.ok(await cardOnScreen(bo, CARDS[2]!));
  await ada.mouse.move(640, 500);
  for (let i = 0; i < 6; i++) await ada.mouse.wheel(0, 600);
  await until(`Bo to follow Ada away from ${CARDS[2]}`, async () => !(await cardOnScreen(bo, CARDS[2]!)));
  await cy.waitForTimeout(800);
  assert.ok(await cardOnScreen(cy, CARDS[2]!), 'Cy opted out and stays put');
  assert.equal(await cy.getByTestId('following-pill').count(), 0);
  // Escape leaves follow mode.
  await bo.keyboard.press('Escape');
  await bo.getByTestId('following-pill').waitFor({ state: 'detached' });
  await ada.getByTestId('end-follow-me').click();
  for (const page of everyone) await page.context().close();
});

test('on a phone the facilitation controls and the poker tray fit the screen', async () => {
  const board = await setUpBoard();
  const url = `${server.url}/b/${board.id}#${board.links.owner.token}`;
  const phone = await open('Ada', '#e03131', url, { width: 390, height: 844 });
  const laptop = await open('Bo', '#2f9e44', `${server.url}/b/${board.id}#${board.links.edit.token}`);
  await phone.getByTestId('facilitate-button').click();
  await phone.getByTestId('take-chair').click();
  await phone.getByTestId('chair-name').waitFor();
  await phone.screenshot({ path: `${SHOTS}/facilitation-panel-390.png` });
  await phone.getByTestId('poker-open').click();
  await phone.getByTestId('facilitate-button').click();
  await laptop.getByTestId('poker-tray').waitFor();
  await laptop.locator('[data-testid="poker-value"][data-value="3"]').click();
  await phone.locator('[data-testid="poker-value"][data-value="3"]').click();
  await phone.getByTestId('poker-reveal').click();
  await waitForText(phone, '[data-testid="poker-verdict"]', /Consensus: 3/);
  const tray = (await phone.getByTestId('poker-tray').boundingBox())!;
  assert.ok(tray.x >= 0 && tray.x + tray.width <= 390, `the tray fits the phone: ${JSON.stringify(tray)}`);
  await phone.screenshot({ path: `${SHOTS}/facilitation-poker-390.png` });
  await phone.context().close();
  await laptop.context().close();
});
