import { createHash, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import * as Y from 'yjs';
import {
  getRecordsMap,
  readVersion,
  restoreRecords,
  undoRestore,
  type PresenceUser,
  type RecordsChange,
  type VersionKind,
} from '@planboard/shared';
import type { Board } from '../../relay/board.js';
import type { Connection } from '../../relay/connection.js';
import { NotStoredError, type Relay } from '../../relay/relay.js';
import type { BoardStore, VersionRecord } from '../persistence/store.js';

export interface HistoryOptions {
  store: BoardStore;
  log: FastifyBaseLogger;
  /** While a board changes, an automatic version is taken at most this often. */
  intervalMs: number;
  /** Days an unnamed version is kept. */
  retentionDays: number;
  /** How often old versions are pruned (besides at start). */
  pruneEveryMs?: number;
}

/** The board's state at a moment, as a version stores it. */
interface Capture {
  state: Uint8Array;
  /** The spell's change count when it was taken: changes after it start the next spell. */
  changes: number;
  /** Digest of the records: an automatic version of records equal to the last one is not taken. */
  digest: string;
}

/**
 * A spell of activity on one board: changes made since its last version, and who made them.
 * Names are read from the editor's presence once per connection (cheap on the hot path).
 */
interface Spell {
  /** Changes noted since the board loaded; the spell is open while `changes > versioned`. */
  changes: number;
  versioned: number;
  /** Who made changes, with the name their presence carried (kept after they leave). */
  people: Map<Connection, string | null>;
  /** When to look again for the name of a person whose presence carried none. */
  unnamedRetryAt: Map<Connection, number>;
  timer: NodeJS.Timeout | null;
  /** Digest of the records of the last version taken here. */
  lastDigest: string | null;
}

export class VersionNotFoundError extends Error {}

const DAY_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

const newVersionId = () => randomBytes(9).toString('base64url');

/** Board data entry naming the last automatic version's time and records, shared by instances. */
const AUTOMATIC_KEY = 'history:automatic';

function parseAutomatic(raw: string | null): { at: number; digest: string } | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as { at?: unknown; digest?: unknown };
    return typeof value.at === 'number' && typeof value.digest === 'string' ? { at: value.at, digest: value.digest } : null;
  } catch {
    return null;
  }
}


/** The display name a connection publishes in its presence (`state.user.name`), if any. */
function nameOf(board: Board, connection: Connection): string | null {
  for (const clientId of connection.awarenessIds) {
    const json = board.presence.stateOf(clientId);
    if (!json) continue;
    try {
      const name = (JSON.parse(Buffer.from(json).toString('utf8')) as { user?: Partial<PresenceUser> } | null)?.user?.name;
      if (typeof name === 'string' && name.trim()) return name.trim().slice(0, 80);
    } catch {
      // A state that is not JSON names nobody.
    }
  }
  return null;
}

/**
 * Versions of boards: taken automatically after a spell of activity (at most every
 * `intervalMs` while a board changes, and when a changed board leaves memory), before every
 * change that does a lot at once (import, template, restore), and by hand. Restoring one is a
 * new change on top of the live board, applied through the relay like any server change, so
 * every peer sees it live and nothing is rewritten. The relay hooks are in `extension.ts`.
 */
export class History {
  readonly #store: BoardStore;
  readonly #log: FastifyBaseLogger;
  readonly #options: HistoryOptions;
  readonly #spells = new Map<string, Spell>();
  #relay: Relay | null = null;
  #pruneTimer: NodeJS.Timeout | null = null;

  constructor(options: HistoryOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#log = options.log;
  }

  get retentionDays(): number {
    return this.#options.retentionDays;
  }

  attach(relay: Relay): void {
    this.#relay = relay;
  }

  get #relayOrThrow(): Relay {
    if (!this.#relay) throw new Error('history is not attached to a relay');
    return this.#relay;
  }

  // -------------------------------------------------------------------------------------------
  // Spells of activity (called from the relay hooks)

