import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { LinkSummary } from '@planboard/shared';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import {
  boxOf,
  drag,
  drawRectangle,
  exportedShapes,
  launchBrowser,
  newParticipant,
  screenshot,
  shapeIds,
  shapesOnScreen,
  waitForCanvas,
  waitForShapeCount,
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

/** A date a year from now as the date field wants it typed (en-US: month, day, year) and as ISO. */
function aYearFromNow(): { typed: string; iso: string } {
  const date = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    typed: `${two(date.getMonth() + 1)}${two(date.getDate())}${date.getFullYear()}`,
    iso: `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`,
  };
}

test('a stakeholder follows a view link live, cannot edit, and is shown the access page once it is revoked', async () => {
  const board = await createBoardWithLinks(server, 'Q3 roadmap');
  const ownerContext = await newParticipant(browser, 'Olivia', '#9c36b5');
  await ownerContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const owner = await ownerContext.newPage();
  await owner.goto(server.url + board.links.owner.url);
  await waitForCanvas(owner);
  await drawRectangle(owner, { x: 300, y: 250 }, { x: 450, y: 350 });
  await waitForShapeCount(owner, 1, 'geo');

  // The owner creates a labelled view link that expires in a year, in the share dialog.
  await owner.getByTestId('share-button').click();
  const dialog = owner.getByTestId('share-dialog');
  await dialog.getByLabel('Label').pressSequentially('Stakeholders');
  const expiry = aYearFromNow();
  // Tab into the date field (its month first) and type the day, as a keyboard user does.
  await owner.keyboard.press('Tab');
  await owner.keyboard.type(expiry.typed);
  assert.equal(await dialog.getByLabel('Expires on').inputValue(), expiry.iso);
  await dialog.getByTestId('create-view-link').click();
  await dialog.getByTestId('shared-link').waitFor();
  const viewUrl = await dialog.getByTestId('shared-link').inputValue();
  assert.match(viewUrl, new RegExp(`^${server.url}/b/${board.id}#`));
  assert.equal(await owner.evaluate(() => navigator.clipboard.readText()), viewUrl, 'the new link is on the clipboard');
  const row = dialog.locator('[data-testid="link-row"][data-label="Stakeholders"]');
  await row.waitFor();
  // The row shows the chosen day, and the server holds that expiry (the end of that day, here).
  const shownDate = new Date(`${expiry.iso}T12:00:00`).toLocaleDateString('en-US', { dateStyle: 'medium' });
  assert.match(await row.innerText(), new RegExp(shownDate));
  const links = (await (await fetch(`${server.url}/api/boards/${board.id}/links`, { headers: { authorization: `Bearer ${board.links.owner.token}` } })).json()) as LinkSummary[];
  const stored = links.find((l) => l.label === 'Stakeholders')!;
  assert.equal(stored.role, 'viewer');
  assert.equal(stored.expiresAt, new Date(`${expiry.iso}T23:59:59`).toISOString());
  await screenshot(owner, 'share-dialog');
  await dialog.getByRole('button', { name: 'Close' }).click();

  const stakeholder = await (await newParticipant(browser, 'Sam', '#0c8599')).newPage();
  await stakeholder.goto(viewUrl);
  await waitForCanvas(stakeholder);
  await stakeholder.getByTestId('view-only-badge').waitFor();
  // A viewer may pass the view link on, but makes no links and sees none.
  await stakeholder.getByTestId('share-button').click();
  await stakeholder.getByTestId('copy-view-link').waitFor();
  assert.equal(await stakeholder.getByTestId('create-view-link').count(), 0);
  assert.equal(await stakeholder.getByTestId('link-row').count(), 0);
  await stakeholder.getByTestId('share-dialog').getByRole('button', { name: 'Close' }).click();
  await waitForShapeCount(stakeholder, 1, 'geo');

  // The owner's edits appear live; the stakeholder is listed as a viewer.
  await drawRectangle(owner, { x: 600, y: 300 }, { x: 760, y: 420 });
  await waitForShapeCount(stakeholder, 2, 'geo');
  await owner.locator('[data-testid="presence-list"] li[data-name="Sam"][data-role="viewer"]').waitFor();

  // The stakeholder tries to draw and to drag a shape away: nothing changes anywhere.
  const before = await exportedShapes(server.url, board.id, board.links.owner.token);
  const idsBefore = await shapeIds(stakeholder);
  const target = shapesOnScreen(stakeholder, 'geo').first();
  const other = shapesOnScreen(stakeholder, 'geo').last();
  // The viewer's drags may pan the camera; a shape moved is one whose place relative to the other changed.
  const offset = async () => {
    const [a, b] = [await boxOf(target), await boxOf(other)];
    return { dx: Math.round(a.x - b.x), dy: Math.round(a.y - b.y), w: Math.round(a.width), h: Math.round(a.height) };
  };
  const offsetBefore = await offset();
  const boxBefore = await boxOf(target);
  await stakeholder.keyboard.press('r');
  await drag(stakeholder, { x: 200, y: 500 }, { x: 320, y: 620 });
  await stakeholder.keyboard.press('v');
  await drag(stakeholder, { x: boxBefore.x + boxBefore.width / 2, y: boxBefore.y + boxBefore.height / 2 }, { x: boxBefore.x + 250, y: boxBefore.y + 200 });
  await stakeholder.keyboard.press('Delete');
  await stakeholder.waitForTimeout(500);
  assert.deepEqual(await shapeIds(stakeholder), idsBefore, 'nothing drawn or deleted on the viewer canvas');
  assert.deepEqual(await offset(), offsetBefore, 'the shape did not move on the viewer canvas');
  assert.deepEqual(await shapeIds(owner), idsBefore, 'nothing reached the owner');
  assert.deepEqual(await exportedShapes(server.url, board.id, board.links.owner.token), before, 'nothing reached the server');

  // The owner revokes the link: the open tab switches to the access page.
  await owner.getByTestId('share-button').click();
  await row.getByRole('button', { name: 'Revoke' }).click();
  await dialog.getByTestId('revoke-confirm-button').click();
  await row.waitFor({ state: 'detached' });
  await stakeholder.getByTestId('access-page').waitFor({ timeout: 5000 });
  assert.match(await stakeholder.getByTestId('access-page').innerText(), /access to this board has ended/i);
  await screenshot(stakeholder, 'revoked');
  await ownerContext.close();
  await stakeholder.context().close();
});

