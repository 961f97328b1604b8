import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import {
  TEMPLATE_IDS,
  derivePlanning,
  getMetaMap,
  getRecordsMap,
  type CreatedBoard,
  type PlanningModel,
  type StoredRecord,
  type TemplateId,
} from '@planboard/shared';
import { closeAll, connectClient, waitForSync } from '../support/clients.js';
import { createBoardWithLinks, startServer, type RunningServer } from '../support/server.js';
import { readStoredBoard } from '../support/stored.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

async function postBoard(body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/boards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const createFromTemplate = (template: TemplateId, title = `${template} board`) => createBoardWithLinks(server, title, template);

const records = (doc: Y.Doc): StoredRecord[] => [...getRecordsMap(doc).values()];
const lanes = (model: PlanningModel) => model.lanes.map((lane) => `${lane.kind}:${lane.name}`).sort();
const headers = (model: PlanningModel, kind: string) => model.headers.filter((h) => h.kind === kind).map((h) => h.name).sort();

/** What a client must find on a board made from each template. */
const EXPECTED: Record<Exclude<TemplateId, 'blank'>, (model: PlanningModel) => void> = {
  backlog: (model) => {
    assert.deepEqual(lanes(model), ['backlog:Inbox', 'column:Needs refinement', 'column:Out of scope', 'column:Ready for sprint']);
    assert.equal(model.headers.length, 0);
  },
  'story-map': (model) => {
    assert.deepEqual(lanes(model), ['release:Later', 'release:MVP', 'release:Release 2']);
    assert.deepEqual(headers(model, 'activity'), ['Activity 1', 'Activity 2', 'Activity 3']);
    assert.deepEqual(headers(model, 'step'), ['Step 1.1', 'Step 2.1', 'Step 3.1']);
    // Release slices are stacked, one below the other.
    const ys = model.lanes.map((lane) => lane.box.y).sort((a, b) => a - b);
    assert.ok(ys[0]! < ys[1]! && ys[1]! < ys[2]!, `releases stacked: ${ys.join(', ')}`);
  },
  roadmap: (model) => assert.deepEqual(lanes(model), ['column:Later', 'column:Next', 'column:Now']),
  'roadmap-timeline': (model) => {
    assert.deepEqual(lanes(model), ['column:Q1', 'column:Q2', 'column:Q3', 'column:Q4']);
    assert.deepEqual(headers(model, 'theme'), ['Theme A', 'Theme B', 'Theme C']);
  },
  sprint: (model) => {
    assert.deepEqual(lanes(model), ['backlog:Backlog', 'sprint:Sprint 1']);
    assert.equal(model.lanes.find((lane) => lane.kind === 'sprint')!.capacity, 30);
  },
  retro: (model) => assert.deepEqual(lanes(model), ['column:Actions', 'column:To improve', 'column:Went well']),
};

for (const template of TEMPLATE_IDS.filter((id) => id !== 'blank')) {
  test(`a board created with template "${template}" is stored with its lanes and reaches a stock client`, async () => {
    const board = await createFromTemplate(template as Exclude<TemplateId, 'blank'>);

    // Durable before the 201: the store already holds the template, before anyone connected.
    const stored = readStoredBoard(server.dataDir, board.id);
    const storedRecords = records(stored);
    assert.ok(storedRecords.length > 2, `stored records: ${storedRecords.length}`);
    EXPECTED[template as Exclude<TemplateId, 'blank'>](derivePlanning(storedRecords));

    const client = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
    try {
      await waitForSync(client.provider);
      const received = records(client.doc);
      EXPECTED[template as Exclude<TemplateId, 'blank'>](derivePlanning(received));
      // Opens like any board: the document record and first page, every shape on that page.
      const ids = new Set(received.map((r) => r.id));
      assert.ok(ids.has('document:document') && ids.has('page:page'), 'document and page records');
      for (const shape of received.filter((r) => r.typeName === 'shape')) assert.equal(shape['parentId'], 'page:page');
      assert.equal(getMetaMap(client.doc).get('layoutVersion'), 1);
      assert.deepEqual(getRecordsMap(client.doc).toJSON(), getRecordsMap(stored).toJSON());
    } finally {
      closeAll(client.provider);
      stored.destroy();
    }
  });
}

test('blank (and no template at all) leaves the document empty, for the first client to seed', async () => {
  const blank = await createFromTemplate('blank');
  const plain = (await (await postBoard({ title: 'No template' })).json()) as CreatedBoard;
  for (const board of [blank, plain]) {
    const client = connectClient(server.wsUrl, board.id, undefined, board.links.view.token);
    try {
      await waitForSync(client.provider);
      assert.equal(getRecordsMap(client.doc).size, 0);
    } finally {
      closeAll(client.provider);
    }
  }
});

test('two boards from the same template do not share shape ids', async () => {
  const [a, b] = await Promise.all([createFromTemplate('retro'), createFromTemplate('retro')]);
  const idsA = records(readStoredBoard(server.dataDir, a.id)).filter((r) => r.typeName === 'shape').map((r) => r.id);
  const idsB = new Set(records(readStoredBoard(server.dataDir, b.id)).filter((r) => r.typeName === 'shape').map((r) => r.id));
  assert.equal(idsA.length, 3);
  assert.ok(idsA.every((id) => !idsB.has(id)));
});

test('an unknown template is refused with 400 naming the templates there are', async () => {
  for (const template of ['kanban', 'Backlog', '', 42, null]) {
    const response = await postBoard({ title: 'Nope', template });
    assert.equal(response.status, 400, `template ${JSON.stringify(template)}`);
    const body = (await response.json()) as { statusCode: number; error: string; message: string };
    assert.equal(body.statusCode, 400);
    assert.equal(body.error, 'Bad Request');
    assert.match(body.message, /template/);
    if (typeof template === 'string') assert.match(body.message, /blank, backlog, story-map, roadmap, roadmap-timeline, sprint, retro/);
  }
});

test('a template board survives kill -9 right after it was created', async () => {
  const first = await startServer();
  let second: RunningServer | null = null;
  try {
    const response = await fetch(`${first.url}/api/boards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Map', template: 'story-map' }),
    });
    assert.equal(response.status, 201);
    const board = (await response.json()) as CreatedBoard;
    await first.kill();
    second = await startServer({ dataDir: first.dataDir });
    const client = connectClient(second.wsUrl, board.id, undefined, board.links.edit.token);
    try {
      await waitForSync(client.provider);
      EXPECTED['story-map'](derivePlanning(records(client.doc)));
    } finally {
      closeAll(client.provider);
    }
  } finally {
    await first.kill();
    if (second) await second.stop();
    first.cleanup();
  }
});
