import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { CreatedBoard } from '@planboard/shared';

/**
 * Helpers for the canvas tests of issue 10: everything is read from what is on screen (the DOM),
 * or from the server over HTTP; nothing reaches into the editor.
 */
export const SHOTS = 'test/e2e/screenshots';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export async function boxOf(locator: Locator): Promise<Rect> {
  const box = await locator.boundingBox();
  assert.ok(box, 'the element is on screen');
  return box;
}

export const inside = (inner: Rect, outer: Rect, slack = 1) =>
  inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;

export const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Adds cards through the import API, as a CSV file would (the import dialog is tested elsewhere). */
export async function importCards(url: string, board: CreatedBoard, csv: string): Promise<string[]> {
  const response = await fetch(`${url}/api/boards/${board.id}/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${board.links.edit.token}` },
    body: csv,
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { cardIds: string[] }).cardIds;
}

export async function exportedShapes(url: string, board: CreatedBoard): Promise<{ id: string; type: string; parentId: string; props: Record<string, unknown> }[]> {
  const response = await fetch(`${url}/api/boards/${board.id}/export.json`, { headers: { authorization: `Bearer ${board.links.edit.token}` } });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { records: Record<string, { typeName: string; id: string; type: string; parentId: string; props: Record<string, unknown> }> };
  return Object.values(body.records).filter((record) => record.typeName === 'shape');
}

export async function openBoard(page: Page, url: string, board: CreatedBoard): Promise<void> {
  await page.goto(`${url}${board.links.edit.url}`);
  await page.locator('.tl-canvas').waitFor({ timeout: 30_000 });
}

/** A lane (tldraw frame) on screen, found by the name in its header. */
export const laneFrame = (page: Page, name: string) =>
  page.locator('.tl-shape[data-shape-type="frame"]', { has: page.locator(`[data-testid="lane-header"][data-name="${name}"]`) });
export const laneHeader = (page: Page, name: string) => page.locator(`[data-testid="lane-header"][data-name="${name}"]`);
export const laneTotal = (page: Page, name: string) => page.locator(`[data-testid="lane-total"][data-name="${name}"]`);
export const card = (page: Page, title: string) => page.getByTestId('story-card').filter({ hasText: title });

/** The zoom tldraw shows in its zoom menu button, as a number (0.4 for "40%"). */
export async function zoomShown(page: Page): Promise<number> {
  const text = (await page.getByTestId('minimap.zoom-menu-button').textContent()) ?? '';
  return Number(text.replace('%', '').trim()) / 100;
}

/** Zooms out the way a person does on a laptop, Ctrl + wheel (a pinch), until tldraw shows about `target`. */
export async function pinchZoomTo(page: Page, target: number, at: { x: number; y: number }): Promise<number> {
  await page.mouse.move(at.x, at.y);
  await page.keyboard.down('Control');
  try {
    for (let i = 0; i < 60; i++) {
      const zoom = await zoomShown(page);
      if (Math.abs(zoom - target) <= 0.02) break;
      await page.mouse.wheel(0, zoom > target ? 20 : -20);
      await page.waitForTimeout(50);
    }
  } finally {
    await page.keyboard.up('Control');
  }
  await page.waitForTimeout(300);
  return zoomShown(page);
}

/** Waits until `locator` shows exactly `text`; says what it saw if not. */
export async function waitForText(locator: Locator, text: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = (await locator.allTextContents()).map((t) => t.trim());
    if (seen.includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`wanted "${text}", saw ${JSON.stringify(seen)}`);
}

/** Drags with the mouse in small steps, as a hand does. */
export async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 10, from.y + 10, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

export const center = (box: Rect) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
