import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/**
 * Helpers for browser tests that act as a person does: they look at the screen (the DOM) and
 * use the mouse and keyboard, never a hook into the app.
 */

export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
mkdirSync(SCREENSHOTS, { recursive: true });

export interface ScreenSize {
  name: 'phone' | 'tablet' | 'desktop';
  width: number;
  height: number;
}

export const SCREENS: ScreenSize[] = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 820, height: 1180 },
  { name: 'desktop', width: 1280, height: 800 },
];

/** A browser profile at a screen size; phones and tablets are touch devices with a mobile viewport, like the real ones. */
export async function personAt(browser: Browser, screen: ScreenSize, name: string): Promise<BrowserContext> {
  const touch = screen.name !== 'desktop';
  const context = await browser.newContext({
    viewport: { width: screen.width, height: screen.height },
    isMobile: screen.name === 'phone',
    hasTouch: touch,
    deviceScaleFactor: 1,
  });
  await context.addInitScript(
    ([n]) => {
      if (!localStorage.getItem('planboard:user')) localStorage.setItem('planboard:user', JSON.stringify({ id: crypto.randomUUID(), name: n, color: '#2f9e44' }));
    },
    [name],
  );
  return context;
}

/** Waits until the board page shows its canvas and is connected. */
export async function waitForBoard(page: Page): Promise<void> {
  await page.locator('.tl-canvas').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor({ timeout: 15_000 });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

/** The page cannot be scrolled or swiped sideways: nothing is wider than the screen. */
export async function assertNoHorizontalOverflow(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth, bodyWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    bodyWidth: document.body.scrollWidth,
  }));
  assert.ok(scrollWidth <= innerWidth && bodyWidth <= innerWidth, `${where}: the page is ${Math.max(scrollWidth, bodyWidth)} px wide on a ${innerWidth} px screen`);
}

/** The element is wholly on screen (not cut off by an edge). */
export async function assertOnScreen(page: Page, locator: Locator, what: string): Promise<void> {
  const box = await locator.boundingBox();
  assert.ok(box, `${what} is shown`);
  const { width, height } = await page.evaluate(() => ({ width: window.innerWidth, height: window.innerHeight }));
  assert.ok(
    box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5,
    `${what} is on screen: ${JSON.stringify(box)} on ${width}×${height}`,
  );
}

/** Where on screen the visible text is, e.g. a lane's name on the canvas. */
export async function centreOf(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  assert.ok(box, 'shown on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}
