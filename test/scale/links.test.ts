/**
 * Share links over three instances on one PostgreSQL and one Redis, behind the round-robin
 * balancer, with stock y-websocket clients: a link's expiry closes its sessions on every
 * instance, and the owner's link list counts the sessions of every instance.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { CloseCode, type CreatedBoard, type CreatedLink, type LinkSummary } from '@planboard/shared';
import { closeAll, connectClient, waitForSync } from '../support/clients.js';
import { createBoardWithLinks } from '../support/server.js';
import { startCluster, type Cluster } from './cluster.js';
import { servicesGate } from './services.js';

const skip = await servicesGate({ postgres: true }, 'share links over three instances');

/** The first close of a provider's connection (the stock client then retries, and is refused again). */
function firstClose(provider: WebsocketProvider): Promise<{ code: number; reason: string; at: number }> {
  return new Promise((resolve) => {
    const onClose = (event: CloseEvent | null) => {
      provider.off('connection-close', onClose);
      resolve({ code: event?.code ?? 0, reason: event?.reason ?? '', at: Date.now() });
    };
    provider.on('connection-close', onClose);
  });
}

describe('share links over three instances', { skip }, () => {
  let cluster: Cluster;
  let board: CreatedBoard;

  const api = (instance: number, path: string, init: RequestInit = {}) =>
    fetch(`${cluster.instances[instance]!.url}/api/boards/${board.id}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${board.links.owner.token}`, 'content-type': 'application/json', ...init.headers },
    });
  const newViewLink = async (instance: number, body: object = {}) => {
    const response = await api(instance, '/links', { method: 'POST', body: JSON.stringify({ role: 'viewer', ...body }) });
    assert.equal(response.status, 201);
    return (await response.json()) as CreatedLink;
  };
  const sessionsOf = async (instance: number, linkId: string) => {
    const response = await api(instance, '/links');
    assert.equal(response.status, 200);
    return ((await response.json()) as (LinkSummary & { activeSessions: number })[]).find((link) => link.id === linkId)?.activeSessions;
  };

  before(async () => {
    cluster = await startCluster(3);
    board = await createBoardWithLinks(cluster.balancer, 'Links over instances');
  });
  after(async () => {
    await cluster?.stop();
  });

  test('a link expiring closes its viewers on every instance within a second of its expiry', async () => {
    const expiresAt = Date.now() + 3_000;
    const link = await newViewLink(0, { expiresAt: new Date(expiresAt).toISOString() });
    // Viewers on the two instances that did not create the link.
    const viewers = [1, 2].map((i) => connectClient(cluster.instances[i]!.wsUrl, board.id, new Y.Doc(), link.token));
    try {
      await Promise.all(viewers.map((viewer) => waitForSync(viewer.provider)));
      assert.ok(Date.now() < expiresAt - 200, 'the viewers joined before the expiry');
      const closes = await Promise.all(viewers.map((viewer) => firstClose(viewer.provider)));
      for (const { code, reason, at } of closes) {
        assert.equal(code, CloseCode.unauthorized);
        assert.equal(reason, 'this link has expired');
        assert.ok(at >= expiresAt - 50, `closed ${expiresAt - at} ms before the expiry`);
        assert.ok(at - expiresAt < 1_000, `closed ${at - expiresAt} ms after the expiry`);
      }
      // And it stays closed: the stock client's retry is refused on every instance.
      const again = connectClient(cluster.instances[0]!.wsUrl, board.id, new Y.Doc(), link.token);
      try {
        const { code, reason } = await firstClose(again.provider);
        assert.equal(code, CloseCode.unauthorized);
        assert.equal(reason, 'this link has expired');
      } finally {
        closeAll(again.provider);
      }
    } finally {
      closeAll(...viewers.map((viewer) => viewer.provider));
    }
  });

  test("the owner's link list counts the sessions on every instance", async () => {
    const link = await newViewLink(1);
    // Four viewers: one on each instance, and a second on the third.
    const viewers = [0, 1, 2, 2].map((i) => connectClient(cluster.instances[i]!.wsUrl, board.id, new Y.Doc(), link.token));
    try {
      await Promise.all(viewers.map((viewer) => waitForSync(viewer.provider)));
      // Asked of each instance, and of whichever the balancer picks.
      for (const instance of [0, 1, 2]) {
        let seen: number | undefined;
        for (const deadline = Date.now() + 3_000; Date.now() < deadline && seen !== 4; await new Promise((r) => setTimeout(r, 50))) seen = await sessionsOf(instance, link.id);
        assert.equal(seen, 4, `instance ${instance} counts every instance's sessions`);
      }
      // The two viewers on the third instance leave: every instance counts two.
      closeAll(viewers[2]!.provider, viewers[3]!.provider);
      for (const instance of [0, 1]) {
        let seen: number | undefined;
        for (const deadline = Date.now() + 3_000; Date.now() < deadline && seen !== 2; await new Promise((r) => setTimeout(r, 50))) seen = await sessionsOf(instance, link.id);
        assert.equal(seen, 2, `instance ${instance} counts the sessions that are left`);
      }
    } finally {
      closeAll(...viewers.map((viewer) => viewer.provider));
    }
  });

  test('the sessions of an instance that died stop counting once its heartbeat expires', async () => {
    const link = await newViewLink(0);
    const survivor = connectClient(cluster.instances[0]!.wsUrl, board.id, new Y.Doc(), link.token);
    const doomed = cluster.instances[2]!;
    const lost = connectClient(doomed.wsUrl, board.id, new Y.Doc(), link.token);
    try {
      await Promise.all([waitForSync(survivor.provider), waitForSync(lost.provider)]);
      let seen: number | undefined;
      for (const deadline = Date.now() + 3_000; Date.now() < deadline && seen !== 2; await new Promise((r) => setTimeout(r, 50))) seen = await sessionsOf(0, link.id);
      assert.equal(seen, 2);
      // The client on the dead instance cannot reach it again (it connects to that port only).
      lost.provider.shouldConnect = false;
      await doomed.kill();
      const killedAt = Date.now();
      for (const deadline = Date.now() + 20_000; Date.now() < deadline && seen !== 1; await new Promise((r) => setTimeout(r, 200))) seen = await sessionsOf(0, link.id);
      assert.equal(seen, 1, 'only the session on a live instance counts');
      assert.ok(Date.now() - killedAt < 15_000, `dropped ${Date.now() - killedAt} ms after the kill`);
    } finally {
      closeAll(survivor.provider, lost.provider);
    }
  });
});
