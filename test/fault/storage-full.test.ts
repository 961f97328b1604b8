import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_AWARENESS_FIELD, getRecordsMap, type ServerStatus } from '@planboard/shared';
import { closeAll, connectClient, putShape, waitFor, waitForSync } from '../support/clients.js';
import { createBoard, startServer } from '../support/server.js';
import { readStoredBoard } from '../support/stored.js';

/** A real, small filesystem that can be filled to the last byte. Needs root (CI runs as root). */
function mountSmallDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'planboard-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

type ServerState = { [SERVER_AWARENESS_FIELD]?: ServerStatus };

test('a full disk: clients are told, it is logged once, stored data is kept, and writes resume', async (t) => {
  const disk = mountSmallDisk();
  if (!disk) {
    t.skip('cannot mount a tmpfs here (needs root): the full-disk test did not run');
    return;
  }
  const server = await startServer({ dataDir: disk });
  const a = connectClient(server.wsUrl, await createBoard(server));
  const boardId = a.provider.roomname;
  const b = connectClient(server.wsUrl, boardId);
  try {
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    for (let i = 0; i < 5; i++) putShape(a.doc, `shape:before-${i}`, i, 0);
    await waitFor(() => getRecordsMap(readStoredBoard(disk, boardId)).size === 5, 'five shapes on disk');

    const filler = join(disk, 'filler');
    fillDisk(filler);
    const padding = 'p'.repeat(100_000);
    for (let i = 0; i < 5; i++) {
      putShape(a.doc, `shape:during-${i}`, i, 1);
      a.doc.getMap('padding').set(`during-${i}`, padding);
    }
    const failing = (state: ServerState | undefined) => state?.[SERVER_AWARENESS_FIELD]?.storage === 'failing';
    const serverState = (client: typeof a) => [...client.provider.awareness.getStates().values()].find((s) => failing(s as ServerState));
    await waitFor(() => serverState(a) !== undefined && serverState(b) !== undefined, 'both clients to be told that saving fails', 10_000);
    assert.match((serverState(b) as ServerState)[SERVER_AWARENESS_FIELD]!.message, /cannot save/);
    // Retries keep failing for a while; the log says so once for the board.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const failures = server.output().split('\n').filter((line) => line.includes('storage write failed'));
    assert.equal(failures.length, 1, 'logged once per board');
    assert.equal(getRecordsMap(readStoredBoard(disk, boardId)).size, 5, 'what was stored before is intact');
    // Editing still works live between clients.
    assert.equal(getRecordsMap(b.doc).size, 10);

    rmSync(filler);
    await waitFor(() => getRecordsMap(readStoredBoard(disk, boardId)).size === 10, 'the held edits to reach the disk', 10_000);
    await waitFor(() => serverState(a) === undefined && serverState(b) === undefined, 'the warning to clear', 10_000);
    assert.match(server.output(), /storage writes resumed/);
  } finally {
    closeAll(a.provider, b.provider);
    await server.stop();
    execFileSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  }
});