test('a board address without a valid link shows how to get access; home lists boards with roles', async () => {
  const board = await createBoardWithLinks(server, 'Secret plan');
  const visitor = await (await newParticipant(browser, 'Vic')).newPage();
  await visitor.goto(`${server.url}/b/${board.id}`);
  await visitor.getByTestId('access-page').waitFor();
  assert.match(await visitor.getByTestId('access-page').innerText(), /need a link/i);
  await visitor.goto(`${server.url}/b/${board.id}#not-a-token`);
  await visitor.getByTestId('access-page').waitFor();
  assert.match(await visitor.getByTestId('access-page').innerText(), /no longer opens/i);

  // With the view link the board is remembered on the home page as view only; an owner can rename and delete.
  await visitor.goto(server.url + board.links.view.url);
  await waitForCanvas(visitor);
  const owner = await (await newParticipant(browser, 'Olga')).newPage();
  await owner.goto(server.url + board.links.owner.url);
  await waitForCanvas(owner);
  await visitor.goto(server.url);
  await visitor.getByText('Secret plan').waitFor();
  assert.match(await visitor.locator('.boards li').first().innerText(), /View only/);
  assert.equal(await visitor.getByRole('button', { name: 'Delete' }).count(), 0);
  await owner.goto(server.url);
  await owner.getByRole('button', { name: 'Rename' }).click();
  await owner.getByLabel('New title').press('Control+A');
  await owner.getByLabel('New title').pressSequentially('Public plan');
  await owner.getByRole('button', { name: 'Save' }).click();
  await owner.getByText('Public plan').waitFor();
  owner.once('dialog', (d) => void d.accept());
  await owner.getByRole('button', { name: 'Delete' }).click();
  await owner.getByText('Boards you create or open through a link appear here.').waitFor();
  const gone = await fetch(`${server.url}/api/boards/${board.id}`, { headers: { authorization: `Bearer ${board.links.owner.token}` } });
  assert.equal(gone.status, 404, 'the board is gone');
  await visitor.context().close();
  await owner.context().close();
});

test('on a phone (390×844) a stakeholder\'s view link shows the live board, view only', async () => {
  const board = await createBoardWithLinks(server, 'Launch plan', 'roadmap');
  const owner = await (await newParticipant(browser, 'Olivia', '#9c36b5')).newPage();
  await owner.goto(server.url + board.links.owner.url);
  await waitForCanvas(owner);
  const phone = await (await newParticipant(browser, 'Sam', '#0c8599', { width: 390, height: 844 })).newPage();
  await phone.goto(server.url + board.links.view.url);
  await waitForCanvas(phone);
  await phone.getByTestId('view-only-badge').waitFor();
  const frames = (await shapeIds(owner, 'frame')).length;
  assert.ok(frames >= 3, 'the roadmap lanes are on the board');
  await waitForShapeCount(phone, frames, 'frame');
  await drawRectangle(owner, { x: 500, y: 600 }, { x: 620, y: 680 });
  await waitForShapeCount(phone, 1, 'geo');
  const canvas = await boxOf(phone.locator('.tl-canvas'));
  assert.ok(canvas.width <= 390 && canvas.height > 600, `the canvas fills the phone screen: ${JSON.stringify(canvas)}`);
  await screenshot(phone, 'phone-viewer');
  await owner.context().close();
  await phone.context().close();
});
