import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CARDS, PHONE, SHOTS, cardId, clickCard, closePanel, dotsOn, open, openPanel, server, setUpBoard, until, useServerAndBrowser, waitForText } from './facilitation-helpers.js';

/**
 * A one-hour sprint-planning workshop, compressed to minutes, run start to end in Planboard by
 * Ada (owner, laptop) with Bo (editor, laptop) and Cy (viewer, phone): the chair, summon and
 * follow-me, a timebox, a dot vote that ends by itself, the backlog ranked by the votes, and a
 * poker walk over the lane whose accepted estimates make the lane's total.
 */
useServerAndBrowser();

test('a compressed workshop hour: chair, summon, follow-me, timebox, timed dot vote, ranking, poker over the lane, totals', async () => {
  const board = await setUpBoard();
  const url = (token: string) => `${server.url}/b/${board.id}#${token}`;
  const ada = await open('Ada', '#e03131', url(board.links.owner.token));
  const bo = await open('Bo', '#2f9e44', url(board.links.edit.token));
  const cy = await open('Cy', '#1971c2', url(board.links.view.token), PHONE);
  const everyone = [ada, bo, cy];
  const ids = await Promise.all(CARDS.map((title) => cardId(ada, title)));

  // 0:00 Ada takes the chair and brings everyone to the backlog.
  await openPanel(ada);
  await ada.getByTestId('take-chair').click();
  for (const page of everyone) await waitForText(page, '[data-testid="chair-badge"]', /Facilitator: Ada/);
  await ada.getByTestId('summon').click();
  for (const page of [bo, cy]) await page.getByTestId('attention-banner').waitFor();
  await cy.screenshot({ path: `${SHOTS}/facilitation-hour-summoned-390.png` });
  // 0:02 Follow me while she walks through the goal; Bo follows, then it ends.
  await ada.getByTestId('follow-me').click();
  await waitForText(bo, '[data-testid="following-pill"]', /Following Ada/);
  await ada.getByTestId('end-follow-me').click();
  await bo.getByTestId('following-pill').waitFor({ state: 'detached' });

  // 0:05 A timebox for silent reading (3 seconds here): everyone sees it run out.
  const minutes = ada.getByTestId('timer-minutes');
  await minutes.click({ clickCount: 3 });
  await ada.keyboard.type('0.05');
  await ada.getByTestId('timer-start').click();
  for (const page of everyone) await page.locator('[data-testid="timer"]').waitFor();
  for (const page of everyone) await waitForText(page, '[data-testid="timer"]', /time's up/, 15_000);
  await ada.getByTestId('timer-stop').click();

  // 0:10 A dot vote on the backlog, two dots each, ending by itself (6 seconds here).
  await ada.getByTestId('dots-scope').selectOption({ label: 'Backlog' });
  const dotsEach = ada.getByLabel('Dots each');
  await dotsEach.click({ clickCount: 3 });
  await ada.keyboard.type('2');
  await ada.getByLabel('Ends after').click();
  await ada.keyboard.type('0.1');
  await ada.getByTestId('dots-start').click();
  await closePanel(ada);
  for (const page of everyone) await page.locator('[data-testid="dot-tray"][data-status="open"]').waitFor();
  await clickCard(bo, CARDS[1]!);
  await clickCard(bo, CARDS[2]!);
  await clickCard(ada, CARDS[1]!);
  await until('the dots placed', async () => (await dotsOn(bo, ids[2]!)).mine === 1 && (await dotsOn(ada, ids[1]!)).mine === 1);
  await ada.screenshot({ path: `${SHOTS}/facilitation-hour-dots-1280.png` });
  for (const page of everyone) await page.locator('[data-testid="dot-tray"][data-status="revealed"]').waitFor({ timeout: 20_000 });
  for (const page of everyone) await until('the counts', async () => (await dotsOn(page, ids[1]!)).count === '2');

  // 0:20 The backlog, ranked by the votes.
  await ada.getByTestId('backlog-button').click();
  await ada.getByTestId('sort-votes').click();
  await until('rows by votes', async () => (await ada.locator('[data-testid="backlog-row"]').first().getAttribute('data-card-id')) === ids[1]);
  await ada.screenshot({ path: `${SHOTS}/facilitation-hour-ranked-1280.png` });
  await ada.getByTestId('backlog-button').click();
  await ada.getByTestId('dots-end').click();

  // 0:25 Planning poker over the lane, card by card.
  await openPanel(ada);
  await ada.getByTestId('poker-card').selectOption({ label: `${CARDS[0]} · Backlog` });
  await ada.getByTestId('poker-open').click();
  await closePanel(ada);
  const accepted: string[] = [];
  for (const [i, [a, b]] of ([['5', '5'], ['3', '5'], ['8', '8']] as const).entries()) {
    for (const page of everyone) await page.locator('[data-testid="poker-tray"][data-status="voting"]').waitFor();
    await waitForText(ada, '[data-testid="poker-card-title"]', CARDS[i]!);
    await ada.locator(`[data-testid="poker-value"][data-value="${a}"]`).click();
    await bo.locator(`[data-testid="poker-value"][data-value="${b}"]`).click();
    await waitForText(ada, '[data-testid="poker-voters"] li.done', '✓ Bo');
    await ada.getByTestId('poker-reveal').click();
    await ada.getByTestId('poker-result').waitFor();
    // Apart: Ada accepts the higher after the talk; agreed: the consensus.
    const value = a === b ? a : '5';
    if (a === b) await ada.getByTestId('poker-accept').click();
    else await ada.getByTestId('poker-accept-other').selectOption(value);
    accepted.push(value);
    for (const page of everyone) await waitForText(page, '[data-testid="poker-accepted"]', `Accepted: ${value} points`);
    if (i < 2) await ada.getByTestId('poker-next').click();
  }
  assert.deepEqual(accepted, ['5', '5', '8']);
  // 0:55 The lane's total is the sum of the accepted estimates, for everyone.
  // (On the phone the header is short; the whole total is its data-total.)
  for (const page of everyone) {
    const total = page.locator('[data-testid="lane-total"][data-name="Backlog"]');
    await until('the lane total', async () => /^3 cards · 18 pts/.test((await total.getAttribute('data-total')) ?? ''));
  }
  await waitForText(ada, '[data-testid="lane-total"][data-name="Backlog"]', /^3 cards · 18 pts/);
  await ada.screenshot({ path: `${SHOTS}/facilitation-hour-totals-1280.png` });
  await cy.screenshot({ path: `${SHOTS}/facilitation-hour-totals-390.png` });
  await ada.getByTestId('poker-close').click();
  for (const page of everyone) await page.context().close();
});
