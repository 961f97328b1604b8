import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, newParticipant } from './browser.js';
import {
  SHOTS, boxOf, card, center, drag, importCards, inside, laneFrame, laneHeader, laneTotal, openBoard, overlaps, pinchZoomTo, waitForText, type Rect,
} from './canvas-helpers.js';

// Issue 10: a lane's total must read as that lane's (inside its own header, never beside the next
// lane's name or behind the toolbar), a sprint over capacity is red as a whole, unestimated cards
// are explained in words, and the story map stays legible zoomed out to 30%.

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

const CARDS = `Summary,Story Points
Sign in with the company's single sign-on,8
Refund a cancelled order,
Search orders by customer,13
Monthly revenue report,21
Invite teammates by email,5
`;

/** Every lane's header sits on its own frame's top edge, spans it, holds the total, and touches no other lane. */
async function checkHeaders(page: Page, names: string[]): Promise<void> {
  const frames = new Map<string, Rect>();
  for (const name of names) frames.set(name, await boxOf(laneFrame(page, name)));
  const toolbar = await boxOf(page.locator('.tlui-main-toolbar').first());
  const viewport = page.viewportSize()!;
  for (const name of names) {
    const frame = frames.get(name)!;
    const header = await boxOf(laneHeader(page, name));
    const total = await boxOf(laneTotal(page, name));
    assert.ok(inside(total, header), `${name}: the total is inside its header (${JSON.stringify({ total, header })})`);
    const heading = await boxOf(laneFrame(page, name).locator('.tl-frame-heading'));
    assert.ok(!overlaps(total, heading), `${name}: the total does not cover the lane's name`);
    assert.ok(Math.abs(header.y + header.height - frame.y) <= 4, `${name}: the header sits on its frame's top edge (${header.y + header.height} vs ${frame.y})`);
    assert.ok(header.x >= frame.x - 2 && header.x + header.width <= frame.x + frame.width + 2, `${name}: the header spans its own frame only`);
    for (const [other, box] of frames) if (other !== name) assert.ok(!overlaps(total, box) && !overlaps(header, box), `${name}'s total does not touch lane ${other}`);
    // On screen: not behind tldraw's toolbar, not off the page.
    if (total.y + total.height <= viewport.height && total.y >= 0) assert.ok(!overlaps(total, toolbar), `${name}'s total is not behind the toolbar`);
  }
}

test('story map: each release total sits inside its own header and explains unestimated cards, at 1280 and 390 wide', async () => {
  const board = await createBoardWithLinks(server, 'Checkout map', 'story-map');
  await importCards(server.url, board, CARDS);
  const page = await (await newParticipant(browser, 'Ada')).newPage();
  await openBoard(page, server.url, board);
  await waitForText(laneTotal(page, 'MVP'), '5 cards · 47 pts + 1 unestimated');
  await waitForText(laneTotal(page, 'Release 2'), '0 cards · 0 pts');
  assert.match((await laneTotal(page, 'MVP').getAttribute('title')) ?? '', /1 card has no estimate/);
  await checkHeaders(page, ['MVP', 'Release 2', 'Later']);
  await page.screenshot({ path: `${SHOTS}/totals-story-map-1280.png` });

  // The last lane, scrolled to the bottom of the screen: its total is in its header, above the toolbar.
  const later = await boxOf(laneFrame(page, 'Later'));
  await page.mouse.move(640, 400);
  await page.mouse.wheel(0, Math.max(0, later.y + later.height - 700));
  await page.waitForTimeout(300);
  await checkHeaders(page, ['Release 2', 'Later']);
  const toolbar = await boxOf(page.locator('.tlui-main-toolbar').first());
  assert.ok(!overlaps(await boxOf(laneTotal(page, 'Later')), toolbar), 'the last lane total is not behind the toolbar');
  await page.context().close();

  const phone = await (await newParticipant(browser, 'Ada')).newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await openBoard(phone, server.url, board);
  await waitForText(laneTotal(phone, 'MVP'), '5 cards · 47 pts + 1 unestimated');
  await checkHeaders(phone, ['MVP', 'Release 2', 'Later']);
  await phone.screenshot({ path: `${SHOTS}/totals-story-map-390.png` });
  await phone.context().close();
});

