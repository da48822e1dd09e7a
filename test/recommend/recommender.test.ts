import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_WEIGHTS, only, parseWeights } from '../../src/recommend/weights.ts';
import { ensureVectors } from '../../src/vectors/build.ts';
import { Client } from '../accounts/client.ts';
import { startServer, type TestServer } from '../helpers.ts';

let server: TestServer;
before(async () => {
  // Asking for a customer's recommendations by id is an admin's call (the reasons name what they
  // bought): these tests act as the operator, with the bearer token on every request.
  const token = 'recommender-test-admin';
  const started = await startServer({ adminToken: token });
  server = { ...started, get: (p, init) => started.get(p, { ...init, headers: { authorization: `Bearer ${token}`, ...init?.headers } }) };
  // What `serve` does on the first start after an import: build, then nothing while current.
  const built = ensureVectors(server.ctx.db);
  assert.equal(built?.trackCount, 3503);
  assert.equal(ensureVectors(server.ctx.db), null);
});
after(() => server.close());

const owned = (customerId: number) =>
  new Set(
    (
      server.ctx.db
        .prepare('SELECT il.track_id AS id FROM chinook_invoice_lines il JOIN chinook_invoices i ON i.id = il.invoice_id WHERE i.customer_id = ?')
        .all(customerId) as { id: number }[]
    ).map((r) => r.id),
  );