  #spell(boardId: string): Spell {
    let spell = this.#spells.get(boardId);
    if (!spell) {
      spell = { changes: 0, versioned: 0, people: new Map(), unnamedRetryAt: new Map(), timer: null, lastDigest: null };
      this.#spells.set(boardId, spell);
    }
    return spell;
  }

  /** A change made on this instance (by a peer, or the server). */
  noteChange(board: Board, connection: Connection | null): void {
    const spell = this.#spell(board.id);
    spell.changes++;
    if (connection) {
      // A name presence does not carry yet is looked for again at most once a second: a peer
      // that never names itself must not cost a JSON parse per change.
      const known = spell.people.get(connection);
      const now = Date.now();
      if (known === undefined || (known === null && now >= (spell.unnamedRetryAt.get(connection) ?? 0))) {
        const name = nameOf(board, connection);
        spell.people.set(connection, name);
        if (name === null) spell.unnamedRetryAt.set(connection, now + 1000);
        else spell.unnamedRetryAt.delete(connection);
      }
    }
    this.#schedule(board.id, spell);
  }

  /** An open spell gets its automatic version `intervalMs` after it began. */
  #schedule(boardId: string, spell: Spell, delayMs = this.#options.intervalMs): void {
    if (spell.timer) return;
    spell.timer = setTimeout(() => {
      spell.timer = null;
      void this.#takeAutomatic(boardId);
    }, Math.max(0, delayMs));
    spell.timer.unref();
  }

  /** Who changed the board during its spell (resolving names presence did not carry yet). */
  #people(board: Board | undefined, spell: Spell | undefined): string[] {
    if (!spell) return [];
    const names = new Set<string>();
    for (const [connection, name] of spell.people) {
      const resolved = name ?? (board ? nameOf(board, connection) : null);
      if (resolved) names.add(resolved);
    }
    return [...names].sort((a, b) => a.localeCompare(b));
  }

  /** The board's state now, for a version (call where the document is at hand, synchronously). */
  #capture(boardId: string, doc: Y.Doc): Capture {
    // A board can hold values JSON cannot carry (a bigint stored before the edge check): they
    // must not stop a version from being taken, so they are digested as text.
    const records = JSON.stringify(getRecordsMap(doc).toJSON(), (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
    return {
      state: Y.encodeStateAsUpdate(doc),
      changes: this.#spells.get(boardId)?.changes ?? 0,
      digest: createHash('sha256').update(records).digest('base64url'),
    };
  }

  /**
   * A version holds the spell up to its capture: the spell ends, unless changes came in while the
   * version was being stored (they stay in the next spell, with its timer still running).
   */
  #endSpell(boardId: string, captured: Capture): void {
    const spell = this.#spells.get(boardId);
    if (!spell) return;
    spell.versioned = Math.max(spell.versioned, captured.changes);
    spell.lastDigest = captured.digest;
    if (spell.changes > spell.versioned) {
      if (this.#spells.get(boardId) === spell) this.#schedule(boardId, spell);
      return;
    }
    spell.people.clear();
    spell.unnamedRetryAt.clear();
    if (spell.timer) clearTimeout(spell.timer);
    spell.timer = null;
  }

  async #takeAutomatic(boardId: string): Promise<void> {
    const relay = this.#relay;
    const spell = this.#spells.get(boardId);
    if (!relay || !spell || spell.changes <= spell.versioned) return;
    try {
      const captured = await relay.read(boardId, (doc) => this.#capture(boardId, doc));
      if (!captured) return;
      await this.#saveAutomatic(boardId, captured);
    } catch (error) {
      this.#log.error({ err: error, board: boardId }, 'could not take an automatic version');
    }
  }

  /**
   * Saves an automatic version unless it would repeat one. Every instance with editors on a board
   * has its own spell, so the instances agree through the store (one compare-and-set on the
   * board's `history:automatic` entry): an automatic version is skipped when the last one, from
   * any instance, holds the same records; one taken elsewhere less than half an interval ago
   * (within this same spell of activity) postpones this spell, people and all, to one interval
   * after it, so that what this instance's editors did since still gets into a version.
   */
  async #saveAutomatic(boardId: string, captured: Capture, unloading = false): Promise<void> {
    const spell = this.#spells.get(boardId);
    if (spell?.lastDigest === captured.digest) {
      // Only state beside the records changed (facilitation, meta): nothing new to keep.
      this.#endSpell(boardId, captured);
      return;
    }
    const now = Date.now();
    const raw = await this.#store.getBoardData(boardId, AUTOMATIC_KEY);
    const last = parseAutomatic(raw);
    if (last?.digest === captured.digest) {
      this.#endSpell(boardId, captured);
      return;
    }
    const recent = !unloading && last !== null && now - last.at < this.#options.intervalMs / 2;
    if (recent || !(await this.#store.compareAndSetBoardData(boardId, AUTOMATIC_KEY, raw, JSON.stringify({ at: now, digest: captured.digest })))) {
      // Another instance has just taken this spell's version.
      this.#log.debug({ board: boardId }, 'automatic version postponed: another instance has just taken one');
      if (spell && !spell.timer && this.#spells.get(boardId) === spell) this.#schedule(boardId, spell, (last?.at ?? now) + this.#options.intervalMs - now);
      return;
    }
    await this.#save(boardId, 'automatic', captured, {});
  }

  /** The board is leaving memory: a changed board gets its version from the document at hand. */
  async beforeUnload(board: Board): Promise<void> {
    const spell = this.#spells.get(board.id);
    if (spell?.timer) clearTimeout(spell.timer);
    try {
      if (spell && spell.changes > spell.versioned) await this.#saveAutomatic(board.id, this.#capture(board.id, board.doc), true);
    } catch (error) {
      this.#log.error({ err: error, board: board.id }, 'could not take a version before unloading');
    } finally {
      this.#spells.delete(board.id);
    }
  }

  forget(boardId: string): void {
    const spell = this.#spells.get(boardId);
    if (spell?.timer) clearTimeout(spell.timer);
    this.#spells.delete(boardId);
  }

  async #save(
    boardId: string,
    kind: VersionKind,
    captured: Capture,
    fields: { name?: string | null; restoredVersionId?: string | null },
  ): Promise<VersionRecord> {
    const version: VersionRecord = {
      id: newVersionId(),
      boardId,
      createdAt: new Date().toISOString(),
      kind,
      name: fields.name ?? null,
      people: this.#people(this.#relay?.get(boardId), this.#spells.get(boardId)),
      bytes: captured.state.byteLength,
      restoredVersionId: fields.restoredVersionId ?? null,
    };
    await this.#store.createVersion(version, captured.state);
    this.#endSpell(boardId, captured);
    this.#log.info({ board: boardId, version: version.id, kind, bytes: version.bytes }, 'version taken');
    return version;
  }

  // -------------------------------------------------------------------------------------------
  // What the routes call

  list(boardId: string): Promise<VersionRecord[]> {
    return this.#store.listVersions(boardId);
  }

  /** Takes a version of the board as it is now; null when there is no such board. */
  async take(boardId: string, kind: VersionKind, name: string | null = null): Promise<VersionRecord | null> {
    const captured = await this.#relayOrThrow.read(boardId, (doc) => this.#capture(boardId, doc));
    if (!captured) return null;
    return this.#save(boardId, kind, captured, { name });
  }

  async content(boardId: string, versionId: string): Promise<{ version: VersionRecord; state: Uint8Array }> {
    const found = await this.#store.getVersion(boardId, versionId);
    if (!found) throw new VersionNotFoundError('this board has no such version (it may have been pruned)');
    return found;
  }

  async name(boardId: string, versionId: string, name: string): Promise<VersionRecord> {
    const version = await this.#store.nameVersion(boardId, versionId, name);
    if (!version) throw new VersionNotFoundError('this board has no such version (it may have been pruned)');
    return version;
  }

  /**
   * Restores a version as a new change on top of the live board. The board as it was just before
   * is kept as a `before-restore` version (taken in the same transaction, so no edit slips
   * between them); undoing the restore goes back to it. Null when the board is gone.
   */
  async restore(boardId: string, versionId: string): Promise<{ restored: VersionRecord; undo: VersionRecord; change: RecordsChange } | null> {
    const { version, state } = await this.content(boardId, versionId);
    const target = readVersion(state).records;
    const taken: { before?: Capture } = {};
    let change: RecordsChange | null;
    try {
      change = await this.#relayOrThrow.change(boardId, (doc) => {
        taken.before = this.#capture(boardId, doc);
        return restoreRecords(doc, target);
      });
    } catch (error) {
      // The restore is on the board (and retried by storage): its undo must be kept all the same.
      if (error instanceof NotStoredError && taken.before) {
        await this.#save(boardId, 'before-restore', taken.before, { restoredVersionId: versionId }).catch(() => undefined);
      }
      throw error;
    }
    if (!change || !taken.before) return null;
    const undo = await this.#save(boardId, 'before-restore', taken.before, { restoredVersionId: versionId });
    this.#log.info({ board: boardId, version: versionId, removed: change.removed.length, put: change.put.length }, 'version restored');
    return { restored: version, undo, change };
  }

  /**
   * Takes back a restore: every record it changed goes back to how it was before, unless someone
   * changed it again since. `beforeId` is the `before-restore` version the restore left.
   */
  async undoRestore(boardId: string, beforeId: string): Promise<{ version: VersionRecord; change: RecordsChange } | null> {
    const before = await this.content(boardId, beforeId);
    if (before.version.kind !== 'before-restore') throw new VersionNotFoundError('this version is not the one left by a restore');
    const restored = before.version.restoredVersionId ? await this.#store.getVersion(boardId, before.version.restoredVersionId) : null;
    const beforeRecords = readVersion(before.state).records;
    const restoredRecords = restored ? readVersion(restored.state).records : null;
    const change = await this.#relayOrThrow.change(boardId, (doc) =>
      // The restored version was pruned: the whole board goes back to how it was before.
      restoredRecords ? undoRestore(doc, beforeRecords, restoredRecords) : restoreRecords(doc, beforeRecords),
    );
    if (!change) return null;
    this.#log.info({ board: boardId, version: beforeId, removed: change.removed.length, put: change.put.length }, 'restore undone');
    return { version: before.version, change };
  }

  // -------------------------------------------------------------------------------------------
  // Retention

  /** Deletes unnamed versions older than the retention period; at start and then hourly. */
  startPruning(): void {
    const prune = async () => {
      const cutoff = new Date(Date.now() - this.#options.retentionDays * DAY_MS).toISOString();
      try {
        const pruned = await this.#store.pruneVersions(cutoff);
        if (pruned > 0) this.#log.info({ pruned, retentionDays: this.#options.retentionDays }, 'old automatic versions pruned');
      } catch (error) {
        this.#log.warn({ err: error }, 'could not prune old versions; will try again');
      }
    };
    void prune();
    this.#pruneTimer = setInterval(() => void prune(), this.#options.pruneEveryMs ?? PRUNE_EVERY_MS);
    this.#pruneTimer.unref();
  }

  stop(): void {
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    for (const spell of this.#spells.values()) if (spell.timer) clearTimeout(spell.timer);
  }
}
