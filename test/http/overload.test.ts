// Load shedding (src/http/overload.ts): while the event loop lags past CHINOOK_OVERLOAD_DELAY_MS
// the API answers 503 with Retry-After and the {error, message} shape, /health still answers,
// and serving resumes once the lag is gone. The lag is real: this process's event loop (the
// server runs in it) is kept busy for 1 s.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ overloadDelayMs: 20, overloadRetryAfterSeconds: 3 });
});
after(() => server.close());

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the event loop lags while this runs
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `path` answers `status` (a loaded test machine lags on its own), or gives up after 5 s. */
async function eventually(path: string, status: number): Promise<number> {
  let last = 0;
  for (const end = Date.now() + 5000; Date.now() < end; await sleep(100)) {
    last = (await server.get(path)).status;
    if (last === status) return last;
  }
  return last;
}

test('a lagging event loop sheds API requests with 503 + Retry-After; /health still answers', async () => {
  assert.equal(await eventually('/api/tracks/1', 200), 200, 'no lag, no shedding (after the start-up grace)');
  // The loop lags for 1.5 s: blocks of 100 ms, five times the 20 ms threshold. (One stall and
  // then a request is not enough: the request may come before the sample that sees the stall.)
  let blocks = 0;
  const chain = () => {
    busy(100);
    if (++blocks < 15) setImmediate(chain);
  };
  setImmediate(chain);
  await new Promise((r) => setImmediate(r));
  const tracks: Awaited<ReturnType<TestServer['get']>>[] = [];
  const healths: number[] = [];
  while (blocks < 15) {
    const [t, h] = await Promise.all([server.get('/api/tracks/1'), server.get('/health')]);
    tracks.push(t);
    healths.push(h.status);
  }
  const refused = tracks.filter((t) => t.status === 503);
  assert.ok(refused.length >= tracks.length / 2, `most API requests shed while lagging: ${tracks.map((t) => t.status)}`);
  const track = refused[0] as (typeof tracks)[number];
  assert.equal(track.headers.get('retry-after'), '3');
  // A shed request is answered by the one request hook after the reply got its headers
  // (src/http/request-hooks.ts): helmet's and the request id, as on every other reply.
  assert.equal(track.headers.get('x-content-type-options'), 'nosniff');
  assert.match(track.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.ok(track.headers.get('x-request-id'), 'the 503 names its request');
  assert.equal((track.body as { error: string }).error, 'overloaded');
  assert.match((track.body as { message: string }).message, /retry after 3 s/);
  assert.deepEqual(
    healths.filter((x) => x !== 200),
    [],
    'the health route is exempt',
  );
  // A quiet sample interval (the threshold, 20 ms) later the server serves again.
  assert.equal(await eventually('/api/tracks/1', 200), 200);
});

test('loop iterations of 300 ms are a lag of 300 ms: under a 1 s threshold nothing is shed', async () => {
  // With a sample interval shorter than the iterations, the delay monitor recorded nothing,
  // under-pressure read that as an infinite delay and every request got a 503.
  const s = await startServer({ overloadDelayMs: 1000 });
  try {
    await sleep(2100); // the start-up grace: two sample intervals
    let blocks = 0;
    const chain = () => {
      busy(300);
      if (++blocks < 12) setImmediate(chain);
    };
    setImmediate(chain);
    // Four at a time, so that requests land in every sample interval.
    const statuses: number[] = [];
    while (blocks < 12) statuses.push(...(await Promise.all([1, 2, 3, 4].map(() => s.get('/api/tracks/1')))).map((r) => r.status));
    assert.ok(statuses.length >= 12, `requests were answered between the blocks (${statuses.length})`);
    assert.deepEqual(
      statuses.filter((x) => x !== 200),
      [],
    );
  } finally {
    await s.close();
  }
});

test('CHINOOK_OVERLOAD_DELAY_MS=0 never sheds', async () => {
  const off = await startServer({ overloadDelayMs: 0 });
  try {
    await sleep(600);
    busy(1000);
    assert.equal((await off.get('/api/tracks/1')).status, 200);
  } finally {
    await off.close();
  }
});
