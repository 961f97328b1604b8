import { versionLabel, type RestoreResult, type VersionSummary } from '@planboard/shared';
import { api } from '../lib/api';
import { knownBoards } from '../lib/known-boards.svelte';
import { router } from '../lib/router.svelte';

/** What the person sees happening, worded for them. */
export interface Notice {
  kind: 'progress' | 'done' | 'error';
  text: string;
}

/**
 * The history of one open board, for its owners and editors: the versions the server keeps,
 * the one being looked at (read-only, beside the live board), and the last restore this person
 * made (which they can undo). Versions come over HTTP only; nothing here touches the live Y.Doc.
 */
export class HistorySession {
  readonly boardId: string;
  readonly #token: string;

  open = $state(false);
  versions = $state.raw<VersionSummary[]>([]);
  retentionDays = $state(30);
  loading = $state(false);
  /** Shown in the panel: loading and action failures, and what just happened. */
  notice = $state<Notice | null>(null);
  /** The version shown read-only beside the live board, and its state once loaded. */
  viewing = $state.raw<VersionSummary | null>(null);
  /** A version the person asked to restore: the confirmation is showing. */
  confirming = $state.raw<VersionSummary | null>(null);
  busy = $state(false);
  /** The last restore made from this tab, until it is undone or dismissed. */
  lastRestore = $state.raw<RestoreResult | null>(null);
  /** A restore has been asked for and is not finished yet (the board, then the list). */
  restoring = $state(false);

  constructor(boardId: string, token: string) {
    this.boardId = boardId;
    this.#token = token;
  }

  async show(): Promise<void> {
    this.open = true;
    await this.refresh();
  }

  hide(): void {
    this.open = false;
  }

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      const list = await api.listVersions(this.boardId, this.#token);
      this.versions = list.versions;
      this.retentionDays = list.retentionDays;
      if (this.notice?.kind === 'error') this.notice = null;
    } catch (error) {
      this.notice = { kind: 'error', text: `The versions could not be loaded: ${(error as Error).message}` };
    } finally {
      this.loading = false;
    }
  }

  async nameCurrent(name: string): Promise<boolean> {
    return this.#act(`Saving “${name}”…`, async () => {
      const version = await api.takeVersion(this.boardId, this.#token, { name });
      await this.refresh();
      return `Saved “${versionLabel(version)}”. Named versions are kept for good.`;
    });
  }

  view(version: VersionSummary): void {
    this.viewing = version;
  }

  closeView(): void {
    this.viewing = null;
  }

  /** The state of a version, for the read-only canvas. */
  state(version: VersionSummary): Promise<Uint8Array> {
    return api.versionState(this.boardId, this.#token, version.id);
  }

  askRestore(version: VersionSummary): void {
    this.confirming = version;
  }

  async restore(version: VersionSummary): Promise<boolean> {
    this.confirming = null;
    this.restoring = true;
    try {
      return await this.#act(`Restoring “${versionLabel(version)}”…`, async () => {
        this.lastRestore = await api.restoreVersion(this.boardId, this.#token, version.id);
        this.viewing = null;
        await this.refresh();
        return `Restored “${versionLabel(version)}” for everyone.`;
      });
    } finally {
      this.restoring = false;
    }
  }

  /** Takes back a restore (the last one made here, or the one a `before-restore` version was left by). */
  async undo(before: VersionSummary | null = this.lastRestore?.undo ?? null): Promise<boolean> {
    if (!before) return false;
    return this.#act('Undoing the restore…', async () => {
      await api.undoRestore(this.boardId, this.#token, before.id);
      if (this.lastRestore?.undo.id === before.id) this.lastRestore = null;
      await this.refresh();
      return 'The restore was undone: the board is back as it was.';
    });
  }

  async copy(version: VersionSummary): Promise<boolean> {
    return this.#act(`Copying “${versionLabel(version)}” to a new board…`, async () => {
      const board = await api.copyVersion(this.boardId, this.#token, version.id);
      knownBoards.remember({
        id: board.id,
        title: board.title,
        role: 'owner',
        token: board.links.owner.token,
        editUrl: location.origin + board.links.edit.url,
        viewUrl: location.origin + board.links.view.url,
      });
      router.go(`/b/${board.id}`);
      return `Opened the copy “${board.title}”.`;
    });
  }

  dismissRestore(): void {
    this.lastRestore = null;
  }

  async #act(progress: string, action: () => Promise<string>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.notice = { kind: 'progress', text: progress };
    try {
      this.notice = { kind: 'done', text: await action() };
      return true;
    } catch (error) {
      this.notice = { kind: 'error', text: (error as Error).message };
      return false;
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Before the web app inserts a template (a client-side change of many shapes at once), it asks
 * the server for a version, so that the insert is one restore away. An offline board inserts
 * all the same; a slow server is not waited for more than a moment.
 */
export async function versionBeforeTemplate(boardId: string, token: string): Promise<void> {
  await Promise.race([
    api.takeVersion(boardId, token, { kind: 'before-template' }).catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 3000)),
  ]);
}
