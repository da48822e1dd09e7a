// Admin endpoints behind the dashboard: database stats against SQL counts, request metrics
// against the requests this test makes, and background jobs (progress, one at a time, 404).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { quantileMs } from '../../src/http/metrics.ts';
import { Client } from '../accounts/client.ts';
import { startServer, type TestServer } from '../helpers.ts';

const token = 'ops-admin-token-0123456789';
const admin = { authorization: `Bearer ${token}` };

describe('/api/admin ops endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ adminToken: token });
  });
  after(async () => server.close());

  const waitForJob = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const job = await server.get(`/api/admin/jobs/${id}`, { headers: admin });
      if (job.body.state !== 'running') return job.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('job did not finish');
  };

  it('is for admins only', async () => {
    for (const path of ['/api/admin/database/stats', '/api/admin/metrics/summary', '/api/admin/jobs', '/metrics']) {
      assert.equal((await server.get(path)).status, 401, path);
    }
    const customer = new Client(server.url);
    await customer.register('customer@example.com');
    assert.equal((await customer.get('/api/admin/database/stats')).status, 403);
    assert.equal((await customer.get('/metrics')).status, 403);
    assert.equal((await customer.post('/api/admin/search/rebuild')).status, 403);
  });

  it('database stats: files, pragmas read back, row counts equal to SQL counts', async () => {
    const { status, body } = await server.get('/api/admin/database/stats', { headers: admin });
    assert.equal(status, 200);
    const count = (t: string) => server.ctx.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
    for (const t of ['chinook_tracks', 'chinook_invoice_lines', 'users', 'activity_log']) assert.equal(body.rowCounts[t], count(t), t);
    assert.equal(body.pragmas.journal_mode, 'wal');
    assert.equal(body.pragmas.page_size, 32768);
    assert.equal(body.fileBytes, body.pageSize * body.pageCount);
    assert.ok(body.walBytes >= 0);
    assert.ok(body.checkpoints === null || body.checkpoints.runs >= 0);
    assert.equal((await server.get('/api/admin/database/stats?x=1', { headers: admin })).status, 400);
  });

  it('metrics summary counts the requests made, per route, with percentiles', async () => {
    for (let i = 0; i < 40; i++) await server.get(`/api/tracks/${1 + i}`);
    await server.get('/api/tracks/999999');
    const { body } = await server.get('/api/admin/metrics/summary?minutes=1', { headers: admin });
    const route = body.routes.find((r: { route: string }) => r.route === 'GET /api/tracks/:id');
    assert.equal(route.requests, 41);
    assert.ok(route.p50Ms > 0 && route.p50Ms <= route.p95Ms && route.p95Ms <= route.p99Ms);
    assert.ok(body.window.requests >= 41);
    assert.equal(body.intervalSeconds, 2);
    assert.equal((await server.get('/api/admin/metrics/summary?minutes=16', { headers: admin })).status, 400);
    const text = await (await fetch(`${server.url}/metrics`, { headers: admin })).text();
    assert.match(text, /http_request_duration_seconds_count\{method="GET",route="\/api\/tracks\/:id",status_code="404"\} 1/);
  });

  it('rebuilds the search index in the background, one job at a time', async () => {
    const started = await server.get('/api/admin/search/rebuild', { method: 'POST', headers: admin });
    assert.equal(started.status, 202);
    assert.equal(started.body.state, 'running');
    const second = await server.get('/api/admin/search/optimize', { method: 'POST', headers: admin });
    assert.equal(second.status, 409);
    assert.equal(second.body.details.jobId, started.body.id);
    const done = await waitForJob(started.body.id);
    assert.equal(done.state, 'done');
    assert.equal(done.result.tracks, 3503);
    assert.equal(done.progress.done, done.progress.total);
    assert.ok(Date.now() - Date.parse((await server.get('/api/admin/search/stats', { headers: admin })).body.lastRebuild) < 60_000);
    assert.equal((await server.get('/api/search?q=metallica&limit=1')).body.hits[0].artist, 'Metallica');
    const optimize = await server.get('/api/admin/search/optimize', { method: 'POST', headers: admin });
    assert.equal((await waitForJob(optimize.body.id)).state, 'done');
    const jobs = await server.get('/api/admin/jobs', { headers: admin });
    assert.deepEqual(
      jobs.body.items.map((j: { task: string }) => j.task),
      ['search-optimize', 'search-rebuild'],
    );
    assert.equal((await server.get('/api/admin/jobs/no-such-job', { headers: admin })).status, 404);
  });

  it('rebuilds the vectors in the background; similarity answers from them', async () => {
    const started = await server.get('/api/admin/vectors/rebuild', { method: 'POST', headers: admin });
    assert.equal(started.status, 202);
    const done = await waitForJob(started.body.id);
    assert.equal(done.state, 'done', done.error);
    assert.deepEqual(done.result.spaces, ['audio', 'lyric', 'metadata']);
    assert.equal((await server.get('/api/tracks/1801/similar?space=metadata&limit=3')).status, 200);
  });
});

describe('latency quantiles from histogram buckets', () => {
  it('interpolates inside the bucket, like histogram_quantile', () => {
    // 15 buckets (14 bounds + Inf): 10 requests ≤ 0.5 ms, 10 in (1, 2] ms.
    const buckets = new Array(15).fill(0);
    buckets[0] = 10;
    buckets[2] = 10;
    const c = { count: 20, sum: 0, buckets, errors: 0 };
    assert.equal(quantileMs(c, 0.5), 0.5);
    assert.equal(quantileMs(c, 0.75), 1.5);
    assert.equal(quantileMs(c, 1), 2);
    assert.equal(quantileMs({ ...c, count: 0, buckets: new Array(15).fill(0) }, 0.5), null);
  });
});
