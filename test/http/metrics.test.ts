// GET /metrics: admin-only, Chinook's own metrics beside the request histogram, and in a
// cluster the sum over every worker (a request answered by either worker is counted once).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { buildVectors } from '../../src/vectors/build.ts';
import { Client } from '../accounts/client.ts';
import { importedDb, startServerOn, type TestServer } from '../helpers.ts';
import { startServe } from '../serve-process.ts';

const token = 'metrics-admin';
const admin = { authorization: `Bearer ${token}` };

/** Sum of the samples of `name` whose labels contain every `labels` pair (Prometheus text format). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      total += Number(m[3]);
      found = true;
    }
  }
  assert.ok(found, `no sample ${name}${JSON.stringify(labels)}`);
  return total;
}

function getOnNewConnection(url: string): Promise<{ status: number; worker: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: String(res.headers['x-worker-id']) }));
      })
      .on('error', reject);
  });
}

describe('GET /metrics, one process', () => {
  let server: TestServer;
  before(async () => {
    const { config, db } = importedDb({ adminToken: token, cachePreload: false });
    buildVectors(db, { spaces: ['metadata'] });
    server = await startServerOn(config, db);
  });
  after(() => server.close());

  it('is for admins only', async () => {
    assert.equal((await server.get('/metrics')).status, 401);
    const user = new Client(server.url);
    await user.register('metrics-user@example.com');
    assert.equal((await user.get('/metrics')).status, 403);
  });

  it('counts requests, cache, write queue, WAL, checkpoints, search and KNN times, memory', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await server.get('/api/genres')).status, 200); // a miss, then hits
    assert.equal((await server.get('/api/search?q=metallica')).status, 200);
    assert.equal((await server.get('/api/tracks/1801/similar?space=metadata')).status, 200);
    const c = new Client(server.url);
    await c.register('metrics-writer@example.com');
    await c.get('/api/auth/csrf');
    assert.equal((await c.post('/api/plays', { trackId: 3 })).status, 201);

    const res = await fetch(`${server.url}/metrics`, { headers: admin });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(res.headers.get('x-metrics-scope'), 'process');
    const text = await res.text();
    assert.equal(sample(text, 'http_request_duration_seconds_count', { route: '/api/genres', status_code: '200' }), 3);
    assert.ok(sample(text, 'chinook_cache_hits_total') >= 2, 'cache hits');
    assert.ok(sample(text, 'chinook_cache_misses_total') >= 1, 'cache misses');
    sample(text, 'chinook_cache_evictions_total');
    assert.ok(sample(text, 'chinook_write_commit_seconds_count') >= 2, 'commits (register, play)');
    assert.ok(sample(text, 'chinook_write_batch_operations_sum') >= 2);
    assert.equal(sample(text, 'chinook_write_queue_depth'), 0);
    sample(text, 'chinook_write_busy_retries_total');
    assert.ok(sample(text, 'chinook_database_bytes') > 1_000_000);
    sample(text, 'chinook_wal_bytes');
    sample(text, 'chinook_checkpoint_lag_frames');
    assert.equal(sample(text, 'chinook_storage_degraded'), 0);
    assert.equal(sample(text, 'chinook_search_seconds_count', { call: 'search' }), 1);
    assert.equal(sample(text, 'chinook_knn_seconds_count', { space: 'metadata' }), 1);
    assert.ok(sample(text, 'process_resident_memory_bytes') > 10_000_000);
    assert.ok(sample(text, 'nodejs_heap_size_used_bytes') > 1_000_000);
  });
});

describe('GET /metrics, two cluster workers', () => {
  it('sums every worker: each request counted once, whichever worker answered', async () => {
    const { config, db } = importedDb();
    db.close();
    // Round-robin: the primary deals fresh connections to both workers in turn (with the workers
    // accepting, the default, one of them may take every connection at rest).
    const server = await startServe(config.dbPath, { workers: 2, env: { CHINOOK_ADMIN_TOKEN: token, CHINOOK_CLUSTER_ACCEPT: 'primary' } });
    try {
      // The second worker may still be starting: wait until both answer (on another route).
      const up = new Set<string>();
      for (let i = 0; i < 600 && up.size < 2; i++) up.add((await getOnNewConnection(`${server.url}/health/live`)).worker);
      assert.equal(up.size, 2, 'two workers listening');
      const workers = new Set<string>();
      for (let i = 0; i < 40; i++) {
        // A new connection each time: the primary deals connections to workers in turn.
        const r = await getOnNewConnection(`${server.url}/api/genres`);
        assert.equal(r.status, 200);
        workers.add(r.worker);
      }
      assert.equal(workers.size, 2, 'both workers answered some requests');
      const res = await fetch(`${server.url}/metrics`, { headers: admin });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-metrics-scope'), 'cluster');
      const text = await res.text();
      assert.equal(sample(text, 'http_request_duration_seconds_count', { route: '/api/genres', status_code: '200' }), 40);
      // Two workers' memory, summed; one file's WAL, not doubled.
      assert.ok(sample(text, 'process_resident_memory_bytes') > 2 * 10_000_000);
      assert.equal(text.match(/^chinook_wal_bytes /gm)?.length, 1);
    } finally {
      await server.stop();
    }
  });
});
