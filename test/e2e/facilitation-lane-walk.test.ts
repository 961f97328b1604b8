import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CARDS, PHONE, SHOTS, closePanel, open, openPanel, server, setUpBoard, until, useServerAndBrowser, waitForText } from './facilitation-helpers.js';

/** Planning poker over a whole lane, with the T-shirt and a custom deck, in three browsers (one a phone). */
useServerAndBrowser();

test('poker walks a lane card by card ("Next card") with T-shirt sizes and a custom deck; accepted estimates land on each card', async () => {
  const board = await setUpBoard();
  const url = (token: string) => `${server.url}/b/${board.id}#${token}`;
  const ada = await open('Ada', '#e03131', url(board.links.owner.token));
  const bo = await open('Bo', '#2f9e44', url(board.links.edit.token), PHONE);
  const cy = await open('Cy', '#1971c2', url(board.links.view.token));
  const everyone = [ada, bo, cy];

  await openPanel(ada);
  await ada.getByTestId('take-chair').click();
  await ada.getByTestId('poker-card').selectOption({ label: `${CARDS[0]} · Backlog` });
  await ada.getByTestId('poker-deck').selectOption({ label: 'T-shirt sizes' });
  await ada.getByTestId('poker-open').click();
  await closePanel(ada);

  /** One round: both vote, Ada reveals and accepts; answers the card's title. */
  const round = async (votes: [string, string], accept: { suggested: string } | { other: string }, shot?: string) => {
    for (const page of everyone) await page.locator('[data-testid="poker-tray"][data-status="voting"]').waitFor();
    const title = (await ada.getByTestId('poker-card-title').textContent())!.trim();
    await ada.locator(`[data-testid="poker-value"][data-value="${votes[0]}"]`).click();
    await bo.locator(`[data-testid="poker-value"][data-value="${votes[1]}"]`).click();
    for (const page of everyone) await waitForText(page, '[data-testid="poker-voters"] li.done', '✓ Bo');
    if (shot) await bo.screenshot({ path: `${SHOTS}/facilitation-lane-walk-voting-${shot}-390.png` });
    await ada.getByTestId('poker-reveal').click();
    for (const page of everyone) await page.getByTestId('poker-result').waitFor();
    if ('suggested' in accept) {
      await waitForText(ada, '[data-testid="poker-accept"]', `Accept ${accept.suggested}`);
      await ada.getByTestId('poker-accept').click();
    } else {
      await ada.getByTestId('poker-accept-other').selectOption(accept.other);
    }
    const points = 'suggested' in accept ? accept.suggested : accept.other;
    for (const page of everyone) {
      await waitForText(page, '[data-testid="poker-accepted"]', `Accepted: ${points} points`);
      await until(`${title} to show ${points}`, async () => (await page.locator('.pb-card', { hasText: title }).first().getAttribute('data-estimate')) === points);
    }
    return title;
  };

  // Card 1, T-shirt sizes: both say M, which stands for 3 points.
  const first = await round(['M', 'M'], { suggested: '3' }, 'tshirt');
  assert.equal(first, CARDS[0]);
  await ada.screenshot({ path: `${SHOTS}/facilitation-lane-walk-accepted-1280.png` });
  // "Next card": the next card of the lane without an estimate, same deck.
  await ada.getByTestId('poker-next').click();
  await waitForText(ada, '[data-testid="poker-card-title"]', CARDS[1]!);
  for (const page of everyone) await waitForText(page, '[data-testid="poker-card-title"]', CARDS[1]!);
  assert.deepEqual(await bo.locator('[data-testid="poker-value"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-value'))), ['XS', 'S', 'M', 'L', 'XL', 'XXL', '?']);
  // Card 2: L and XL are apart; Ada accepts 8 from the scale after the talk.
  const second = await round(['L', 'XL'], { other: '8' });
  assert.equal(second, CARDS[1]);
  await ada.getByTestId('poker-next').click();
  for (const page of everyone) await waitForText(page, '[data-testid="poker-card-title"]', CARDS[2]!);
  // The last card: a custom deck, opened from the panel on the same card.
  await ada.getByTestId('poker-close').click();
  for (const page of everyone) await page.getByTestId('poker-tray').waitFor({ state: 'detached' });
  await openPanel(ada);
  await ada.getByTestId('poker-card').selectOption({ label: `${CARDS[2]} · Backlog` });
  await ada.getByTestId('poker-deck').selectOption({ label: 'Custom list' });
  await ada.getByTestId('poker-custom').click();
  await ada.keyboard.type('1, 2, 4, 8');
  await ada.getByTestId('poker-open').click();
  await closePanel(ada);
  assert.deepEqual(await bo.locator('[data-testid="poker-value"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-value'))), ['1', '2', '4', '8']);
  await round(['2', '2'], { suggested: '2' }, 'custom');
  // The lane is walked: no next card; the lane total counts every accepted estimate.
  assert.equal(await ada.getByTestId('poker-next').count(), 0);
  for (const page of everyone) await waitForText(page, '[data-testid="lane-total"][data-name="Backlog"]', /^3 cards · 13 pts/);
  await cy.screenshot({ path: `${SHOTS}/facilitation-lane-walk-done-viewer-1280.png` });
  await bo.screenshot({ path: `${SHOTS}/facilitation-lane-walk-done-390.png` });
  for (const page of everyone) await page.context().close();
});
