// Client side, in Chromium: time to a rendered canvas for a board of 2,000 story cards, frame
// times while 50 remote changes/s arrive, and how the backlog table copes with all of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORY_CARD_TYPE, getRecordsMap, type ImportResult, type StoredRecord } from '@planboard/shared';
import { focusCanvas, launchBrowser, newParticipant, waitForCanvas, waitForShapeCount } from '../e2e/browser.js';
import { closeAll, connectClient, waitForSync } from '../support/clients.js';
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

const ESTIMATES = ['1', '2', '3', '5', '8', '13'];

export async function canvasBench(shapes = 2000, changesPerSecond = 50, seconds = 5): Promise<CanvasBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'planboard-canvas-bench-'));
  const server = await startServer({ dataDir });
  const browser = await launchBrowser();
  // The board's cards come in through the public import API and are moved by a stock Yjs client:
  // the app has no test hook to reach into (browser tests and benches act from outside).
  let writer: ReturnType<typeof connectClient> | null = null;
  try {
    const board = await createBoardWithLinks(server, 'Canvas bench', 'backlog');
    const csv = ['Summary,Story Points,Labels', ...Array.from({ length: shapes }, (_, i) => `Story ${i},${ESTIMATES[i % 6]},${i % 2 ? 'web' : 'api'}`)].join('\n');
    const imported = await fetch(`${server.url}/api/boards/${board.id}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${board.links.edit.token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    if (imported.status !== 200) throw new Error(`import: ${imported.status} ${await imported.text()}`);
    const cardIds = ((await imported.json()) as ImportResult).cardIds;
    writer = connectClient(server.wsUrl, board.id, undefined, board.links.edit.token);
    await waitForSync(writer.provider);

    const reader = await (await newParticipant(browser, 'Reader')).newPage();
    const started = Date.now();
    await reader.goto(server.url + board.links.edit.url);
    await reader.locator('.tl-canvas').waitFor({ timeout: 60_000 });
    const firstCanvasMs = Date.now() - started;
    await waitForCanvas(reader);
    await waitForShapeCount(reader, shapes, STORY_CARD_TYPE, 60_000);
    const allShapesMs = Date.now() - started;

    // Frame times on the reader while the writer moves cards at the given rate.
    // Passed as source text: the bundler's helpers for named functions do not exist in the page.
    await reader.evaluate(`(() => {
      const frames = [];
      window.__frames = frames;
      let last = performance.now();
      requestAnimationFrame(function tick(now) { frames.push(now - last); last = now; requestAnimationFrame(tick); });
    })()`);
    const records = getRecordsMap(writer.doc);
    let moves = 0;
    const timer = setInterval(() => {
      const id = cardIds[moves % cardIds.length]!;
      const card = records.get(id) as (StoredRecord & { x: number }) | undefined;
      if (card) records.set(id, { ...card, x: card.x + (moves % 2 ? -7 : 7) });
      moves++;
    }, 1000 / changesPerSecond);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    clearInterval(timer);
    const frames = ((await reader.evaluate('window.__frames')) as number[]).slice(5).sort((a, b) => a - b);

    // The backlog table over every card.
    const step = async <T>(name: string, run: Promise<T>): Promise<T> => run.catch((error: Error) => { throw new Error(`${name}: ${error.message.split('\n')[0]}`); });
    await focusCanvas(reader);
    let t = Date.now();
    await reader.keyboard.press('Shift+B');
    await step('open table', reader.getByTestId('backlog-row').first().waitFor({ timeout: 30_000 }));
    const tableOpenMs = Date.now() - t;
    t = Date.now();
    await reader.getByTestId('backlog-search').pressSequentially(`Story ${shapes - 1}`);
    await step('filter', reader.waitForFunction(() => /^1 of /.test(document.querySelector('[data-testid="backlog-count"]')?.textContent?.trim() ?? ''), undefined, { timeout: 30_000 }));
    const tableFilterMs = Date.now() - t;
    await reader.getByTestId('backlog-search').press('Control+A');
    await reader.getByTestId('backlog-search').press('Backspace');
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
    if (writer) closeAll(writer.provider);
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
