// Client side, in Chromium: time to a rendered canvas for a board of 2,000 story cards, frame
// times while 50 remote changes/s arrive, and how the backlog table copes with all of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, newParticipant, waitForCanvas } from '../e2e/browser.js';
import { createBoardWithLinks, startServer } from '../support/server.js';

export interface CanvasBenchResult {
  shapes: number;
  firstCanvasMs: number;
  allShapesMs: number;
  medianFrameMs: number;
  p95FrameMs: number;
  remoteChangesPerSecond: number;
  /** Shift+B → the table's first rows on screen. */
  tableOpenMs: number;
  /** A search keystroke → the filtered count shown. */
  tableFilterMs: number;
  /** A click on the Estimate header → sorted rows shown. */
  tableSortMs: number;
}

type Editor = {
  createShapes(shapes: object[]): void;
  updateShapes(shapes: object[]): void;
  getCurrentPageShapes(): { id: string }[];
};
type Win = { __planboard?: { editor: Editor } };

export async function canvasBench(shapes = 2000, changesPerSecond = 50, seconds = 5): Promise<CanvasBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'planboard-canvas-bench-'));
  const server = await startServer({ dataDir });
  const browser = await launchBrowser();
  try {
    const board = await createBoardWithLinks(server, 'Canvas bench');
    const writer = await (await newParticipant(browser, 'Writer')).newPage();
    await writer.goto(server.url + board.links.edit.url);
    await waitForCanvas(writer);
    await writer.evaluate((count) => {
      const editor = (window as unknown as Win).__planboard!.editor;
      const batch = [];
      for (let i = 0; i < count; i++) {
        const estimates = ['1', '2', '3', '5', '8', '13'];
        batch.push({ id: `shape:bench-${i}`, type: 'story-card', x: (i % 50) * 260, y: Math.floor(i / 50) * 150, props: { title: `Story ${i}`, estimate: estimates[i % 6], labels: [i % 2 ? 'web' : 'api'] } });
      }
      editor.createShapes(batch);
    }, shapes);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const reader = await (await newParticipant(browser, 'Reader')).newPage();
    const started = Date.now();
    await reader.goto(server.url + board.links.edit.url);
    await reader.locator('.tl-canvas').waitFor({ timeout: 60_000 });
    const firstCanvasMs = Date.now() - started;
    await waitForCanvas(reader);
    await reader.waitForFunction((count) => ((window as unknown as Win).__planboard?.editor.getCurrentPageShapes().length ?? 0) >= count, shapes, { timeout: 60_000 });
    const allShapesMs = Date.now() - started;

    // Frame times on the reader while the writer moves shapes at the given rate.
    // Passed as source text: the bundler's helpers for named functions do not exist in the page.
    await reader.evaluate(`(() => {
      const frames = [];
      window.__frames = frames;
      let last = performance.now();
      requestAnimationFrame(function tick(now) { frames.push(now - last); last = now; requestAnimationFrame(tick); });
    })()`);
    const moves = (await writer.evaluate(`new Promise((resolve) => {
      const editor = window.__planboard.editor;
      let n = 0;
      const timer = setInterval(() => {
        const i = n % ${shapes};
        editor.updateShapes([{ id: 'shape:bench-' + i, type: 'story-card', x: (i % 50) * 260 + (n % 20), y: Math.floor(i / 50) * 150 }]);
        n++;
      }, ${1000 / changesPerSecond});
      setTimeout(() => { clearInterval(timer); resolve(n); }, ${seconds * 1000});
    })`)) as number;
    const frames = ((await reader.evaluate('window.__frames')) as number[]).slice(5).sort((a, b) => a - b);

    // The backlog table over every card.
    const step = async <T>(name: string, run: Promise<T>): Promise<T> => run.catch((error: Error) => { throw new Error(`${name}: ${error.message.split('\n')[0]}`); });
    await reader.mouse.click(5, 400);
    let t = Date.now();
    await reader.keyboard.press('Shift+B');
    await step('open table', reader.getByTestId('backlog-row').first().waitFor({ timeout: 30_000 }));
    const tableOpenMs = Date.now() - t;
    t = Date.now();
    await reader.getByTestId('backlog-search').fill('Story 1999');
    await step('filter', reader.waitForFunction(() => /^1 of /.test(document.querySelector('[data-testid="backlog-count"]')?.textContent?.trim() ?? ''), undefined, { timeout: 30_000 }));
    const tableFilterMs = Date.now() - t;
    await reader.getByTestId('backlog-search').fill('');
    await step('clear filter', reader.waitForFunction((count) => new RegExp(`^${count} of `).test(document.querySelector('[data-testid="backlog-count"]')?.textContent?.trim() ?? ''), shapes, { timeout: 30_000 }));
    t = Date.now();
    await reader.getByRole('columnheader', { name: /Est/ }).click();
    await step('sort', reader.waitForFunction(() => document.querySelector('[role="columnheader"][aria-sort="ascending"], th[aria-sort="ascending"]') !== null, undefined, { timeout: 30_000 }));
    const tableSortMs = Date.now() - t;
    return {
      tableOpenMs,
      tableFilterMs,
      tableSortMs,
      shapes,
      firstCanvasMs,
      allShapesMs,
      medianFrameMs: frames[Math.floor(frames.length / 2)] ?? NaN,
      p95FrameMs: frames[Math.floor(frames.length * 0.95)] ?? NaN,
      remoteChangesPerSecond: moves / seconds,
    };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
