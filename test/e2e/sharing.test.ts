import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { createRectangle, launchBrowser, newParticipant, shapes, waitForCanvas, waitForShape } from './browser.js';

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

test('a stakeholder follows a view link live, cannot edit, and is shown the access page once it is revoked', async () => {
  const board = await createBoardWithLinks(server, 'Q3 roadmap');
  const ownerContext = await newParticipant(browser, 'Olivia', '#9c36b5');
  await ownerContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const owner = await ownerContext.newPage();
  await owner.goto(server.url + board.links.owner.url);
  await waitForCanvas(owner);
  await createRectangle(owner, 'before-sharing', 100, 100);

  // The owner creates a labelled view link in the share dialog.
  await owner.getByTestId('share-button').click();
  const dialog = owner.getByTestId('share-dialog');
  await dialog.getByLabel('Label').fill('Stakeholders');
  await dialog.getByTestId('create-view-link').click();
  const viewUrl = await dialog.getByTestId('shared-link').inputValue();
  assert.match(viewUrl, new RegExp(`^${server.url}/b/${board.id}#`));
  await dialog.locator('[data-testid="link-row"][data-label="Stakeholders"]').waitFor();
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
  await waitForShape(stakeholder, { id: 'shape:before-sharing' });

  // The owner's edits appear live; the stakeholder is listed as a viewer.
  await createRectangle(owner, 'live-edit', 400, 200);
  await waitForShape(stakeholder, { id: 'shape:live-edit' });
  await owner.locator('[data-testid="presence-list"] li[data-name="Sam"][data-role="viewer"]').waitFor();

  // The stakeholder cannot create or move shapes, through the UI or the editor API.
  const before = await shapes(stakeholder);
  await stakeholder.mouse.click(700, 600);
  await stakeholder.keyboard.press('r');
  await stakeholder.mouse.move(600, 500);
  await stakeholder.mouse.down();
  await stakeholder.mouse.move(700, 600, { steps: 5 });
  await stakeholder.mouse.up();
  const rect = before.find((s) => s.id === 'shape:live-edit')!;
  const screen = await stakeholder.evaluate(
    ([x, y]) => (window as unknown as { __planboard: { editor: { pageToScreen(p: object): { x: number; y: number } } } }).__planboard.editor.pageToScreen({ x: x + 60, y: y + 40 }),
    [rect.x, rect.y] as const,
  );
  await stakeholder.mouse.move(screen.x, screen.y);
  await stakeholder.mouse.down();
  await stakeholder.mouse.move(screen.x + 150, screen.y + 100, { steps: 6 });
  await stakeholder.mouse.up();
  await createRectangle(stakeholder, 'sneaky', 10, 10).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(await shapes(stakeholder), before, 'nothing changed on the viewer canvas');
  assert.deepEqual(
    (await shapes(owner)).map((s) => s.id).sort(),
    before.map((s) => s.id).sort(),
    'and nothing reached the owner',
  );

  // The owner revokes the link: the open tab switches to the access page.
  await owner.getByTestId('share-button').click();
  await dialog.locator('[data-testid="link-row"][data-label="Stakeholders"]').getByRole('button', { name: 'Revoke' }).click();
  await dialog.getByTestId('revoke-confirm-button').click();
  await dialog.locator('[data-testid="link-row"][data-label="Stakeholders"]').waitFor({ state: 'detached' });
  await stakeholder.getByTestId('access-page').waitFor({ timeout: 5000 });
  assert.match(await stakeholder.getByTestId('access-page').innerText(), /access to this board has ended/i);
  await stakeholder.screenshot({ path: 'test-results/revoked.png' }).catch(() => undefined);
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
  await owner.getByLabel('New title').fill('Public plan');
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
