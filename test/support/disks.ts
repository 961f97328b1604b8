import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sqlitePath } from './stored.js';

// Real, small file systems for storage-failure tests. Mounting needs root, which CI has: there a
// test that cannot mount fails (CI=1) instead of skipping, so the failure cases always run in CI.

export interface Disk {
  dir: string;
  /** Unmounts and removes everything. */
  remove(): void;
}

export class CannotMount extends Error {}

/** Mounts a disk for a test; where that is impossible the test is skipped, except in CI, where it fails. */
export function mountOrSkip<D extends Disk>(t: { skip(message?: string): void }, mount: () => D): D | null {
  try {
    return mount();
  } catch (error) {
    if (error instanceof CannotMount && !process.env.CI) {
      t.skip(`${error.message}: this storage-failure test did not run`);
      return null;
    }
    throw error;
  }
}

function mustRunInCi(what: string, error: unknown): never {
  throw new CannotMount(`${what}: ${(error as Error).message.split('\n')[0]}${process.env.CI ? ' (CI must run this test: it needs root)' : ''}`);
}

/** An 8 MiB tmpfs: fills to the last byte like a full disk. */
export function mountTmpfs(): Disk {
  const dir = mkdtempSync(join(tmpdir(), 'planboard-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    mustRunInCi('cannot mount a tmpfs', error);
  }
  return { dir, remove: () => { execFileSync('umount', [dir]); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * A 32 MiB ext4 file system on a loop device, mounted `errors=remount-ro`: `makeReadOnly` raises a
 * file-system error, and the kernel turns the mounted disk read-only under the open database, as
 * it does when a real disk fails.
 */
export function mountExt4(): Disk & { makeReadOnly(): void } {
  const work = mkdtempSync(join(tmpdir(), 'planboard-ext4-'));
  const image = join(work, 'disk.img');
  const dir = join(work, 'mnt');
  let device = '';
  try {
    execFileSync('mkdir', [dir]);
    execFileSync('truncate', ['-s', '32M', image]);
    execFileSync('mkfs.ext4', ['-q', image], { stdio: 'pipe' });
    device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
    // A loop device keeps a read-only flag from an earlier use (e.g. an earlier run of this test).
    execFileSync('blockdev', ['--setrw', device]);
    execFileSync('mount', ['-o', 'errors=remount-ro', device, dir], { stdio: 'pipe' });
  } catch (error) {
    if (device) execFileSync('losetup', ['-d', device]);
    rmSync(work, { recursive: true, force: true });
    mustRunInCi('cannot mount an ext4 loop device', error);
  }
  return {
    dir,
    makeReadOnly: () => writeFileSync(`/sys/fs/ext4/${basename(device)}/trigger_fs_error`, 'planboard storage test'),
    remove: () => {
      execFileSync('umount', [dir]);
      execFileSync('losetup', ['-d', device]);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Writes to `path` until the file system is full. */
export function fillDisk(path: string): void {
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

/** A copy of the database files, to read what a read-only disk holds (SQLite cannot open WAL there). */
export function copyOfDatabase(dataDir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'planboard-copy-'));
  for (const suffix of ['', '-wal', '-shm']) {
    const from = sqlitePath(dataDir) + suffix;
    if (existsSync(from)) copyFileSync(from, sqlitePath(copy) + suffix);
  }
  return copy;
}
