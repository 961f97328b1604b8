import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CARDS, PHONE, SHOTS, card, cardId, clickCard, closePanel, dotsOn, open, openPanel, server, setUpBoard, until, useServerAndBrowser, waitForText } from './facilitation-helpers.js';

/**
 * Dot voting by clicking (tapping) cards on the canvas, in three browsers (one a phone): own dots
 * only, counts at the reveal (by the facilitator, or by the server at the end time).
 */
useServerAndBrowser();

test('dot voting by clicking cards on the canvas: own dots only, counts at the reveal, results sort the backlog; then an automatic reveal at the end time', async () => {
  const board = await setUpBoard();
  const url = (token: string) => `${server.url}/b/${board.id}#${token}`;
  const ada = await open('Ada', '#e03131', url(board.links.owner.token));
  const bo = await open('Bo', '#2f9e44', url(board.links.edit.token), PHONE);
  const cy = await open('Cy', '#1971c2', url(board.links.view.token));
  const everyone = [ada, bo, cy];
  const ids = await Promise.all(CARDS.map((title) => cardId(ada, title)));

  await openPanel(ada);
  await ada.getByTestId('take-chair').click();
  await ada.getByTestId('dots-scope').selectOption({ label: 'Backlog' });
  const dotsEach = ada.getByLabel('Dots each');
  await dotsEach.click({ clickCount: 3 });
  await ada.keyboard.type('2');
  await ada.getByTestId('dots-start').click();
  await closePanel(ada);
  for (const page of everyone) await page.getByTestId('dot-tray').waitFor();
  await waitForText(bo, '[data-testid="dots-left"]', '2 of 2 dots left');
  await waitForText(bo, '[data-testid="dots-hint"]', /Click a card to place a dot; click it again to take it back/);
  // Every card of the vote is outlined for those who vote; a viewer is told to watch.
  await until('outlines on Bo\'s cards', async () => (await bo.locator('.pb-dot-outline').count()) === 3);
  assert.equal(await cy.locator('.pb-dot-outline').count(), 0);
  await ada.screenshot({ path: `${SHOTS}/facilitation-dots-open-1280.png` });

  // Bo taps a card: a dot; taps it again: taken back; then two cards.
  await clickCard(bo, CARDS[0]!);
  await until('Bo\'s dot on card 1', async () => (await dotsOn(bo, ids[0]!)).mine === 1);
  await waitForText(bo, '[data-testid="dots-left"]', '1 of 2 dots left');
  assert.equal(await bo.getByTestId('my-dot').count(), 1, 'the dot is drawn on the card');
  await clickCard(bo, CARDS[0]!);
  await until('Bo\'s dot taken back', async () => (await dotsOn(bo, ids[0]!)).mine === 0);
  await waitForText(bo, '[data-testid="dots-left"]', '2 of 2 dots left');
  await clickCard(bo, CARDS[0]!);
  await bo.waitForTimeout(400);
  await clickCard(bo, CARDS[1]!);
  await waitForText(bo, '[data-testid="dots-left"]', '0 of 2 dots left');
  await clickCard(bo, CARDS[2]!);
  await waitForText(bo, '[data-testid="facilitation-message"]', /You have placed all your 2 dots; take one back first/);
  // Tapping cards to vote never selected, moved or edited one.
  assert.equal(await bo.getByTestId('card-panel').count(), 0, 'no card was selected');
  await bo.screenshot({ path: `${SHOTS}/facilitation-dots-placed-390.png` });

  // Ada clicks a card on her laptop; a drag on a card pans the view and moves no card.
  const before = [(await card(ada, CARDS[0]!).boundingBox())!, (await card(ada, CARDS[2]!).boundingBox())!];
  await ada.mouse.move(before[1]!.x + 60, before[1]!.y + 40);
  await ada.mouse.down();
  await ada.mouse.move(before[1]!.x + 160, before[1]!.y + 90, { steps: 8 });
  await ada.mouse.up();
  const after = [(await card(ada, CARDS[0]!).boundingBox())!, (await card(ada, CARDS[2]!).boundingBox())!];
  assert.ok(Math.abs(after[1]!.x - before[1]!.x - 100) < 3, `the view panned: ${before[1]!.x} → ${after[1]!.x}`);
  assert.ok(Math.abs(after[1]!.x - after[0]!.x - (before[1]!.x - before[0]!.x)) < 1, 'the cards kept their places on the board');
  assert.equal(await ada.getByTestId('card-panel').count(), 0);
  await clickCard(ada, CARDS[1]!);
  await until('Ada\'s dot on card 2', async () => (await dotsOn(ada, ids[1]!)).mine === 1);
  for (const page of everyone) await waitForText(page, '[data-testid="dots-voters"]', '· 2 voted');
  // Nobody sees anyone else's dots, nor any count, before the reveal.
  assert.deepEqual(await Promise.all(ids.map(async (id) => (await dotsOn(bo, id)).mine)), [1, 1, 0], 'Bo sees his own dots only');
  assert.deepEqual(await Promise.all(ids.map(async (id) => (await dotsOn(ada, id)).mine)), [0, 1, 0], 'Ada sees hers only');
  for (const page of everyone) {
    for (const id of ids) assert.equal((await dotsOn(page, id)).count, '', 'counts are hidden until the reveal');
  }
  assert.equal(await cy.getByTestId('my-dot').count(), 0);
  // Nor where the others' cursors rest while they click.
  assert.equal(await cy.locator('.tl-cursor').count(), 0, 'no cursor of a voter is drawn during the vote');
  await cy.screenshot({ path: `${SHOTS}/facilitation-dots-open-viewer-1280.png` });

  await ada.getByTestId('dots-reveal').click();
  for (const [i, page] of everyone.entries()) {
    await until('the counts on the canvas', async () => (await dotsOn(page, ids[1]!)).count === '2');
    assert.equal((await dotsOn(page, ids[0]!)).count, '1');
    assert.equal((await dotsOn(page, ids[2]!)).count, '0');
    // Zoomed out (the phone's fitted view) a card shows its estimate and title only: the count is the pill.
    if (page === bo) continue;
    await until(`the card to carry its votes on page ${i}`, async () => (await card(page, CARDS[1]!).locator('.pb-card__votes').textContent().catch(() => null))?.trim() === '● 2');
  }
  await until('cursors back after the reveal', async () => (await cy.locator('.tl-cursor').count()) > 0);
  await ada.screenshot({ path: `${SHOTS}/facilitation-dots-revealed-1280.png` });
  await bo.screenshot({ path: `${SHOTS}/facilitation-dots-revealed-390.png` });
  // The backlog table sorts by the votes, most first.
  await ada.getByTestId('backlog-button').click();
  await ada.getByTestId('sort-votes').click();
  await until('rows by votes', async () => (await ada.locator('[data-testid="backlog-row"]').first().getAttribute('data-card-id')) === ids[1]);
  assert.deepEqual(await ada.locator('[data-testid="backlog-row"] [data-testid="cell-votes"]').allTextContents(), ['2', '1', '']);
  await ada.screenshot({ path: `${SHOTS}/facilitation-dots-backlog-1280.png` });
  await ada.getByTestId('backlog-button').click();
  // After the reveal a click selects again.
  await clickCard(ada, CARDS[0]!);
  await ada.getByTestId('card-panel').waitFor();
  await ada.keyboard.press('Escape');

  // ---- a vote with an end time: nobody reveals it, the server does ----
  await openPanel(ada);
  await ada.getByTestId('dots-end').click();
  for (const page of everyone) await page.getByTestId('dot-tray').waitFor({ state: 'detached' });
  await ada.getByTestId('dots-scope').selectOption({ label: 'Backlog' });
  const ends = ada.getByLabel('Ends after');
  await ends.click();
  await ada.keyboard.type('0.15');
  await ada.getByTestId('dots-start').click();
  await closePanel(ada);
  for (const page of everyone) await page.locator('[data-testid="dot-tray"][data-status="open"]').waitFor();
  await waitForText(bo, '[data-testid="dots-remaining"]', /0:0\d/);
  await clickCard(bo, CARDS[2]!);
  await until('Bo\'s dot on card 3', async () => (await dotsOn(bo, ids[2]!)).mine === 1);
  await bo.screenshot({ path: `${SHOTS}/facilitation-dots-timed-390.png` });
  for (const page of everyone) await page.locator('[data-testid="dot-tray"][data-status="revealed"]').waitFor({ timeout: 20_000 });
  for (const page of everyone) {
    await until('the counts after the end time', async () => (await dotsOn(page, ids[2]!)).count === '1');
    if (page === bo) continue;
    await until('card 3 to carry its vote', async () => (await card(page, CARDS[2]!).locator('.pb-card__votes').textContent().catch(() => null))?.trim() === '● 1');
  }
  await cy.screenshot({ path: `${SHOTS}/facilitation-dots-auto-revealed-viewer-1280.png` });
  for (const page of everyone) await page.context().close();
});