describe('recommendations', () => {
  test('never recommend a track the customer already bought', async () => {
    for (const customerId of [1, 2, 17, 33, 59]) {
      const res = await server.get(`/api/recommendations?customerId=${customerId}&limit=50`);
      assert.equal(res.status, 200);
      assert.equal(res.body.items.length, 50);
      const mine = owned(customerId);
      assert.ok(mine.size > 0);
      for (const item of res.body.items) assert.ok(!mine.has(item.id), `customer ${customerId} owns ${item.id}`);
      assert.equal(new Set(res.body.items.map((i: { id: number }) => i.id)).size, 50, 'no duplicates');
    }
  });

  test('scores are weighted sums of per-strategy normalised scores, best first (albums not spread)', async () => {
    const res = await server.get('/api/recommendations?customerId=5&limit=30&maxPerAlbum=100');
    assert.deepEqual(res.body.strategyWeights, DEFAULT_WEIGHTS);
    const scores = res.body.items.map((i: { score: number }) => i.score);
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i]);
    for (const item of res.body.items) {
      assert.ok(item.score <= 1 + 1e-6, `${item.score} > 1`);
      assert.ok(item.reasons.length >= 1 && item.reasons.length <= 3);
      for (const r of item.reasons) assert.ok(r.strategy in DEFAULT_WEIGHTS || r.strategy === 'popular');
    }
    // Each strategy contributes at most its weight (its best candidate normalises to 1).
    const ranking = server.ctx.recommender.ranker.rank(
      [1801, 2003, 391].map((id) => ({ id, weight: 1 })),
      { limit: 30, weights: DEFAULT_WEIGHTS, exclude: new Set([1801, 2003, 391]) },
    );
    for (const item of ranking.items) {
      let sum = 0;
      for (const [s, part] of Object.entries(item.parts)) {
        assert.ok(part <= DEFAULT_WEIGHTS[s as keyof typeof DEFAULT_WEIGHTS] + 1e-9, `${s}: ${part}`);
        sum += part;
      }
      assert.ok(Math.abs(sum - item.score) < 1e-9);
    }
  });

  test('one strategy alone: its best candidate scores exactly 1 and every reason is that strategy', async () => {
    for (const strategy of ['audio', 'lyric', 'genre', 'collaborative']) {
      const res = await server.get(`/api/recommendations?customerId=12&limit=10&weights=${strategy}:5`);
      assert.equal(res.status, 200);
      assert.equal(res.body.strategyWeights[strategy], 1);
      assert.equal(res.body.items[0].score, 1);
      for (const item of res.body.items) assert.ok(item.reasons.every((r: { strategy: string }) => r.strategy === strategy || r.strategy === 'popular'));
    }
  });

  test('weights change the ranking', async () => {
    const a = await server.get('/api/recommendations?customerId=12&limit=10&weights=audio:1');
    const g = await server.get('/api/recommendations?customerId=12&limit=10&weights=genre:1');
    assert.notDeepEqual(
      a.body.items.map((i: { id: number }) => i.id),
      g.body.items.map((i: { id: number }) => i.id),
    );
  });

  test('similarity strategies say which owned track they came from', async () => {
    const res = await server.get('/api/recommendations?customerId=3&limit=10&weights=audio:1');
    const mine = owned(3);
    for (const item of res.body.items) for (const r of item.reasons) if (r.strategy === 'audio') assert.ok(mine.has(r.becauseOfTrackId));
  });

  test('cold start: a customer without purchases gets popular tracks', async () => {
    const db = server.ctx.db;
    const id = Number(
      db.prepare("INSERT INTO chinook_customers (first_name, last_name, email) VALUES ('New', 'Customer', 'new@example.com')").run().lastInsertRowid,
    );
    const res = await server.get(`/api/recommendations?customerId=${id}&limit=10`);
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 10);
    assert.ok(res.body.items.every((i: { reasons: { strategy: string }[] }) => i.reasons.length === 1 && i.reasons[0]?.strategy === 'popular'));
    const best = db.prepare('SELECT track_id AS id, count(*) AS n FROM chinook_invoice_lines GROUP BY track_id ORDER BY n DESC, track_id LIMIT 10').all() as {
      id: number;
    }[];
    assert.deepEqual(
      res.body.items.map((i: { id: number }) => i.id),
      best.map((b) => b.id),
    );
  });

  test('a user without a customer: plays are the history, and played tracks are not recommended', () => {
    const db = server.ctx.db;
    const userId = Number(
      db.prepare("INSERT INTO users (email, password_hash, display_name) VALUES ('listener@example.com', 'x', 'Listener')").run().lastInsertRowid,
    );
    const played = [1801, 1802, 1803]; // Metallica
    for (const t of played) db.prepare('INSERT INTO plays (user_id, track_id, ms_played) VALUES (?, ?, 1000)').run(userId, t);
    const r = server.ctx.recommender.recommend({ userId }, { limit: 20, weights: only('lyric') });
    assert.equal(r.items.length, 20);
    for (const item of r.items) {
      assert.ok(!played.includes(item.id));
      for (const reason of item.reasons) if (reason.strategy === 'lyric') assert.ok(played.includes(reason.becauseOfTrackId as number));
    }
    // (Apocalyptica's cover of "Sad But True" shares a Metallica title, and rightly ranks high.)
    assert.ok(r.items.slice(0, 5).filter((i) => i.artist === 'Metallica').length >= 4, 'text neighbours of Metallica tracks are mostly Metallica');
    // Linked to a customer: that customer's purchases join the plays.
    db.prepare('UPDATE users SET customer_id = 7 WHERE id = ?').run(userId);
    const linked = server.ctx.recommender.recommend({ userId }, { limit: 50 });
    const mine = owned(7);
    for (const item of linked.items) assert.ok(!mine.has(item.id) && !played.includes(item.id));
  });

  test('bad requests are 4xx JSON', async () => {
    const missing = await server.get('/api/recommendations');
    assert.equal(missing.status, 400);
    const unknown = await server.get('/api/recommendations?customerId=999999');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'not_found');
    for (const w of ['bogus:1', 'audio:-1', 'audio:0', 'audio:x', 'audio']) {
      const r = await server.get(`/api/recommendations?customerId=1&weights=${w}`);
      assert.equal(r.status, 400, w);
      assert.equal(typeof r.body.message, 'string');
    }
  });

  test('parseWeights scales to a sum of 1', () => {
    assert.deepEqual(parseWeights('audio:2,genre:2'), { ...only('audio'), audio: 0.5, genre: 0.5 });
    assert.deepEqual(parseWeights(undefined), DEFAULT_WEIGHTS);
  });
});

