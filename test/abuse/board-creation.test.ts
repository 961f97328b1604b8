import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { ApiError, ClientConfig, CreatedBoard } from '@planboard/shared';
import { startServer, type RunningServer } from '../support/server.js';
import { launchBrowser } from '../e2e/browser.js';

// Defect 5 of issue 11: POST /api/boards needed no token and had no limit (600 boards/s from one
// client, ~10 GB/hour of disk), and a cross-site form POST with no body got 201.

function create(server: RunningServer, init: { body?: string; headers?: Record<string, string> }) {
  return fetch(`${server.url}/api/boards`, { method: 'POST', ...init });
}
const json = (body: unknown = {}, headers: Record<string, string> = {}) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

/** Four waves of 50 concurrent creations from one address, like a script would send them. */
async function flood(server: RunningServer) {
  const started = Date.now();
  const statuses: number[] = [];
  let tooMany: Response | null = null;
  for (let wave = 0; wave < 4; wave++) {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => create(server, json({ title: `flood ${wave}-${i}` }))));
    for (const response of responses) {
      statuses.push(response.status);
      if (response.status === 429) tooMany ??= response;
      else await response.body?.cancel();
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const accepted = statuses.filter((s) => s === 201).length;
  return { statuses, accepted, tooMany, seconds, perSecond: accepted / seconds };
}

test('a flood from one address: the per-address limit accepts its quota and answers 429 with Retry-After', async () => {
  const unlimited = await startServer({ env: { BOARD_CREATIONS_PER_MINUTE: '1000000' } });
  const limited = await startServer({ env: { BOARD_CREATIONS_PER_MINUTE: '20' } });
  try {
    const before = await flood(unlimited);
    const after = await flood(limited);
    console.log(`# without a limit: ${before.accepted} of ${before.statuses.length} creations accepted in ${before.seconds.toFixed(2)} s (${before.perSecond.toFixed(0)} boards/s)`);
    console.log(`# BOARD_CREATIONS_PER_MINUTE=20: ${after.accepted} of ${after.statuses.length} accepted in ${after.seconds.toFixed(2)} s (${after.perSecond.toFixed(0)} boards/s, at most 20 a minute), ${after.statuses.filter((s) => s === 429).length} refused with 429`);
    assert.equal(before.accepted, before.statuses.length, 'a generous limit lets every creation through');
    assert.equal(after.accepted, 20, 'exactly the per-minute quota is accepted');
    assert.ok(after.statuses.every((s) => s === 201 || s === 429), `only 201 and 429: ${[...new Set(after.statuses)]}`);
    const { tooMany } = after;
    assert.ok(tooMany, 'the flood was refused');
    assert.ok(Number(tooMany.headers.get('retry-after')) > 0, 'Retry-After tells the client when to come back');
    const error = (await tooMany.json()) as ApiError;
    assert.equal(error.statusCode, 429);
    assert.equal(error.error, 'Too Many Requests');
    assert.match(error.message, /too many boards created from this address; try again in/);
    // Other requests from the same address are not limited.
    assert.equal((await fetch(`${limited.url}/api/config`)).status, 200);
  } finally {
    await Promise.all([unlimited.stop(), limited.stop()]);
    unlimited.cleanup();
    limited.cleanup();
  }
});

test('cross-site creation is refused: no body, form and text bodies, and a foreign Origin; same-origin JSON creates', async () => {
  const server = await startServer();
  try {
    const refusals: [string, Parameters<typeof create>[1], number][] = [
      ['a form POST with no body', {}, 415],
      ['a form POST with fields', { body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
      ['a text/plain body (what a cross-site form can send)', { body: '{"title":"x"}', headers: { 'content-type': 'text/plain' } }, 415],
      ['another site', json({}, { origin: 'https://evil.example' }), 403],
      ['the same host over https (another origin)', json({}, { origin: `https://127.0.0.1:${server.port}` }), 403],
      ['the same host on another port', json({}, { origin: `http://127.0.0.1:${server.port + 1}` }), 403],
      ['an opaque origin', json({}, { origin: 'null' }), 403],
    ];
    for (const [what, init, status] of refusals) {
      const response = await create(server, init);
      const body = (await response.json()) as ApiError;
      assert.equal(response.status, status, `${what}: ${JSON.stringify(body)}`);
      assert.equal(body.statusCode, status);
      assert.ok(body.message.length > 10, `${what}: a message a person can act on`);
    }
    const sameOrigin = await create(server, json({ title: 'Ours' }, { origin: server.url }));
    assert.equal(sameOrigin.status, 201);
    const noOrigin = await create(server, json({}));
    assert.equal(noOrigin.status, 201, 'API clients (no Origin) create with a JSON body');
    assert.equal(((await noOrigin.json()) as CreatedBoard).title, 'Untitled board');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('BOARD_CREATION=token: only the creation token creates, over the API and from the home page', async () => {
  const secret = 'creation-secret-4b8e1f2a9c';
  const server = await startServer({ env: { BOARD_CREATION: 'token', BOARD_CREATION_TOKEN: secret } });
  const browser = await launchBrowser();
  try {
    assert.equal(((await (await fetch(`${server.url}/api/config`)).json()) as ClientConfig).boardCreation, 'token');
    const missing = await create(server, json({}));
    assert.equal(missing.status, 401);
    assert.match(((await missing.json()) as ApiError).message, /board creation token/);
    const wrong = await create(server, json({}, { authorization: 'Bearer not-the-secret-at-all' }));
    assert.equal(wrong.status, 403);
    await wrong.body?.cancel();
    const right = await create(server, json({ title: 'Allowed' }, { authorization: `Bearer ${secret}` }));
    assert.equal(right.status, 201);
    await right.body?.cancel();
    assert.doesNotMatch(server.output(), new RegExp(secret), 'the token never reaches the logs');

    // A person on the home page: the form asks for the token; a wrong one gets a message, the right one a board.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.url);
    const tokenField = page.getByLabel('Board creation token');
    await tokenField.waitFor();
    await page.getByLabel('Board title').pressSequentially('Invite-only roadmap');
    await tokenField.pressSequentially('wrong-token-typed-here');
    await page.getByRole('button', { name: 'Create board' }).click();
    await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
    mkdirSync('test/e2e/screenshots', { recursive: true });
    await page.screenshot({ path: 'test/e2e/screenshots/abuse-creation-token-wrong-1280.png', fullPage: true });
    await tokenField.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await tokenField.pressSequentially(secret);
    await page.getByRole('button', { name: 'Create board' }).click();
    await page.waitForURL(/\/b\/[0-9a-z]{14}$/);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.url);
    await page.getByLabel('Board creation token').waitFor();
    assert.equal(await page.getByLabel('Board creation token').inputValue(), secret, 'remembered for the next board');
    await page.screenshot({ path: 'test/e2e/screenshots/abuse-creation-token-390.png', fullPage: true });
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
    server.cleanup();
  }
});
