import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createBoardWithLinks, startServer } from '../support/server.js';
import { storedRecords } from '../support/stored.js';
import { fillDisk, mountOrSkip, mountTmpfs } from '../support/disks.js';
import { drawRectangle, eventually, launchBrowser, newParticipant, screenshot, waitForCanvas, waitForShapeCount } from './browser.js';

// "When the disk fails, clients see a warning": on a real full disk (a tmpfs; needs root, and
// with CI set the test fails rather than skips), both people on the board see it, and it goes
// once the server can write again.

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const storedGeo = (dataDir: string, boardId: string) =>
  Object.values(storedRecords(dataDir, boardId)).filter((r) => (r as { type?: string }).type === 'geo').length;

test('a full disk: everyone on the board sees the storage warning, and it goes when writes resume', async (t) => {
  const disk = mountOrSkip(t, mountTmpfs);
  if (!disk) return;
  const server = await startServer({ dataDir: disk.dir });
  try {
    const board = await createBoardWithLinks(server, 'Full disk');
    const ada = await (await newParticipant(browser, 'Ada')).newPage();
    const grace = await (await newParticipant(browser, 'Grace', '#2f9e44')).newPage();
    await ada.goto(server.url + board.links.owner.url);
    await grace.goto(server.url + board.links.view.url);
    await Promise.all([waitForCanvas(ada), waitForCanvas(grace)]);
    await drawRectangle(ada, { x: 300, y: 300 }, { x: 420, y: 380 });
    await eventually(async () => storedGeo(disk.dir, board.id), (n) => n === 1, 'the first rectangle on disk');
    const warning = (page: typeof ada) => page.locator('header [role="alert"]');
    await ada.waitForTimeout(300);
    for (const page of [ada, grace]) if ((await warning(page).count()) !== 0) throw new Error('a warning before anything failed');

    const filler = join(disk.dir, 'filler');
    fillDisk(filler);
    await drawRectangle(ada, { x: 600, y: 300 }, { x: 720, y: 380 });
    await waitForShapeCount(grace, 2, 'geo');
    for (const page of [ada, grace]) {
      await warning(page).waitFor({ timeout: 10_000 });
      await eventually(() => warning(page).innerText(), (text) => /cannot save/i.test(text), 'the warning to say saving fails');
    }
    await screenshot(ada, 'storage-warning');

    rmSync(filler);
    for (const page of [ada, grace]) await warning(page).waitFor({ state: 'detached', timeout: 10_000 });
    await eventually(async () => storedGeo(disk.dir, board.id), (n) => n === 2, 'the held rectangle on disk');
    await ada.context().close();
    await grace.context().close();
  } finally {
    await server.stop();
    disk.remove();
  }
});
