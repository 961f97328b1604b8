import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium by default; PLANBOARD_CHROMIUM points elsewhere (e.g. Playwright's own). */
export const CHROMIUM = process.env.PLANBOARD_CHROMIUM ?? '/usr/bin/chromium';

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
export async function newParticipant(browser: Browser, name: string, color = '#1971c2'): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
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

export interface ShapeInfo {
  id: string;
  type: string;
  x: number;
  y: number;
}

export async function waitForCanvas(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean((window as unknown as { __planboard?: unknown }).__planboard), undefined, { timeout: 30_000 });
  await page.locator('.tl-canvas').waitFor({ timeout: 30_000 });
}

type Planboard = {
  editor: {
    getCurrentPageShapes(): ShapeInfo[];
    createShape(shape: object): void;
    getInstanceState(): { isReadonly: boolean };
  };
};

export function shapes(page: Page): Promise<ShapeInfo[]> {
  return page.evaluate(() =>
    (window as unknown as { __planboard: Planboard }).__planboard.editor
      .getCurrentPageShapes()
      .map((s) => ({ id: s.id, type: s.type, x: s.x, y: s.y })),
  );
}

/** Waits until the page's canvas holds a shape with the given id or type. */
export async function waitForShape(page: Page, match: { id?: string; type?: string }, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    ({ id, type }) => {
      const editor = (window as unknown as { __planboard?: Planboard }).__planboard?.editor;
      return Boolean(editor?.getCurrentPageShapes().some((s) => (!id || s.id === id) && (!type || s.type === type)));
    },
    match,
    { timeout },
  );
}

/** Creates a geo shape through tldraw's public API, as a remote integration would. */
export function createRectangle(page: Page, id: string, x: number, y: number): Promise<void> {
  return page.evaluate(
    ([shapeId, px, py]) => {
      (window as unknown as { __planboard: Planboard }).__planboard.editor.createShape({
        id: `shape:${shapeId}`,
        type: 'geo',
        x: px,
        y: py,
        props: { geo: 'rectangle', w: 120, h: 80 },
      });
    },
    [id, x, y] as const,
  );
}

/** Draws a rectangle the way a person does: press R, drag on the canvas. */
export async function drawRectangleWithMouse(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  // Focus the canvas on an empty spot away from the toolbars.
  await page.mouse.click(from.x - 40, from.y - 40);
  await page.keyboard.press('r');
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}