describe('GET /api/tracks/:id/similar', () => {
  test('nearest tracks with names and similarities, the track itself excluded', async () => {
    for (const space of ['audio', 'lyric', 'metadata', 'blend']) {
      const res = await server.get(`/api/tracks/1/similar?space=${space}&limit=10`);
      assert.equal(res.status, 200, space);
      assert.equal(res.body.items.length, 10);
      for (const item of res.body.items) {
        assert.notEqual(item.id, 1);
        assert.ok(item.similarity >= -1 && item.similarity <= 1);
        assert.equal(typeof item.name, 'string');
      }
    }
    const def = await server.get('/api/tracks/1/similar');
    assert.equal(def.body.items.length, 10);
  });

  test('a second call answers the same from the caches', async () => {
    const a = await server.get('/api/tracks/2/similar?space=lyric&limit=5');
    const b = await server.get('/api/tracks/2/similar?space=lyric&limit=5');
    assert.deepEqual(a.body, b.body);
    // The stored JSON goes out as is, with its ETag: exactly the schema's fields, and a 304 when unchanged.
    for (const item of b.body.items) assert.deepEqual(Object.keys(item).sort(), ['album', 'artist', 'genre', 'id', 'name', 'similarity']);
    const etag = b.headers.get('etag') as string;
    assert.ok(etag);
    assert.equal(b.headers.get('cache-control'), 'public, no-cache');
    assert.equal((await server.get('/api/tracks/2/similar?space=lyric&limit=5', { headers: { 'if-none-match': etag } })).status, 304);
    await server.ctx.writes.drain(); // computed lists are stored by the write queue
    const rows = server.ctx.db.prepare("SELECT count(*) AS n FROM vector_similarity_cache WHERE source_track_id = 2 AND similarity_type = 'lyric'").get() as {
      n: number;
    };
    assert.ok(rows.n >= 5);
  });

  test('404 for an unknown track, 400 for bad parameters', async () => {
    const missing = await server.get('/api/tracks/999999/similar');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'not_found');
    for (const q of [
      '/api/tracks/abc/similar',
      '/api/tracks/0/similar',
      '/api/tracks/1/similar?space=video',
      '/api/tracks/1/similar?limit=0',
      '/api/tracks/1/similar?limit=1000',
      '/api/tracks/1/similar?foo=1',
    ]) {
      const r = await server.get(q);
      assert.equal(r.status, 400, q);
      assert.equal(typeof r.body.error, 'string');
    }
  });
});

describe('GET /api/recommendations through the cache database', () => {
  test('asked again: served from the cache, private; a play shows within the TTL, an order at once', async () => {
    const recommender = server.ctx.recommender;
    const original = recommender.recommend.bind(recommender);
    let computed = 0;
    recommender.recommend = (...args) => {
      computed++;
      return original(...args);
    };
    try {
      const user = new Client(server.url);
      assert.equal((await user.register('cached-recs@example.com', 'correct horse battery', 'Cached Recs')).status, 201);
      for (const trackId of [1801, 1802]) assert.equal((await user.post('/api/plays', { trackId, msPlayed: 200_000 })).status, 201);
      const first = await user.get('/api/recommendations?limit=10');
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('cache-control'), 'private, no-cache', 'personal: no shared cache keeps it');
      assert.ok(first.headers.get('etag'));
      // The stored JSON goes out as is: it must hold what the reply schema allows, nothing more.
      for (const item of first.body.items) {
        assert.deepEqual(Object.keys(item).sort(), ['album', 'artist', 'genre', 'id', 'name', 'reasons', 'score']);
        for (const r of item.reasons) for (const k of Object.keys(r)) assert.ok(['strategy', 'becauseOfTrackId', 'becauseOfTrackName', 'text'].includes(k), k);
      }
      const again = await user.get('/api/recommendations?limit=10');
      assert.deepEqual(again.body, first.body);
      assert.equal(computed, 1, 'the second ask was a cache hit');
      // Another shape is another entry.
      assert.equal((await user.get('/api/recommendations?limit=5')).status, 200);
      assert.equal(computed, 2);
      // A play moves the profile a little: seen when the entry ages out (RECOMMENDATIONS_TTL_SECONDS).
      assert.equal((await user.post('/api/plays', { trackId: 1803, msPlayed: 200_000 })).status, 201);
      await user.get('/api/recommendations?limit=10');
      assert.equal(computed, 2);
      // A bought track must leave the list before the next page: the order drops the entries.
      const bought = first.body.items[0].id as number;
      assert.equal((await user.post('/api/orders', { trackIds: [bought] })).status, 201);
      const after = await user.get('/api/recommendations?limit=10');
      assert.equal(computed, 3);
      assert.ok(!after.body.items.some((i: { id: number }) => i.id === bought), 'the bought track is gone');
      // Someone else's list is their own entry.
      const other = new Client(server.url);
      await other.register('other-recs@example.com', 'correct horse battery', 'Other Recs');
      await other.get('/api/recommendations?limit=10');
      assert.equal(computed, 4);
    } finally {
      recommender.recommend = original;
    }
  });
});
