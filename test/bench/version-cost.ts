/**
 * What versions cost in bytes for a board edited for an hour.
 *
 * A workshop: a story map with 60 imported cards, 8 people editing with the stock y-websocket
 * client, each making a change about every 6 seconds (moves mostly, then retitles, new cards and
 * deletions), so 800 changes per 10 minutes. The hour is run as six 10-minute slices of those
 * changes; after each slice the server's automatic version (VERSION_INTERVAL_SECONDS=10 here, and
 * each slice is sent within a few seconds, so that it comes right after the slice instead of 10
 * real minutes later) is waited for. Versions
 * are the whole Yjs state, so their size depends on the board and its history, not on timing.
 *
 *   pnpm run build && npx tsx test/bench/version-cost.ts      (BENCH_PEOPLE, BENCH_SLICES, BENCH_CHANGES_PER_SLICE)
 *
 * Prints each version's bytes, the total, and for comparison the live document and the SQLite file.
 */
import { statSync } from 'node:fs';
import * as Y from 'yjs';
import { getRecordsMap, type StoredRecord, type VersionList } from '@planboard/shared';
import { closeAll, connectClient, waitFor, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer } from '../support/server.js';
import { sqlitePath } from '../support/stored.js';

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 8);
const SLICES = Number(process.env.BENCH_SLICES ?? 6);
const CHANGES_PER_SLICE = Number(process.env.BENCH_CHANGES_PER_SLICE ?? 800);
const CARDS = 60;

const server = await startServer({ env: { VERSION_INTERVAL_SECONDS: '10', LOG_LEVEL: 'warn', BOARD_IDLE_MS: '600000' } });
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;

try {
  const board = await createBoardWithLinks(server, 'Workshop', 'story-map');
  const token = board.links.edit.token;
  const csv = ['Title,Estimate,Status', ...Array.from({ length: CARDS }, (_, i) => `Story ${i + 1}: as a shopper I can do thing ${i + 1},${pick([1, 2, 3, 5, 8])},To do`)].join('\n');
  const imported = await fetch(`${server.url}/api/boards/${board.id}/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: csv });
  if (imported.status !== 200) throw new Error(`import: ${imported.status}`);

  const people = Array.from({ length: PEOPLE }, () => connectClient(server.wsUrl, board.id, new Y.Doc(), token));
  people.forEach((p, i) => p.provider.awareness.setLocalStateField('user', { id: `p${i}`, name: `Person ${i + 1}`, color: '#1971c2' }));
  await Promise.all(people.map((p) => waitForSync(p.provider)));
  const cardsOf = (doc: Y.Doc) => [...getRecordsMap(doc).values()].filter((r) => r.typeName === 'shape' && r['type'] === 'story-card');

  let added = 0;
  const list = async () => ((await (await fetch(`${server.url}/api/boards/${board.id}/history`, { headers: { authorization: `Bearer ${token}` } })).json()) as VersionList).versions;
  const automatic = async () => (await list()).filter((v) => v.kind === 'automatic');
  const started = Date.now();
  for (let slice = 0; slice < SLICES; slice++) {
    for (let change = 0; change < CHANGES_PER_SLICE; change++) {
      const person = people[change % PEOPLE]!;
      const records = getRecordsMap(person.doc);
      const cards = cardsOf(person.doc);
      const card = pick(cards) as StoredRecord & { x: number; y: number; props: Record<string, unknown> };
      const roll = random();
      if (roll < 0.7) records.set(card.id, { ...card, x: card.x + (random() - 0.5) * 200, y: card.y + (random() - 0.5) * 120 });
      else if (roll < 0.85) records.set(card.id, { ...card, props: { ...card.props, title: `${String(card.props['title']).split(' (')[0]} (rev ${slice}.${change})` } });
      else if (roll < 0.95) records.set(`shape:added-${added}`, { ...card, id: `shape:added-${added++}`, x: card.x + 30, y: card.y + 30 });
      else if (cards.length > 20) records.delete(card.id);
      // A slice's changes go out within about a second (an hour of them, compressed).
      if (change % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = (await automatic()).length;
    await waitFor(() => people.every((p) => getRecordsMap(p.doc).size === getRecordsMap(people[0]!.doc).size), 'clients to agree');
    for (let i = 0; i < 300 && (await automatic()).length === before; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await waitFor(() => people.every((p) => getRecordsMap(p.doc).size === getRecordsMap(people[0]!.doc).size), 'clients to agree');

  const versions = (await automatic()).reverse();
  const liveBytes = Y.encodeStateAsUpdate(people[0]!.doc).byteLength;
  const total = versions.reduce((sum, v) => sum + v.bytes, 0);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`\nVersions of a board edited for an hour: ${PEOPLE} people, ${SLICES} × ${CHANGES_PER_SLICE} changes (one automatic version per 10 minutes), ${CARDS} imported cards + ${added} added`);
  console.log('| version | taken after | records | bytes |');
  console.log('| --- | --- | --- | --- |');
  for (const [i, v] of versions.entries()) {
    const state = new Uint8Array(await (await fetch(`${server.url}/api/boards/${board.id}/history/${v.id}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    console.log(`| ${i + 1} | ${(i + 1) * 10} min | ${getRecordsMap(doc).size} | ${v.bytes} (${kb(v.bytes)}) |`);
    doc.destroy();
  }
  console.log(`\ntotal of ${versions.length} automatic versions: ${total} bytes (${kb(total)}); mean ${Math.round(total / Math.max(versions.length, 1))} bytes per version`);
  console.log(`the live document at the end: ${liveBytes} bytes (${kb(liveBytes)}); the before-import version: ${(await list()).find((v) => v.kind === 'before-import')?.bytes ?? 0} bytes`);
  console.log(`SQLite file (updates, compacted snapshot and versions, WAL not counted): ${kb(statSync(sqlitePath(server.dataDir)).size)}`);
  console.log(`(ran in ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  closeAll(...people.map((p) => p.provider));
} finally {
  await server.stop();
  server.cleanup();
}
