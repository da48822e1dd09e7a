// The dashboard in Chromium against the real server: an admin logs in, watches the cache hit
// rate and the request rate move after traffic, rebuilds the search index
// with progress, pages the activity log; zero console errors; desktop and phone screenshots.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers.ts';
import { type E2E, launch, PHONE, screenshot, type Watched } from './browser.ts';

describe('admin dashboard in Chromium', () => {
  let server: TestServer;
  let e2e: E2E;
  let admin: Watched;

  before(async () => {
    server = await startServer();
    await server.ctx.accounts.users.register({ email: 'boss@example.com', password: 'the boss password', displayName: 'Boss', role: 'admin' });
    e2e = await launch();
    admin = e2e.watch(await (await e2e.newContext()).newPage(), server.url);
  });
  after(async () => {
    await e2e?.close();
    await server?.close();
  });

  const figure = (page: Page, name: string) => page.locator(`[data-figure="${name}"] dd`).textContent();

  it('an admin logs in and sees every panel', async () => {
    const { page } = admin;
    await page.goto(`${server.url}/admin`);
    await page.waitForURL(/\/login\?next=%2Fadmin$/);
    await page.getByLabel('Email').fill('boss@example.com');
    await page.getByLabel('Password').fill('the boss password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${server.url}/admin`);
    for (const title of ['Requests', 'Cache database', 'Write queue', 'Primary database', 'Search index', 'Vectors', 'Sales', 'Activity log']) {
      await page.locator('.panel h2', { hasText: title }).first().waitFor();
    }
    // Numbers from the API, not placeholders.
    await page.locator('#database table[aria-label="Row counts"] tr', { hasText: 'tracks' }).first().waitFor();
    const tracks = server.ctx.db.prepare('SELECT count(*) FROM chinook_tracks').pluck().get() as number;
    assert.equal(
      await page
        .locator('#database tr', { hasText: /^tracks/ })
        .locator('td')
        .textContent(),
      tracks.toLocaleString('en-US'),
    );
    assert.match((await page.locator('#database tr', { hasText: 'journal_mode' }).locator('td').textContent()) ?? '', /^wal$/);
    await page.locator('#sales canvas').first().waitFor();
    assert.deepEqual(admin.take(), []);
  });

  it('cache hit rate and request rate move after traffic', async () => {
    const { page } = admin;
    await page.locator('[data-figure="hit-rate"] dd').waitFor();
    const hitsBefore = await figure(page, 'hits');
    const rateBefore = Number(await figure(page, 'rate'));
    // 300 catalog reads: the first of each id misses, the repeats hit.
    const ids = Array.from({ length: 300 }, (_, i) => 1 + (i % 30));
    for (let i = 0; i < ids.length; i += 30)
      await Promise.all(ids.slice(i, i + 30).map((id) => fetch(`${server.url}/api/tracks/${id}`).then((r) => r.arrayBuffer())));
    const stats = (await page.evaluate(() => fetch('/api/admin/cache/stats').then((r) => r.json()))) as { total: { hits: number; hitRate: number } };
    assert.ok(stats.total.hits >= 270);
    await page.waitForFunction((before) => document.querySelector('[data-figure="hits"] dd')?.textContent !== before, hitsBefore, { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-figure="rate"] dd')?.textContent) > 0, null, { timeout: 10_000 });
    assert.ok(Number(await figure(page, 'rate')) > rateBefore || rateBefore > 0);
    const hitRate = Number.parseFloat((await figure(page, 'hit-rate')) ?? '');
    assert.ok(hitRate > 0, `hit rate shown: ${hitRate}`);
    await page.waitForFunction(
      () => Number.parseInt(document.querySelector('[data-figure="requests"] dd')?.textContent?.replace(/,/g, '') ?? '0', 10) >= 300,
      null,
      {
        timeout: 10_000,
      },
    );
    await screenshot(page, 'dashboard-desktop');
    assert.deepEqual(admin.take(), []);
  });

  it('rebuilds the search index with progress', async () => {
    const { page } = admin;
    await page.locator('#search').getByRole('button', { name: 'Rebuild index' }).click();
    await page.locator('#search .job[data-job-state="done"] .ok', { hasText: /Done in \d+ ms \(3,503 tracks\)/ }).waitFor({ timeout: 30_000 });
    await page.locator('#search [data-figure="last-rebuild"] dd', { hasText: /s ago$/ }).waitFor({ timeout: 10_000 });
    const rebuilt = await page.evaluate(() => fetch('/api/admin/search/stats').then((r) => r.json()));
    assert.ok(Date.now() - Date.parse(rebuilt.lastRebuild) < 60_000);
    // Search still answers, from the rebuilt index.
    assert.ok((await server.get('/api/search?q=metallica&limit=1')).body.total > 0);

    // The rebuild is in the activity log; the subject filter keeps only search entries.
    await page.locator('#activity td', { hasText: 'POST /api/admin/search/rebuild' }).first().waitFor({ timeout: 10_000 });
    await page.locator('#activity select').selectOption('search');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('#activity tbody tr').length > 0 &&
        [...document.querySelectorAll('#activity tbody tr')].every((r) => r.textContent?.includes('search')),
    );
    await page.locator('#activity select').selectOption('');
    assert.deepEqual(admin.take(), []);
  });

  it('phone width and the Prometheus endpoint', async () => {
    const phoneCtx = await e2e.newContext({ viewport: PHONE, isMobile: true });
    await phoneCtx.addCookies(await admin.page.context().cookies());
    const phone = e2e.watch(await phoneCtx.newPage(), server.url);
    await phone.page.goto(`${server.url}/admin`);
    await phone.page.locator('[data-figure="hit-rate"] dd').waitFor();
    await phone.page.locator('#requests canvas').first().waitFor();
    assert.ok((await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'no sideways scrolling');
    await screenshot(phone.page, 'dashboard-phone');
    assert.deepEqual(phone.take(), []);
    const metrics = await admin.page.evaluate(() => fetch('/metrics').then(async (r) => ({ status: r.status, text: await r.text() })));
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /http_request_duration_seconds_bucket\{le="0.001",method="GET",route="\/api\/tracks\/:id",status_code="200"\}/);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
  });
});
