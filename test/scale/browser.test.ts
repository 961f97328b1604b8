/**
 * Two people in Chromium, each on a different instance of a two-instance deployment (one
 * PostgreSQL, one Redis): they draw with the mouse and keys and see each other's shapes and
 * cursors, and the other instance serves what both drew.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createBoardWithLinks } from '../support/server.js';
import { drawRectangle, exportedShapes, launchBrowser, newParticipant, screenshot, shapeIds, waitForCanvas, waitForShapeCount } from '../e2e/browser.js';
import { startCluster, type Cluster } from './cluster.js';
import { servicesGate } from './services.js';

const skip = await servicesGate({ postgres: true }, 'two browsers on two instances');

let cluster: Cluster;
let browser: Browser;
before(async () => {
  if (skip) return;
  cluster = await startCluster(2);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await cluster?.stop();
});

test('two people on two instances see each other’s shapes and cursors', { skip }, async () => {
  const [a, b] = cluster.instances;
  const board = await createBoardWithLinks(a!, 'Two instances');
  const ada = await (await newParticipant(browser, 'Ada', '#e03131')).newPage();
  const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
  await ada.goto(`${a!.url}${board.links.edit.url}`);
  await grace.goto(`${b!.url}${board.links.edit.url}`);
  try {
    await Promise.all([waitForCanvas(ada), waitForCanvas(grace)]);
  } catch (error) {
    await screenshot(ada, 'scale-two-instances-ada-failed');
    await screenshot(grace, 'scale-two-instances-grace-failed');
    throw error;
  }

  // Presence crosses instances: each is listed on the other's screen.
  await grace.locator('[data-testid="presence-list"] li[data-name="Ada"]').waitFor({ timeout: 15_000 });
  await ada.locator('[data-testid="presence-list"] li[data-name="Grace"]').waitFor({ timeout: 15_000 });

  // Ada draws on instance A; Grace, on instance B, sees it. Then the other way round.
  await drawRectangle(ada, { x: 400, y: 300 }, { x: 560, y: 400 });
  await waitForShapeCount(grace, 1, 'geo');
  await drawRectangle(grace, { x: 700, y: 450 }, { x: 840, y: 560 });
  await waitForShapeCount(ada, 2, 'geo');
  assert.deepEqual(await shapeIds(ada, 'geo'), await shapeIds(grace, 'geo'), 'both see the same two shapes');

  // Cursors: Ada's moves show on Grace's canvas with her name, and Grace's on Ada's.
  await ada.mouse.move(650, 250, { steps: 4 });
  await ada.mouse.move(680, 270, { steps: 4 });
  await grace.locator('.tl-collaborator__cursor').first().waitFor({ timeout: 15_000 });
  await grace.getByText('Ada', { exact: true }).first().waitFor();
  await grace.mouse.move(300, 600, { steps: 4 });
  await grace.mouse.move(320, 620, { steps: 4 });
  await ada.locator('.tl-collaborator__cursor').first().waitFor({ timeout: 15_000 });
  await ada.getByText('Grace', { exact: true }).first().waitFor();
  await screenshot(ada, 'scale-two-instances-ada');
  await screenshot(grace, 'scale-two-instances-grace');

  // Each instance serves both shapes from the shared store.
  for (const instance of [a!, b!]) {
    let stored: string[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      stored = (await exportedShapes(instance.url, board.id, board.links.view.token, 'geo')).map((shape) => String(shape['id'])).sort();
      if (stored.length === 2) break;
    }
    assert.deepEqual(stored, await shapeIds(ada, 'geo'));
  }
});
