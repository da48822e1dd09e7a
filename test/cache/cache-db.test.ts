import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CacheDb, type CacheLogger, type CacheOptions, cacheTables } from '../../src/cache/cache-db.ts';
import { pendingStampLimit } from '../../src/cache/ledger.ts';

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function capture(): CacheLogger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return { warnings, errors, warn: (_o, m) => warnings.push(m), error: (_o, m) => errors.push(m) };
}

function open(options: CacheOptions = {}) {
  return new CacheDb({ cleanupIntervalMs: 0, logger: capture(), ...options });
}

/** What the tables really hold, to check the JS counters against. */
function sqlTotals(cache: CacheDb) {
  const names = ['cache_queries', 'cache_search_results', 'cache_aggregations', 'cache_popular_content', 'cache_sessions'];
  let entries = 0;
  let bytes = 0;
  for (const n of names) {
    const r = cache.db.prepare(`SELECT count(*) AS n, total(bytes) AS b FROM ${n}`).get() as { n: number; b: number };
    entries += r.n;
    bytes += r.b;
  }
  return { entries, bytes };
}

describe('cache database', () => {
  it('opens :memory: with the seed pragmas and the seed tables', () => {
    const cache = open();
    const p = cache.stats().pragmas;
    assert.equal(p.synchronous, 0);
    assert.equal(p.journal_mode, 'memory');
    assert.equal(p.temp_store, 2);
    assert.equal(p.cache_size, -32768);
    // Read back so an operator sees the bytes of pages the cache really holds (page_count × page_size).
    assert.equal(p.page_size, 4096);
    assert.ok((p.page_count as number) > 0);
    assert.equal(cache.db.name, ':memory:');
    const tables = (cache.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    assert.deepEqual(tables, ['cache_aggregations', 'cache_popular_content', 'cache_queries', 'cache_search_results', 'cache_sessions', 'cache_tags']);
    // Tag invalidation is an index seek, not a scan (and never LIKE over JSON).
    const plan = cache.db.prepare('EXPLAIN QUERY PLAN SELECT tbl, cache_key FROM cache_tags WHERE tag = ?').all('x') as { detail: string }[];
    assert.match(plan.map((r) => r.detail).join(' '), /SEARCH cache_tags USING PRIMARY KEY \(tag=\?\)/);
    const lru = cache.db.prepare('EXPLAIN QUERY PLAN SELECT rowid FROM cache_queries ORDER BY last_access LIMIT 8').all() as { detail: string }[];
    assert.match(lru.map((r) => r.detail).join(' '), /cache_queries_lru/);
    cache.close();
  });

  it('round-trips values and never serves an expired one (injectable clock)', () => {
    const clock = fakeClock();
    const cache = open({ clock: clock.now, ttls: { queries: 10 } });
    cache.set('a', { x: 1 });
    cache.set('b', [1, 2, 3], { ttlSeconds: 60 });
    assert.deepEqual(cache.get('a'), { x: 1 });
    clock.advance(9_999);
    assert.deepEqual(cache.get('a'), { x: 1 });
    clock.advance(1);
    assert.equal(cache.get('a'), undefined, 'expired exactly at its TTL');
    assert.deepEqual(cache.get('b'), [1, 2, 3]);
    // Still stored until the sweep: expiry is enforced on read, not by deletion.
    assert.equal(cache.stats().total.entries, 2);
    const swept = cache.cleanup();
    assert.equal(swept.queries, 1);
    assert.equal(cache.stats().tables.queries.expirations, 1);
    assert.equal(cache.stats().total.entries, 1);
    clock.advance(60_000);
    assert.equal(cache.get('b'), undefined);
    cache.close();
  });

  it('sweeps expired rows in batches and drops their tags', () => {
    const clock = fakeClock();
    const cache = open({ clock: clock.now, cleanupBatch: 3 });
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, { ttlSeconds: 1, tags: ['t'] });
    cache.set('keep', 1, { ttlSeconds: 100, tags: ['t'] });
    clock.advance(1000);
    assert.equal(cache.cleanup().queries, 3);
    assert.equal(cache.cleanup().queries, 3);
    assert.equal(cache.cleanup().queries, 3);
    assert.equal(cache.cleanup().queries, 1);
    assert.equal(cache.cleanup().queries, 0);
    assert.equal(cache.stats().tags, 1);
    assert.deepEqual(sqlTotals(cache), { entries: 1, bytes: cache.bytes });
    cache.close();
  });

  it('invalidates by tag: only the tagged keys go', () => {
    const cache = open();
    cache.set('track:1', 1, { tags: ['track:1', 'album:1'] });
    cache.set('track:2', 2, { tags: ['track:2', 'album:1'] });
    cache.set('track:3', 3, { tags: ['track:3', 'album:2'] });
    cache.set('untagged', 4);
    cache.set('iron maiden', [{ id: 1 }], { table: 'search', tags: ['search', 'track:1'] });
    assert.equal(cache.invalidateTags(['album:1']), 2);
    assert.equal(cache.get('track:1'), undefined);
    assert.equal(cache.get('track:2'), undefined);
    assert.equal(cache.get('track:3'), 3);
    assert.equal(cache.get('untagged'), 4);
    assert.deepEqual(cache.get('iron maiden', 'search'), [{ id: 1 }], 'the search entry shares tag track:1, not album:1');
    assert.equal(cache.invalidateTags(['track:1']), 1);
    assert.equal(cache.get('iron maiden', 'search'), undefined);
    assert.equal(cache.invalidateTags(['nothing-has-this']), 0);
    // Tag rows of removed entries are gone too; re-setting a key replaces its tags.
    cache.set('track:3', 33, { tags: ['other'] });
    assert.equal(cache.invalidateTags(['album:2']), 0);
    assert.equal(cache.get('track:3'), 33);
    assert.equal(cache.stats().tables.queries.invalidations, 2);
    cache.close();
  });

  it('evicts least-recently-used entries under the byte cap', () => {
    const cache = open({ maxBytes: 4000, maxEntryBytes: 4000 });
    const value = 'x'.repeat(800);
    cache.set('a', value);
    cache.set('b', value);
    cache.set('c', value);
    cache.set('d', value);
    assert.equal(cache.stats().total.evictions, 0);
    cache.get('a'); // a is now the most recent; b is the oldest
    cache.set('e', value);
    assert.equal(cache.get('b'), undefined, 'the least recently used entry went');
    for (const k of ['a', 'c', 'd', 'e']) assert.equal(cache.get(k), value, k);
    assert.equal(cache.stats().total.evictions, 1);
    assert.ok(cache.bytes <= 4000);
    cache.close();
  });

  it('a hit writes nothing; the order it implies is written when an eviction needs it', () => {
    const cache = open({ maxBytes: 4000, maxEntryBytes: 4000 });
    const stampOf = (key: string) => cache.db.prepare('SELECT last_access FROM cache_queries WHERE cache_key = ?').pluck().get(key);
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, 'x'.repeat(800));
    const before = stampOf('a');
    cache.get('a');
    assert.equal(stampOf('a'), before, 'no write on the hit itself');
    cache.set('e', 'x'.repeat(800)); // past the cap: the oldest goes, and the hit on a counts
    assert.ok(Number(stampOf('a')) > Number(before), 'the stamp was written before choosing what to evict');
    assert.equal(cache.get('b'), undefined, 'b, not a, was the least recently used');
    assert.ok(cache.get('a'));
    cache.close();
  });

  it('stamps waiting for an eviction are written anyway once stale ones pass twice the rows (their memory stays bounded)', () => {
    const cache = open({ maxBytes: 64 * 1024 * 1024 });
    const stampOf = (key: string) => cache.db.prepare('SELECT last_access FROM cache_queries WHERE cache_key = ?').pluck().get(key);
    const rows = 3000;
    assert.equal(pendingStampLimit(rows), 6000);
    for (let i = 0; i < rows; i++) cache.set(`k:${i}`, i);
    const before = stampOf('k:0');
    const touchAll = () => {
      for (let i = 0; i < rows; i++) cache.get(`k:${i}`);
    };
    touchAll();
    touchAll();
    assert.equal(stampOf('k:0'), before, 'hits on live rows alone never reach the limit, however many');
    // Replacing rows leaves their waiting stamps behind (stale); the new rows get stamps of their own.
    const churn = () => {
      for (let i = 1; i < rows; i++) cache.set(`k:${i}`, -i);
      touchAll();
    };
    churn();
    assert.equal(stampOf('k:0'), before, 'not yet: ~4,500 waiting, under 6,000');
    churn();
    assert.ok(Number(stampOf('k:0')) > Number(before), 'past twice the rows, all are written, without any eviction');
    assert.equal(cache.stats().total.evictions, 0);
    cache.close();
  });

  it('filling far past the cap never stores more bytes than the cap', () => {
    const cap = 256 * 1024;
    const cache = open({ maxBytes: cap, maxEntryBytes: 32 * 1024 });
    let maxSeen = 0;
    for (let i = 0; i < 3000; i++) {
      const size = 100 + ((i * 7919) % 20_000);
      cache.set(`key:${i}`, { i, pad: 'p'.repeat(size) }, { tags: [`t:${i % 17}`, 'all'] });
      maxSeen = Math.max(maxSeen, cache.bytes);
      if (i % 97 === 0) cache.get(`key:${i >> 1}`);
    }
    const sql = sqlTotals(cache);
    assert.ok(maxSeen <= cap, `peak ${maxSeen} > cap ${cap}`);
    assert.equal(sql.bytes, cache.bytes, 'counters match the rows');
    assert.ok(sql.bytes <= cap);
    const s = cache.stats();
    assert.ok(s.total.evictions > 2000, `evictions ${s.total.evictions}`);
    assert.equal(s.total.entries, sql.entries);
    assert.equal(s.total.sets - s.total.evictions, s.total.entries);
    cache.close();
  });

  it('refuses and logs an entry over the per-entry maximum, and forgets the old value of that key', () => {
    const logger = capture();
    const cache = open({ maxEntryBytes: 1024, logger });
    cache.set('k', 'small');
    assert.equal(cache.set('k', 'y'.repeat(2000)), undefined);
    assert.equal(cache.get('k'), undefined, 'not the previous (now wrong) value');
    assert.equal(cache.stats().tables.queries.refused, 1);
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /per-entry limit/);
    assert.equal(cache.sessions.set('s', { userId: 1, payload: 'z'.repeat(5000) }), false);
    assert.equal(cache.stats().tables.sessions.refused, 1);
    cache.close();
  });

  it('single flight: concurrent misses for one key compute once', async () => {
    const cache = open();
    let calls = 0;
    const compute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { n: calls };
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.remember('k', { tags: ['t'] }, compute)));
    assert.equal(calls, 1);
    for (const r of results) assert.deepEqual(r, { n: 1 });
    assert.deepEqual(await cache.remember('k', {}, compute), { n: 1 }, 'now a hit');
    assert.equal(calls, 1);
    // Different keys do not share a flight.
    await Promise.all([cache.remember('x', {}, compute), cache.remember('y', {}, compute)]);
    assert.equal(calls, 3);
    assert.equal(cache.stats().inFlight, 0);
    cache.close();
  });

  it('a failed computation is not cached and does not block the next try', async () => {
    const cache = open();
    let fail = true;
    const compute = async () => {
      if (fail) throw new Error('boom');
      return 42;
    };
    const tries = await Promise.allSettled([cache.remember('k', {}, compute), cache.remember('k', {}, compute)]);
    assert.deepEqual(
      tries.map((t) => t.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.equal(await cache.remember('k', {}, compute), 42);
    cache.close();
  });

  it('a computation overtaken by an invalidation is returned but not stored', async () => {
    const cache = open();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const stale = cache.remember('k', { tags: ['track:1'] }, async () => {
      await gate;
      return 'old';
    });
    cache.invalidateTags(['track:1']);
    // A request after the invalidation must not join the stale flight.
    const fresh = cache.remember('k', { tags: ['track:1'] }, () => 'new');
    release();
    assert.equal(await stale, 'old');
    assert.equal(await fresh, 'new');
    assert.equal(cache.get('k'), 'new');
    cache.close();
  });

  it('tags may depend on the computed value', async () => {
    const cache = open();
    await cache.remember('track:5', { tags: (t: { albumId: number }) => [`album:${t.albumId}`] }, () => ({ albumId: 9 }));
    assert.equal(cache.invalidateTags(['album:9']), 1);
    cache.close();
  });

  it('stats: hits, misses and hit rate add up, per table and in total', () => {
    const cache = open();
    assert.equal(cache.stats().total.hitRate, null);
    cache.set('a', 1);
    cache.get('a');
    cache.get('a');
    cache.get('a');
    cache.get('nope');
    cache.set('q', [], { table: 'search' });
    cache.get('q', 'search');
    cache.get('other', 'search');
    cache.aggregations.get('plays', 'track:1');
    const s = cache.stats();
    assert.deepEqual([s.tables.queries.hits, s.tables.queries.misses, s.tables.queries.hitRate], [3, 1, 0.75]);
    assert.deepEqual([s.tables.search.hits, s.tables.search.misses, s.tables.search.hitRate], [1, 1, 0.5]);
    assert.deepEqual([s.tables.aggregations.hits, s.tables.aggregations.misses], [0, 1]);
    assert.equal(s.total.hits, 4);
    assert.equal(s.total.misses, 3);
    assert.equal(s.total.hitRate, 4 / 7);
    assert.equal(s.total.entries, 2);
    assert.equal(s.total.bytes, cache.bytes);
    assert.deepEqual(sqlTotals(cache), { entries: 2, bytes: cache.bytes });
    assert.deepEqual(Object.keys(s.tables), [...cacheTables]);
    cache.close();
  });

  it('aggregations are incrementable counters with their own TTL', () => {
    const clock = fakeClock();
    const cache = open({ clock: clock.now, ttls: { aggregations: 5 } });
    assert.equal(cache.aggregations.increment('plays', 'track:1'), 1);
    assert.equal(cache.aggregations.increment('plays', 'track:1', 4), 5);
    assert.equal(cache.aggregations.get('plays', 'track:1'), 5);
    cache.aggregations.set('revenue', 'USA', 523.06);
    assert.equal(cache.aggregations.get('revenue', 'USA'), 523.06);
    clock.advance(5000);
    assert.equal(cache.aggregations.get('plays', 'track:1'), undefined);
    assert.equal(cache.aggregations.increment('plays', 'track:1'), 1, 'an expired counter starts again');
    assert.equal(cache.stats().tables.aggregations.entries, 2);
    cache.close();
  });

  it('popular content keeps rankings in order and replaces them whole', () => {
    const cache = open();
    cache.popular.set('track', [
      { id: 10, score: 5 },
      { id: 7, score: 3 },
      { id: 2, score: 1 },
    ]);
    assert.deepEqual(cache.popular.get('track', 2), [
      { id: 10, score: 5 },
      { id: 7, score: 3 },
    ]);
    cache.popular.set('track', [{ id: 1, score: 9 }]);
    assert.deepEqual(cache.popular.get('track'), [{ id: 1, score: 9 }]);
    assert.equal(cache.popular.get('album'), undefined);
    assert.equal(cache.stats().tables.popular.entries, 1);
    cache.close();
  });

  it('sessions: hot copies with TTL, deletable per user', () => {
    const clock = fakeClock();
    const cache = open({ clock: clock.now, ttls: { sessions: 60 } });
    cache.sessions.set('s1', { userId: 1, payload: { cart: [1, 2] } });
    cache.sessions.set('s2', { userId: 1, payload: {} });
    cache.sessions.set('s3', { userId: 2, payload: {} });
    assert.deepEqual(cache.sessions.get('s1')?.payload, { cart: [1, 2] });
    assert.equal(cache.sessions.deleteForUser(1), 2);
    assert.equal(cache.sessions.get('s1'), undefined);
    clock.advance(60_000);
    assert.equal(cache.sessions.get('s3'), undefined);
    cache.close();
  });

  it('flush empties every table and keeps the counters right', () => {
    const cache = open();
    cache.set('a', 1, { tags: ['x'] });
    cache.set('q', [1], { table: 'search' });
    cache.aggregations.increment('m', 'd');
    cache.popular.set('track', [{ id: 1, score: 1 }]);
    cache.sessions.set('s', { userId: null, payload: 1 });
    assert.equal(cache.flush(), 5);
    assert.equal(cache.bytes, 0);
    assert.deepEqual(sqlTotals(cache), { entries: 0, bytes: 0 });
    assert.equal(cache.stats().tags, 0);
    cache.close();
  });

  it('property: any mix of operations keeps counters equal to the rows and bytes under the cap', () => {
    const cap = 20_000;
    const op = fc.oneof(
      fc.record({
        k: fc.constant('set' as const),
        key: fc.integer({ min: 0, max: 40 }),
        size: fc.integer({ min: 0, max: 5000 }),
        tag: fc.integer({ min: 0, max: 5 }),
      }),
      fc.record({ k: fc.constant('get' as const), key: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ k: fc.constant('inv' as const), tag: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ k: fc.constant('agg' as const), key: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ k: fc.constant('ses' as const), key: fc.integer({ min: 0, max: 40 }), size: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ k: fc.constant('pop' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 400_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const clock = fakeClock();
        const cache = open({ clock: clock.now, maxBytes: cap, maxEntryBytes: 6000 });
        try {
          for (const o of ops) {
            if (o.k === 'set') cache.set(`k${o.key}`, 'v'.repeat(o.size), { tags: [`t${o.tag}`] });
            else if (o.k === 'get') cache.get(`k${o.key}`);
            else if (o.k === 'inv') cache.invalidateTags([`t${o.tag}`]);
            else if (o.k === 'agg') cache.aggregations.increment('m', `d${o.key}`);
            else if (o.k === 'ses') cache.sessions.set(`s${o.key}`, { userId: o.key, payload: 's'.repeat(o.size) });
            else if (o.k === 'pop')
              cache.popular.set(
                'track',
                Array.from({ length: o.n }, (_, i) => ({ id: i, score: o.n - i })),
              );
            else {
              clock.advance(o.ms);
              cache.cleanup();
            }
            assert.ok(cache.bytes <= cap);
          }
          const sql = sqlTotals(cache);
          assert.equal(cache.bytes, sql.bytes);
          assert.equal(cache.stats().total.entries, sql.entries);
          const orphanTags = cache.db
            .prepare('SELECT count(*) AS n FROM cache_tags t WHERE NOT EXISTS (SELECT 1 FROM cache_queries q WHERE q.cache_key = t.cache_key)')
            .get() as { n: number };
          assert.equal(orphanTags.n, 0);
        } finally {
          cache.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
