/**
 * One contract, every adapter: the same tests run against the embedded SQLite store (a temp file)
 * and the PostgreSQL store (a fresh database per run at DATABASE_URL, or
 * postgres://postgres@127.0.0.1:5432/test). When PostgreSQL cannot be reached, its suite fails
 * under CI and is skipped loudly elsewhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as Y from 'yjs';
import type { Role } from '@planboard/shared';
import { NoSuchBoardError, type BoardRecord, type BoardStore, type CompactionResult, type LinkRecord, type VersionRecord } from './store.js';
import { SqliteBoardStore } from './sqlite-store.js';
import { openSqlite } from './sqlite-driver.js';
import { PostgresBoardStore } from './postgres-store.js';

const TABLES = ['boards', 'board_links', 'board_updates', 'board_data', 'board_versions'] as const;

interface Harness {
  /** A new store on the adapter's test database (another instance, for shared adapters). */
  open(): Promise<BoardStore>;
  /** Rows of one board in one table, read behind the store's back. */
  countRows(table: (typeof TABLES)[number], boardId: string): Promise<number>;
  /** Several instances may share this adapter's log (their documents may lag each other). */
  shared: boolean;
  /** Holds the adapter's per-board compaction lock as another instance would, until released. */
  holdCompactionLock?(boardId: string): Promise<() => Promise<void>>;
  /** Opens `n` stores at once on a database that has never been migrated. */
  openConcurrentlyOnFreshDatabase?(n: number): Promise<{ stores: BoardStore[]; migrations: number; dispose(): Promise<void> }>;
  dispose(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Adapters

async function sqliteHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'planboard-contract-'));
  const file = join(dir, 'planboard.sqlite');
  const opened: BoardStore[] = [];
  return {
    shared: false,
    async open() {
      const store = new SqliteBoardStore(file);
      opened.push(store);
      return store;
    },
    async countRows(table, boardId) {
      const db = openSqlite(file, { readonly: true });
      try {
        const column = table === 'boards' ? 'id' : 'board_id';
        return (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`).get(boardId) as { n: number }).n;
      } finally {
        db.close();
      }
    },
    async dispose() {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const baseDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Why PostgreSQL cannot be used here, or null when it can. */
async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: baseDatabaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `${(error as Error).message} (at ${new URL(baseDatabaseUrl).host})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL's "database is being accessed by other users". */
const OBJECT_IN_USE = '55006';

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `planboard_contract_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(baseDatabaseUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: baseDatabaseUrl });
      await client.connect();
      try {
        // Every pool of the suite has ended, but a backend may still be on its way out: wait for it
        // rather than terminate it (FORCE would hit a connection that is still closing, and its
        // client would report the termination after the test ended).
        for (let attempt = 0; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}`);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt >= 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}

async function postgresHarness(): Promise<Harness> {
  const database = await createDatabase();
  const opened: BoardStore[] = [];
  const raw = new pg.Pool({ connectionString: database.url, max: 4 });
  // The suite's own reader: an idle connection lost at teardown is no failure of the store.
  raw.on('error', () => undefined);
  return {
    shared: true,
    async open() {
      const store = await PostgresBoardStore.open(database.url);
      opened.push(store);
      return store;
    },
    async countRows(table, boardId) {
      const column = table === 'boards' ? 'id' : 'board_id';
      const { rows } = await raw.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${column} = $1`, [boardId]);
      return Number(rows[0]!.n);
    },
    async holdCompactionLock(boardId) {
      const client = await raw.connect();
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [0x504c4243, boardId]);
      return async () => {
        await client.query('COMMIT');
        client.release();
      };
    },
    async openConcurrentlyOnFreshDatabase(n) {
      const fresh = await createDatabase();
      const stores = await Promise.all(Array.from({ length: n }, () => PostgresBoardStore.open(fresh.url)));
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM planboard_migrations');
      await client.end();
      return {
        stores,
        migrations: Number(rows[0]!.n),
        async dispose() {
          for (const store of stores) await store.close();
          await fresh.drop();
        },
      };
    },
    async dispose() {
      for (const store of opened) await store.close();
      await raw.end();
      await database.drop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Fixtures

let boardCounter = 0;
const newBoard = (title = 'Contract board'): BoardRecord => ({
  id: `contract-${Date.now().toString(36)}-${(boardCounter++).toString(36)}-${randomBytes(3).toString('hex')}`,
  title,
  createdAt: new Date(Date.now() + boardCounter).toISOString(),
});

const newLink = (boardId: string, role: Role, label: string | null = null): LinkRecord => ({
  id: randomUUID().replaceAll('-', '').slice(0, 16),
  boardId,
  role,
  label,
  secretHash: new Uint8Array(randomBytes(32)),
  createdAt: new Date().toISOString(),
  expiresAt: null,
});

/** A document that records every update it makes, like a client's edits arriving at the relay. */
function editor(clientId: number) {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const cards = doc.getMap<string>('cards');
  return {
    doc,
    /** Makes one edit and returns its update. */
    edit(key: string, value: string): Uint8Array {
      cards.set(key, value);
      return updates[updates.length - 1]!;
    },
  };
}

/** The cards a stored log holds, read as a fresh client would. */
function cardsOf(updates: Uint8Array[]): Record<string, string> {
  const doc = new Y.Doc();
  for (const update of updates) Y.applyUpdate(doc, update);
  const cards = doc.getMap<string>('cards').toJSON() as Record<string, string>;
  doc.destroy();
  return cards;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

const newVersion = (boardId: string, fields: Partial<VersionRecord> = {}): VersionRecord => ({
  id: randomUUID(),
  boardId,
  createdAt: new Date().toISOString(),
  kind: 'automatic',
  name: null,
  people: [],
  bytes: 0,
  restoredVersionId: null,
  ...fields,
});

// ---------------------------------------------------------------------------------------------
// The contract

function contract(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`${name} store contract`, () => {
    let harness: Harness;
    let store: BoardStore;

    before(async () => {
      harness = await makeHarness();
      store = await harness.open();
    });
    after(async () => {
      await harness?.dispose();
    });

    test('a board, its links and its first content are created together and read back', async () => {
      const board = newBoard('Roadmap');
      const links = [newLink(board.id, 'owner', 'Owner'), newLink(board.id, 'editor', 'Edit'), newLink(board.id, 'viewer', 'View')];
      const seed = editor(1).edit('lane', 'Now');
      await store.createBoard(board, links, seed);
      assert.deepEqual(await store.getBoard(board.id), board);
      assert.deepEqual(
        (await store.listLinks(board.id)).map((link) => [link.id, link.role, link.label]),
        links.map((link) => [link.id, link.role, link.label]),
      );
      const stored = await store.getLink(links[0]!.id);
      assert.ok(stored && sameBytes(stored.secretHash, links[0]!.secretHash), 'the secret hash round-trips byte for byte');
      const updates = await store.loadUpdates(board.id);
      assert.equal(updates.length, 1);
      assert.ok(sameBytes(updates[0]!, seed));
      const empty = newBoard();
      await store.createBoard(empty, [newLink(empty.id, 'owner')], null);
      assert.deepEqual(await store.loadUpdates(empty.id), []);
    });

    test('a board creation that fails part-way leaves nothing behind', async () => {
      const existing = newBoard();
      const taken = newLink(existing.id, 'owner');
      await store.createBoard(existing, [taken], null);
      const board = newBoard();
      // The second link reuses an id that exists: the insert fails after the board row was written.
      const clash = { ...newLink(board.id, 'viewer'), id: taken.id };
      await assert.rejects(store.createBoard(board, [newLink(board.id, 'owner'), clash], editor(2).edit('a', 'b')));
      assert.equal(await store.getBoard(board.id), null);
      for (const table of TABLES) assert.equal(await harness.countRows(table, board.id), 0, `${table} rows of the failed board`);
      assert.equal((await store.getLink(taken.id))?.boardId, existing.id, 'the existing link is untouched');
    });

    test('boards are listed newest first, renamed, and deleted once', async () => {
      const first = newBoard('First');
      const second = { ...newBoard('Second'), createdAt: new Date(Date.parse(first.createdAt) + 1000).toISOString() };
      await store.createBoard(first, [], null);
      await store.createBoard(second, [], null);
      const ids = (await store.listBoards()).map((board) => board.id);
      assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id), 'newest first');
      assert.equal((await store.updateBoardTitle(first.id, 'Renamed'))?.title, 'Renamed');
      assert.equal((await store.getBoard(first.id))?.title, 'Renamed');
      assert.equal(await store.updateBoardTitle('no-such-board', 'x'), null);
      assert.equal(await store.deleteBoard(first.id), true);
      assert.equal(await store.deleteBoard(first.id), false);
      assert.equal(await store.getBoard(first.id), null);
    });

    test('links: created, listed, refused for a missing board, deleted unless last owner', async () => {
      const board = newBoard();
      const owner = newLink(board.id, 'owner');
      const viewer = newLink(board.id, 'viewer');
      await store.createBoard(board, [owner, viewer], null);
      await assert.rejects(store.createLink(newLink('no-such-board', 'viewer')), NoSuchBoardError);
      assert.equal(await store.deleteLink(board.id, 'no-such-link'), 'not-found');
      assert.equal(await store.deleteLink('other-board', viewer.id), 'not-found', 'a link is only found on its own board');
      assert.equal(await store.deleteLink(board.id, owner.id), 'last-owner');
      assert.equal(await store.deleteLink(board.id, viewer.id), 'deleted');
      assert.equal(await store.deleteLink(board.id, viewer.id), 'not-found');
      const second = newLink(board.id, 'owner');
      await store.createLink(second);
      assert.equal(await store.deleteLink(board.id, owner.id), 'deleted');
      assert.equal(await store.deleteLink(board.id, second.id), 'last-owner');
      assert.deepEqual((await store.listLinks(board.id)).map((link) => link.id), [second.id]);
    });

    test('two owners revoking each other at the same moment leave exactly one owner', async () => {
      const other = await harness.open();
      for (let round = 0; round < 5; round++) {
        const board = newBoard();
        const a = newLink(board.id, 'owner');
        const b = newLink(board.id, 'owner');
        await store.createBoard(board, [a, b], null);
        const results = await Promise.all([store.deleteLink(board.id, a.id), other.deleteLink(board.id, b.id)]);
        assert.deepEqual([...results].sort(), ['deleted', 'last-owner'], `round ${round}`);
        assert.equal((await store.listLinks(board.id)).filter((link) => link.role === 'owner').length, 1);
      }
    });

    test('updates of several boards are appended in one batch and loaded in order', async () => {
      const one = newBoard();
      const two = newBoard();
      const gone = newBoard();
      for (const board of [one, two, gone]) await store.createBoard(board, [], null);
      await store.deleteBoard(gone.id);
      const a = editor(10);
      const b = editor(11);
      const first = [a.edit('x', '1'), a.edit('y', '2')];
      const other = [b.edit('z', '3')];
      const appended = await store.appendUpdates([
        { boardId: one.id, updates: first },
        { boardId: two.id, updates: other },
        { boardId: gone.id, updates: [b.edit('w', '4')] },
      ]);
      assert.equal(appended.get(one.id)?.length, 2);
      assert.equal(appended.get(two.id)?.length, 1);
      assert.equal(appended.has(gone.id), false, 'a deleted board is skipped, not an error');
      const later = [a.edit('x', '5')];
      const again = await store.appendUpdates([{ boardId: one.id, updates: later }]);
      assert.equal(again.get(one.id)?.length, 3);
      assert.ok(again.get(one.id)!.lastSeq > appended.get(one.id)!.lastSeq, 'seq grows');
      const loaded = await store.loadUpdates(one.id);
      assert.deepEqual(loaded.map((update) => Buffer.from(update).toString('hex')), [...first, ...later].map((update) => Buffer.from(update).toString('hex')));
      assert.deepEqual(cardsOf(loaded), { x: '5', y: '2' });
      assert.equal(await harness.countRows('board_updates', gone.id), 0);
    });

    test('compaction merges only rows up to its bound; rows appended after it survive', async () => {
      for (const withSnapshot of [false, true]) {
        const board = newBoard();
        const a = editor(20);
        await store.createBoard(board, [], a.edit('seed', 'lanes'));
        const early = await store.appendUpdates([{ boardId: board.id, updates: [a.edit('one', '1'), a.edit('two', '2')] }]);
        const bound = early.get(board.id)!.lastSeq;
        const snapshot = Y.encodeStateAsUpdate(a.doc);
        const late = [a.edit('three', '3'), a.edit('one', 'changed')];
        await store.appendUpdates([{ boardId: board.id, updates: late }]);
        const result = await store.compact(board.id, withSnapshot ? { throughSeq: bound, snapshot } : { throughSeq: bound });
        assert.equal(result, 'compacted');
        const loaded = await store.loadUpdates(board.id);
        assert.equal(loaded.length, 3, 'one merged row and the two later rows');
        assert.ok(sameBytes(loaded[1]!, late[0]!) && sameBytes(loaded[2]!, late[1]!), 'the later rows are untouched, in order');
        assert.deepEqual(cardsOf(loaded), { seed: 'lanes', one: 'changed', two: '2', three: '3' });
        assert.deepEqual(cardsOf([loaded[0]!]), { seed: 'lanes', one: '1', two: '2' }, 'the merged row holds what it replaced');
        assert.equal(await store.compact(board.id, { throughSeq: bound }), 'nothing', 'one row up to the bound: nothing to merge');
        assert.equal(await store.compact(board.id, { throughSeq: Number.MAX_SAFE_INTEGER }), 'compacted');
        assert.equal((await store.loadUpdates(board.id)).length, 1);
        assert.deepEqual(cardsOf(await store.loadUpdates(board.id)), { seed: 'lanes', one: 'changed', two: '2', three: '3' });
      }
    });

    test('compaction keeps rows that its caller has not seen when several instances share the log', { skip: false }, async (t) => {
      if (!harness.shared) return t.skip('one process owns this store: its document holds every row');
      const board = newBoard();
      const here = editor(30);
      const there = editor(31);
      await store.createBoard(board, [], null);
      const mine = await store.appendUpdates([{ boardId: board.id, updates: [here.edit('mine', '1')] }]);
      // Another instance appends a row this instance's document never received.
      const other = await harness.open();
      await other.appendUpdates([{ boardId: board.id, updates: [there.edit('theirs', '2')] }]);
      const bound = (await store.appendUpdates([{ boardId: board.id, updates: [here.edit('mine2', '3')] }])).get(board.id)!.lastSeq;
      assert.ok(mine.get(board.id)!.lastSeq < bound);
      // The caller's snapshot lacks "theirs"; the store must not trust it.
      assert.equal(await store.compact(board.id, { throughSeq: bound, snapshot: Y.encodeStateAsUpdate(here.doc) }), 'compacted');
      assert.deepEqual(cardsOf(await store.loadUpdates(board.id)), { mine: '1', theirs: '2', mine2: '3' });
    });

    test('two compactions of one board at once: one wins, nothing is lost, appends carry on', async () => {
      const other = await harness.open();
      const board = newBoard();
      await store.createBoard(board, [], null);
      const writers = [editor(40), editor(41)];
      const expected: Record<string, string> = {};
      for (let round = 0; round < 6; round++) {
        const batch = Array.from({ length: 5 }, (_, i) => {
          const key = `r${round}-${i}`;
          expected[key] = String(i);
          return writers[i % 2]!.edit(key, String(i));
        });
        const bound = (await store.appendUpdates([{ boardId: board.id, updates: batch }])).get(board.id)!.lastSeq;
        const key = `during-${round}`;
        expected[key] = 'x';
        const results = await Promise.all([
          store.compact(board.id, { throughSeq: bound }),
          other.compact(board.id, { throughSeq: bound }),
          other.appendUpdates([{ boardId: board.id, updates: [writers[1]!.edit(key, 'x')] }]),
        ]);
        const outcomes = (results.slice(0, 2) as CompactionResult[]).sort();
        assert.equal(outcomes.filter((outcome) => outcome === 'compacted').length, 1, `exactly one compaction wins in round ${round}: ${outcomes}`);
        assert.deepEqual(cardsOf(await store.loadUpdates(board.id)), expected, `round ${round}`);
      }
    });

    test('a board being compacted by another instance is skipped, not waited for', async (t) => {
      if (!harness.holdCompactionLock) return t.skip('one process: compactions are serialised in it');
      const board = newBoard();
      const a = editor(50);
      await store.createBoard(board, [], a.edit('a', '1'));
      const bound = (await store.appendUpdates([{ boardId: board.id, updates: [a.edit('b', '2')] }])).get(board.id)!.lastSeq;
      const release = await harness.holdCompactionLock(board.id);
      try {
        assert.equal(await store.compact(board.id, { throughSeq: bound }), 'busy');
        assert.equal((await store.loadUpdates(board.id)).length, 2, 'nothing changed');
      } finally {
        await release();
      }
      assert.equal(await store.compact(board.id, { throughSeq: bound }), 'compacted');
    });

    test('board data: set, read, overwrite, list by prefix, delete; refused for a missing board', async () => {
      const board = newBoard();
      const neighbour = newBoard();
      await store.createBoard(board, [], null);
      await store.createBoard(neighbour, [], null);
      assert.equal(await store.getBoardData(board.id, 'timer'), null);
      await store.setBoardData(board.id, 'timer', '{"endsAt":1}');
      await store.setBoardData(board.id, 'vote:round1:alice', '5');
      await store.setBoardData(board.id, 'vote:round1:bob', '8');
      await store.setBoardData(board.id, 'vote:round2:alice', '3');
      await store.setBoardData(board.id, 'vote_round1', 'not a vote');
      await store.setBoardData(neighbour.id, 'vote:round1:carol', '13');
      assert.equal(await store.getBoardData(board.id, 'timer'), '{"endsAt":1}');
      await store.setBoardData(board.id, 'timer', '{"endsAt":2}');
      assert.equal(await store.getBoardData(board.id, 'timer'), '{"endsAt":2}');
      assert.deepEqual(
        [...(await store.listBoardData(board.id, 'vote:round1:'))],
        [
          ['vote:round1:alice', '5'],
          ['vote:round1:bob', '8'],
        ],
      );
      // No pattern characters: '_' and '%' are plain text in a prefix.
      assert.deepEqual([...(await store.listBoardData(board.id, 'vote_'))], [['vote_round1', 'not a vote']]);
      assert.equal((await store.listBoardData(board.id, '')).size, 5);
      await store.setBoardData(board.id, 'vote:round1:bob', null);
      assert.equal(await store.getBoardData(board.id, 'vote:round1:bob'), null);
      assert.equal((await store.listBoardData(board.id, 'vote:')).size, 2);
      assert.equal(await store.getBoardData(neighbour.id, 'vote:round1:carol'), '13', "another board's data is its own");
      await assert.rejects(store.setBoardData('no-such-board', 'timer', '1'), NoSuchBoardError);
      await assert.rejects(store.setBoardData('no-such-board', 'timer', null), NoSuchBoardError);
    });

    test('versions: stored with their state, listed newest first without it, named, refused for a missing board', async () => {
      const board = newBoard();
      const neighbour = newBoard();
      await store.createBoard(board, [], null);
      await store.createBoard(neighbour, [], null);
      const a = editor(80);
      a.edit('card', 'v1');
      const first = Y.encodeStateAsUpdate(a.doc);
      a.edit('card', 'v2');
      const second = Y.encodeStateAsUpdate(a.doc);
      const t0 = Date.now() - 60_000;
      const older = newVersion(board.id, { createdAt: new Date(t0).toISOString(), people: ['Ada', 'Bo Ström'], bytes: first.byteLength });
      const newer = newVersion(board.id, {
        createdAt: new Date(t0 + 1000).toISOString(),
        kind: 'before-restore',
        bytes: second.byteLength,
        restoredVersionId: older.id,
      });
      // Same millisecond as `newer`, stored after it: listed before it.
      const named = newVersion(board.id, { createdAt: newer.createdAt, kind: 'named', name: 'Before PI planning', bytes: second.byteLength });
      await store.createVersion(older, first);
      await store.createVersion(newer, second);
      await store.createVersion(named, second);
      await store.createVersion(newVersion(neighbour.id), second);
      assert.deepEqual(await store.listVersions(board.id), [named, newer, older]);
      const got = await store.getVersion(board.id, older.id);
      assert.deepEqual(got?.version, older);
      assert.ok(got && sameBytes(got.state, first), 'the state round-trips byte for byte');
      assert.deepEqual(cardsOf([got!.state]), { card: 'v1' });
      assert.equal(await store.getVersion(neighbour.id, older.id), null, "a version is only found on its own board");
      assert.equal(await store.getVersion(board.id, 'no-such-version'), null);
      assert.deepEqual(await store.nameVersion(board.id, older.id, 'Kick-off'), { ...older, name: 'Kick-off' });
      assert.equal((await store.getVersion(board.id, older.id))?.version.name, 'Kick-off');
      assert.equal(await store.nameVersion(neighbour.id, older.id, 'x'), null);
      await assert.rejects(store.createVersion(newVersion('no-such-board'), first), NoSuchBoardError);
    });

    test('retention prunes unnamed versions older than the cutoff, of every board, and never a named one', async () => {
      const one = newBoard();
      const two = newBoard();
      await store.createBoard(one, [], null);
      await store.createBoard(two, [], null);
      const day = 24 * 3600_000;
      const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
      const state = new Uint8Array([0, 0]);
      const oldAutomatic = newVersion(one.id, { createdAt: at(40) });
      const oldImport = newVersion(two.id, { createdAt: at(31), kind: 'before-import' });
      const oldNamed = newVersion(one.id, { createdAt: at(400), kind: 'named', name: 'Before PI planning' });
      const oldAutomaticNamedLater = newVersion(two.id, { createdAt: at(50) });
      const recent = newVersion(one.id, { createdAt: at(2) });
      for (const version of [oldAutomatic, oldImport, oldNamed, oldAutomaticNamedLater, recent]) await store.createVersion(version, state);
      await store.nameVersion(two.id, oldAutomaticNamedLater.id, 'Kept');
      const pruned = await store.pruneVersions(at(30));
      assert.ok(pruned >= 2, `pruned ${pruned}`);
      assert.deepEqual((await store.listVersions(one.id)).map((v) => v.id), [recent.id, oldNamed.id]);
      assert.deepEqual((await store.listVersions(two.id)).map((v) => v.id), [oldAutomaticNamedLater.id]);
      assert.equal(await store.pruneVersions(at(30)), 0, 'nothing left to prune');
    });

    test('board data: compare-and-set writes only over the expected value, and one of two racers wins', async () => {
      const board = newBoard();
      await store.createBoard(board, [], null);
      assert.equal(await store.compareAndSetBoardData(board.id, 'dots', 'open', 'revealed'), false, 'nothing to compare with yet');
      assert.equal(await store.compareAndSetBoardData(board.id, 'dots', null, 'open'), true);
      assert.equal(await store.compareAndSetBoardData(board.id, 'dots', null, 'open again'), false, 'already there');
      const racers = await Promise.all([store.compareAndSetBoardData(board.id, 'dots', 'open', 'revealed by A'), store.compareAndSetBoardData(board.id, 'dots', 'open', 'revealed by B')]);
      assert.deepEqual(racers.filter(Boolean), [true], 'exactly one wins');
      assert.match((await store.getBoardData(board.id, 'dots'))!, /^revealed by [AB]$/);
      const now = (await store.getBoardData(board.id, 'dots'))!;
      assert.equal(await store.compareAndSetBoardData(board.id, 'dots', 'open', null), false);
      assert.equal(await store.compareAndSetBoardData(board.id, 'dots', now, null), true);
      assert.equal(await store.getBoardData(board.id, 'dots'), null);
      await assert.rejects(store.compareAndSetBoardData('no-such-board', 'dots', null, 'x'), NoSuchBoardError);
    });

    test('deleting a board removes every row of it, in every table, and nothing of its neighbours', async () => {
      const board = newBoard();
      const neighbour = newBoard();
      const a = editor(60);
      await store.createBoard(board, [newLink(board.id, 'owner'), newLink(board.id, 'viewer')], a.edit('a', '1'));
      await store.createBoard(neighbour, [newLink(neighbour.id, 'owner')], editor(61).edit('n', '1'));
      await store.appendUpdates([{ boardId: board.id, updates: [a.edit('b', '2')] }]);
      await store.setBoardData(board.id, 'timer', '1');
      await store.setBoardData(neighbour.id, 'timer', '1');
      await store.createVersion(newVersion(board.id), Y.encodeStateAsUpdate(a.doc));
      await store.createVersion(newVersion(neighbour.id), new Uint8Array([0, 0]));
      for (const table of TABLES) assert.ok((await harness.countRows(table, board.id)) > 0, `${table} has rows before`);
      assert.equal(await store.deleteBoard(board.id), true);
      for (const table of TABLES) {
        assert.equal(await harness.countRows(table, board.id), 0, `${table} rows left of the deleted board`);
        assert.ok((await harness.countRows(table, neighbour.id)) > 0, `${table} rows of the neighbour kept`);
      }
    });

    test('what is stored survives closing and reopening the store', async () => {
      const board = newBoard();
      const a = editor(70);
      await store.createBoard(board, [newLink(board.id, 'owner')], a.edit('a', '1'));
      await store.setBoardData(board.id, 'k', 'v');
      const reopened = await harness.open();
      assert.deepEqual(await reopened.getBoard(board.id), board);
      assert.deepEqual(cardsOf(await reopened.loadUpdates(board.id)), { a: '1' });
      assert.equal(await reopened.getBoardData(board.id, 'k'), 'v');
      await reopened.close();
    });

    test('instances starting together on a new database migrate it exactly once', async (t) => {
      if (!harness.openConcurrentlyOnFreshDatabase) return t.skip('one process opens this store');
      const fresh = await harness.openConcurrentlyOnFreshDatabase(3);
      try {
        assert.equal(fresh.stores.length, 3);
        assert.equal(fresh.migrations, 3, 'each migration recorded once');
        const board = newBoard();
        await fresh.stores[0]!.createBoard(board, [], null);
        assert.deepEqual(await fresh.stores[2]!.getBoard(board.id), board);
      } finally {
        await fresh.dispose();
      }
    });
  });
}

// Asked before any suite is registered: the runner starts the first suite at once and would
// finish before a suite registered after this await.
const unavailable = await postgresUnavailable();

contract('SQLite', sqliteHarness);
if (unavailable === null) {
  contract('PostgreSQL', postgresHarness);
} else if (process.env.CI) {
  test('PostgreSQL store contract', () => {
    assert.fail(`PostgreSQL is not reachable, and CI is set: ${unavailable}. Start it or set DATABASE_URL.`);
  });
} else {
  const warning = `PostgreSQL store contract DID NOT RUN: ${unavailable}. Start PostgreSQL or set DATABASE_URL to run it.`;
  process.stderr.write(`\n!!! ${warning}\n\n`);
  test('PostgreSQL store contract', { skip: warning }, () => undefined);
}
