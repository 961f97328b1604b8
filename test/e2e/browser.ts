import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { BoardExport, StoredRecord } from '@planboard/shared';

// Browser tests act as a person does: they press keys, move the mouse and read what is on the
// screen. They never reach into the app (there is no hook to reach through); what the board
// holds is read over HTTP from `export.json`, as any integration would.

/** Debian's Chromium by default; PLANBOARD_CHROMIUM points elsewhere (e.g. Playwright's own). */
export const CHROMIUM = process.env.PLANBOARD_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots for people to look at (gitignored). */
export const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser profile whose user already has a name (the prompt is tested on its own). */
export async function newParticipant(
  browser: Browser,
  name: string,
  color = '#1971c2',
  viewport = { width: 1280, height: 800 },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(
    ([n, c]) => {
      if (!localStorage.getItem('planboard:user')) {
        localStorage.setItem('planboard:user', JSON.stringify({ id: crypto.randomUUID(), name: n, color: c }));
      }
    },
    [name, color],
  );
  return context;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

/** The canvas is on screen and the page is connected (or knowingly offline). */
export async function waitForCanvas(page: Page): Promise<void> {
  await page.locator('.tl-canvas').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="connection-status"]:is([data-status="connected"], [data-status="offline"])').waitFor({ timeout: 30_000 });
}

/** Shapes drawn on the canvas (tldraw's own shape elements), optionally of one type. */
export function shapesOnScreen(page: Page, type?: string): Locator {
  return page.locator(`.tl-shape:not(.tl-shape-background)${type ? `[data-shape-type="${type}"]` : ''}`);
}

/** The ids of the shapes the canvas shows (on screen or scrolled away), optionally of one type. */
export function shapeIds(page: Page, type?: string): Promise<string[]> {
  return shapesOnScreen(page, type).evaluateAll((elements) => [...new Set(elements.map((e) => e.getAttribute('data-shape-id')!))].sort());
}

/** Waits until the canvas shows exactly `count` shapes (of a type); says what it saw if not. */
export async function waitForShapeCount(page: Page, count: number, type?: string, timeout = 15_000): Promise<void> {
  const selector = `.tl-shape:not(.tl-shape-background)${type ? `[data-shape-type="${type}"]` : ''}`;
  await page
    .waitForFunction(
      ([css, n]) => new Set(Array.from(document.querySelectorAll(css)).map((e) => e.getAttribute('data-shape-id'))).size === n,
      [selector, count] as const,
      { timeout },
    )
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\nwanted ${count} ${type ?? ''} shapes, the canvas shows ${JSON.stringify(await shapeIds(page, type))}`);
    });
}

/** A lane (a tldraw frame) by the name in its heading. */
export function lane(page: Page, name: string): Locator {
  return page.locator('.tl-shape[data-shape-type="frame"]').filter({ has: page.locator(`.tl-frame-name-input[value="${name}"]`) });
}

/** A story card on the canvas by its title. */
export function card(page: Page, title: string): Locator {
  return page.getByTestId('story-card').filter({ hasText: title });
}

/** The on-screen box of something that must be visible. */
export async function boxOf(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  await locator.waitFor({ state: 'visible', timeout: 15_000 });
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${locator} has no box on screen`);
  return box;
}

/** A point inside the box of a visible element, at fractions of its width and height. */
export async function pointIn(locator: Locator, fx = 0.5, fy = 0.5): Promise<{ x: number; y: number }> {
  const box = await boxOf(locator);
  return { x: box.x + box.width * fx, y: box.y + box.height * fy };
}

/** Gives the canvas the keyboard without clicking anything on it (a click could select or draw). */
export async function focusCanvas(page: Page): Promise<void> {
  await page.locator('.tl-container').focus();
}

/** Shift+1: zoom to fit everything on the page, as a person does to see the whole board. */
export async function zoomToFit(page: Page): Promise<void> {
  await focusCanvas(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+1');
  // The camera animates; wait until the frames stop moving.
  let last = '';
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(100);
    const now = JSON.stringify(await page.locator('.tl-shape').evaluateAll((els) => els.slice(0, 5).map((e) => e.getBoundingClientRect().toJSON())));
    if (now === last) return;
    last = now;
  }
}

/** The tool that is chosen in tldraw's toolbar (its test id, e.g. `tools.select`). */
export async function currentTool(page: Page): Promise<string | null> {
  const pressed = page.locator('.tlui-toolbar [data-testid^="tools."][aria-pressed="true"]');
  if ((await pressed.count()) === 0) return null;
  return pressed.first().getAttribute('data-testid');
}

/** Drags with the left button in small steps, as a hand does. */
export async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, modifiers: string[] = []): Promise<void> {
  await page.mouse.move(from.x, from.y);
  for (const key of modifiers) await page.keyboard.down(key);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 6 });
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await page.mouse.up();
  for (const key of modifiers) await page.keyboard.up(key);
}

/** Draws a rectangle the way a person does: press R, drag on the canvas. */
export async function drawRectangle(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await focusCanvas(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('r');
  await drag(page, from, to);
}

/** Every record of the board, as `GET /api/boards/:id/export.json` gives it. */
export async function exportedBoard(serverUrl: string, boardId: string, token: string): Promise<BoardExport> {
  const response = await fetch(`${serverUrl}/api/boards/${boardId}/export.json`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`export.json: ${response.status} ${await response.text()}`);
  return (await response.json()) as BoardExport;
}

export function exportedRecords(board: BoardExport): StoredRecord[] {
  return Object.values(board.records) as StoredRecord[];
}

/** The board's shapes (of a type) as stored by the server. */
export async function exportedShapes(serverUrl: string, boardId: string, token: string, type?: string): Promise<StoredRecord[]> {
  return exportedRecords(await exportedBoard(serverUrl, boardId, token)).filter((r) => r.typeName === 'shape' && (!type || r['type'] === type));
}

/** Polls until `check` holds, saying what it last saw when it does not. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeout = 15_000): Promise<T> {
  const started = Date.now();
  let value = await read();
  while (!check(value)) {
    if (Date.now() - started > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}; last saw ${JSON.stringify(value)?.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** Waits until an element matching `selector` shows exactly `text`; says what it saw if not. */
export async function waitForText(page: Page, selector: string, text: string, timeout = 15_000): Promise<void> {
  await page
    .waitForFunction(
      // A total shows a short form when its lane or column is narrow on screen; the whole text is
      // then in its `data-total` (lanes) or its tooltip (activities, themes).
      ([css, expected]) =>
        Array.from(document.querySelectorAll(css)).some((el) =>
          [el.textContent?.trim(), el.getAttribute('data-total'), el.getAttribute('title')].includes(expected)),
      [selector, text] as const,
      { timeout },
    )
    .catch(async (error: Error) => {
      const found = await page.locator(selector).evaluateAll((els) => els.map((el) => [el.textContent?.trim(), el.getAttribute('data-total'), el.getAttribute('title')]));
      throw new Error(`${error.message}\nwanted "${text}" in ${selector}, found ${JSON.stringify(found)}`);
    });
}

export const laneTotal = (name: string) => `[data-testid="lane-total"][data-name="${name}"]`;

/** A server gauge or counter from `/metrics`. */
export async function metric(serverUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+(?:\\.\\d+)?)`, 'm').exec(text)?.[1] ?? NaN);
}
