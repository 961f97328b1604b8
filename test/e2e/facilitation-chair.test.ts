import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBoardWithLinks } from '../support/server.js';
import { PHONE, SHOTS, closePanel, open, openPanel, overlaps, server, setUpBoard, useServerAndBrowser, waitForText } from './facilitation-helpers.js';

/**
 * Handing the facilitator's chair over and taking it back, and the facilitation controls on a
 * phone. Three Chromium contexts (the viewer on a phone), acting through the screen.
 */
useServerAndBrowser();

test('the chair is handed to an editor, everyone sees it, the former chair loses the controls, and the owner takes it back', async () => {
  const board = await setUpBoard();
  const url = (token: string) => `${server.url}/b/${board.id}#${token}`;
  const ada = await open('Ada', '#e03131', url(board.links.owner.token));
  const bo = await open('Bo', '#2f9e44', url(board.links.edit.token));
  const cy = await open('Cy', '#1971c2', url(board.links.view.token), PHONE);
  const everyone = [ada, bo, cy];

  await openPanel(ada);
  await ada.getByTestId('take-chair').click();
  for (const page of [ada, bo]) await waitForText(page, '[data-testid="chair-badge"]', 'Facilitator: Ada');
  await ada.getByTestId('poker-open').waitFor();
  // Ada hands the chair to Bo from the list of who is here.
  await ada.getByLabel('Hand the chair to').selectOption({ label: 'Bo' });
  await ada.getByRole('button', { name: 'Hand over' }).click();
  for (const page of [ada, bo]) await waitForText(page, '[data-testid="chair-badge"]', 'Facilitator: Bo');
  // The phone shows the chair in the panel (the bar only has room for the timer and the chip).
  await openPanel(cy);
  await waitForText(cy, '[data-testid="chair-name"]', 'Bo');
  await cy.screenshot({ path: `${SHOTS}/facilitation-chair-viewer-panel-390.png` });
  await closePanel(cy);
  // Ada's facilitator controls are gone; as an owner she may take the chair back.
  await ada.getByTestId('poker-open').waitFor({ state: 'detached' });
  assert.equal(await ada.getByTestId('summon').count(), 0);
  await waitForText(ada, '[data-testid="take-chair"]', 'Take back the chair');
  await ada.screenshot({ path: `${SHOTS}/facilitation-chair-handed-owner-1280.png` });
  // Bo now has them.
  await openPanel(bo);
  await bo.getByTestId('poker-open').waitFor();
  await bo.getByTestId('summon').waitFor();
  await waitForText(bo, '[data-testid="chair-name"]', /^Bo\s*\(you\)$/);
  await bo.screenshot({ path: `${SHOTS}/facilitation-chair-new-chair-1280.png` });
  // Bo (an editor) cannot take it from Ada later; Ada takes it back now.
  await ada.getByTestId('take-chair').click();
  for (const page of [ada, bo]) await waitForText(page, '[data-testid="chair-badge"]', 'Facilitator: Ada');
  await bo.getByTestId('poker-open').waitFor({ state: 'detached' });
  assert.equal(await bo.getByTestId('take-chair').count(), 0, 'an editor cannot take an occupied chair');
  await ada.getByTestId('poker-open').waitFor();
  for (const page of everyone) await page.context().close();
});

test('on a phone the facilitation sheet leaves the board visible and the Facilitate chip clears the story map\'s totals', async () => {
  const board = await createBoardWithLinks(server, 'Checkout map', 'story-map');
  const phone = await open('Ada', '#e03131', `${server.url}/b/${board.id}#${board.links.owner.token}`, PHONE, null);
  await phone.locator('[data-testid="activity-total"]').first().waitFor({ timeout: 30_000 });
  await phone.waitForTimeout(1800);
  await phone.screenshot({ path: `${SHOTS}/facilitation-story-map-chip-390.png` });
  const chip = (await phone.getByTestId('facilitation-bar').boundingBox())!;
  for (const total of await phone.locator('[data-testid="activity-total"]').all()) {
    const box = await total.boundingBox();
    if (box) assert.ok(!overlaps(chip, box), `the chip ${JSON.stringify(chip)} covers a total ${JSON.stringify(box)}`);
  }
  await openPanel(phone);
  await phone.getByTestId('take-chair').click();
  await phone.getByTestId('chair-name').waitFor();
  const sheet = (await phone.getByTestId('facilitation-panel').boundingBox())!;
  assert.ok(sheet.y >= PHONE.height * 0.45, `the sheet leaves the top half of the board visible: ${JSON.stringify(sheet)}`);
  await phone.screenshot({ path: `${SHOTS}/facilitation-sheet-390.png` });
  // The timer stays visible in the bar while the sheet is closed.
  await phone.getByTestId('timer-start').click();
  await closePanel(phone);
  await phone.getByTestId('timer-remaining').waitFor();
  await phone.screenshot({ path: `${SHOTS}/facilitation-timer-bar-390.png` });
  await phone.context().close();
});