test('sprint over capacity: the whole frame turns red with "N pts over capacity", for the other participant too', async () => {
  const board = await createBoardWithLinks(server, 'Sprint 14', 'sprint');
  await importCards(server.url, board, CARDS);
  const ada = await (await newParticipant(browser, 'Ada')).newPage();
  await openBoard(ada, server.url, board);
  const grace = await (await newParticipant(browser, 'Grace', '#e03131')).newPage();
  await openBoard(grace, server.url, board);
  await waitForText(laneTotal(ada, 'Sprint 1'), '0 / 30 pts · 0 cards');

  for (const title of ['Monthly revenue report', 'Search orders by customer']) {
    const sprint = await boxOf(laneFrame(ada, 'Sprint 1'));
    await ada.keyboard.press('Escape');
    await drag(ada, center(await boxOf(card(ada, title))), { x: sprint.x + sprint.width / 2, y: sprint.y + 60 + (title.startsWith('Search') ? 120 : 0) });
  }
  await waitForText(laneTotal(ada, 'Sprint 1'), '34 / 30 pts · 2 cards');
  const over = ada.getByTestId('lane-over-capacity');
  await over.waitFor({ timeout: 5000 });
  const sprint = await boxOf(laneFrame(ada, 'Sprint 1'));
  const red = await boxOf(over);
  assert.ok(Math.abs(red.x - sprint.x) <= 2 && Math.abs(red.width - sprint.width) <= 2 && Math.abs(red.height - sprint.height) <= 2, 'the red covers the frame itself');
  assert.equal(await over.evaluate((el) => getComputedStyle(el).borderTopColor), 'rgb(224, 49, 49)');
  assert.match((await laneHeader(ada, 'Sprint 1').textContent()) ?? '', /4 pts over capacity/);
  assert.match((await laneTotal(ada, 'Sprint 1').getAttribute('class')) ?? '', /pb-total--over/);
  // The backlog lane is not red.
  assert.equal(await ada.locator('[data-testid="lane-over-capacity"][data-name="Backlog"]').count(), 0);

  await waitForText(laneTotal(grace, 'Sprint 1'), '34 / 30 pts · 2 cards');
  await grace.getByTestId('lane-over-capacity').waitFor({ timeout: 5000 });

  // An unestimated card in the sprint: said in words, not as "34+".
  const target = await boxOf(laneFrame(ada, 'Sprint 1'));
  await ada.keyboard.press('Escape');
  await drag(ada, center(await boxOf(card(ada, 'Refund a cancelled order'))), { x: target.x + target.width / 2, y: target.y + 400 });
  await waitForText(laneTotal(grace, 'Sprint 1'), '34 / 30 pts + 1 unestimated · 3 cards');
  await checkHeaders(ada, ['Backlog', 'Sprint 1']);
  await ada.keyboard.press('Escape');
  await ada.screenshot({ path: `${SHOTS}/totals-sprint-over-1280.png` });
  await ada.context().close();
  await grace.context().close();
});

/** Words of titles and backbone labels that the browser broke across two lines (hyphens excepted). */
const BROKEN_WORDS = `(() => {
  const broken = [];
  for (const el of document.querySelectorAll('.pb-card__far-title, .pb-card__title:not(textarea), .pb-far-header')) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      const words = /[^\\s-]+/g;
      let m;
      while ((m = words.exec(text))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
})()`;

test('zoomed out to 30%: activities, steps and card titles stay legible, and no word is broken', async () => {
  const board = await createBoardWithLinks(server, 'Far map', 'story-map');
  await importCards(server.url, board, `${CARDS}Accessibility audit of checkout,3\n`);
  const page = await (await newParticipant(browser, 'Ada')).newPage();
  await openBoard(page, server.url, board);
  await card(page, 'Accessibility audit').waitFor();
  const zoom = await pinchZoomTo(page, 0.3, { x: 640, y: 420 });
  assert.ok(Math.abs(zoom - 0.3) <= 0.03, `zoomed to ${zoom}`);
  await page.screenshot({ path: `${SHOTS}/far-view-30-1280.png` });
  // Lane totals stay in their own headers, beside (never over) the lane's name.
  await checkHeaders(page, ['MVP', 'Release 2', 'Later']);

  // The backbone: a far label per activity and step, as large on screen as a card's far title.
  assert.equal(await page.getByTestId('far-activity').count(), 3);
  assert.equal(await page.getByTestId('far-step').count(), 3);
  for (const label of await page.locator('[data-testid="far-activity"], [data-testid="far-step"]').all()) {
    const px = await label.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    const text = (await label.textContent()) ?? '';
    assert.ok(px * zoom >= 7.5, `"${text}" is ${(px * zoom).toFixed(1)} px on screen`);
    assert.ok(/^(Activity|Step) \d/.test(text), text);
  }
  // Cards: their far title, at least ~6 px on screen for ordinary titles.
  const cards = page.locator('.pb-card__far');
  assert.equal(await cards.count(), 6);
  for (const far of await cards.all()) {
    const px = await far.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(px * zoom >= 5.9, `a far title is ${(px * zoom).toFixed(1)} px on screen: ${await far.textContent()}`);
  }
  assert.deepEqual(await page.evaluate(BROKEN_WORDS), [], 'no word breaks across lines at 30%');
  // And at 100%, where cards show their near view.
  await page.keyboard.press('Shift+0');
  await page.waitForTimeout(400);
  assert.equal(await page.locator('.pb-card__far').count(), 0);
  assert.deepEqual(await page.evaluate(BROKEN_WORDS), [], 'no word breaks across lines at 100%');
  await page.context().close();
});
