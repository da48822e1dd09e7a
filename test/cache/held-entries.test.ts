// Entries whose body the process holds beside their row (src/cache/entries.ts): a hit skips the
// database read, but never answers what the database no longer holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CacheDb, type CacheOptions } from '../../src/cache/cache-db.ts';
import { HELD_MAX_CHARS } from '../../src/cache/entries.ts';

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const quiet = { warn() {}, error() {} };
const open = (options: CacheOptions = {}) => new CacheDb({ cleanupIntervalMs: 0, logger: quiet, ...options });
const storedBody = (cache: CacheDb, key: string) =>
  (cache.db.prepare('SELECT result_data AS body FROM cache_queries WHERE cache_key = ?').get(key) as { body: string } | undefined)?.body;

describe('held entries', () => {
  it('hold a small body in the process, not in the row, and answer hits from it, counted as hits', () => {
    const cache = open();
    cache.set('track:1', { id: 1, name: 'Enter Sandman' });
    assert.equal(storedBody(cache, 'track:1'), '', 'the row keeps no copy');
    assert.equal(cache.getEntry('track:1')?.json, '{"id":1,"name":"Enter Sandman"}');
    assert.equal(cache.getEntry('track:1')?.json, '{"id":1,"name":"Enter Sandman"}');
    assert.equal(cache.stats().tables.queries.hits, 2);
    assert.deepEqual(cache.stats().held, { entries: 1, chars: 31 });
    cache.close();
  });

  it('are dropped with their row: replaced, deleted, invalidated by tag, evicted, expired, flushed', () => {
    const clock = fakeClock();
    const cache = open({ clock: clock.now, maxBytes: 64 * 1024 });
    const read = (key: string, table: 'queries' | 'search' = 'queries') => cache.getEntry(key, table)?.json;

    cache.set('a', 1);
    read('a');
    cache.set('a', 2);
    assert.equal(read('a'), '2', 'replaced');

    cache.delete('a');
    assert.equal(read('a'), undefined, 'deleted');

    cache.set('b', 'x', { tags: ['album:7'] });
    cache.set('s', 'y', { tags: ['album:7'], table: 'search' });
    read('b');
    read('s', 'search');
    assert.equal(cache.invalidateTags(['album:7']), 2);
    assert.equal(read('b'), undefined, 'invalidated');
    assert.equal(read('s', 'search'), undefined, 'invalidated (search table)');

    cache.set('c', 'z', { ttlSeconds: 10 });
    read('c');
    clock.advance(11_000);
    assert.equal(read('c'), undefined, 'expired, before any sweep');
    cache.set('d', 'w', { ttlSeconds: 10 });
    read('d');
    clock.advance(11_000);
    cache.cleanup();
    assert.equal(cache.stats().held.entries, 0, 'the sweep dropped both held bodies');

    cache.set('e', 'v');
    read('e');
    cache.flush();
    assert.equal(read('e'), undefined, 'flushed');
    assert.equal(cache.stats().held.entries, 0);

    // Eviction: fill past the byte cap; every key that left the table must miss.
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 80; i++) {
      cache.set(`k${i}`, big);
      read(`k${i}`);
    }
    const inTable = new Set((cache.db.prepare('SELECT cache_key AS k FROM cache_queries').all() as { k: string }[]).map((r) => r.k));
    assert.ok(inTable.size < 80, 'some keys were evicted');
    for (let i = 0; i < 80; i++) assert.equal(read(`k${i}`) !== undefined, inTable.has(`k${i}`), `k${i}`);
    cache.close();
  });

  it('are all dropped when a change of the cache database fails, so reads cannot answer what it should have removed', () => {
    const cache = open();
    cache.set('a', 1, { tags: ['album:7'] });
    assert.equal(cache.getEntry('a')?.json, '1');
    cache.db.close(); // every cache statement now throws
    assert.throws(() => cache.invalidateTags(['album:7']));
    assert.throws(() => cache.getEntry('a'), 'the read went to the (broken) database: nothing held answered it');
  });

  it('hold only small entries: a larger body stays in its row and is read from it', () => {
    const cache = open();
    cache.set('large', 'x'.repeat(HELD_MAX_CHARS));
    assert.equal(storedBody(cache, 'large'), JSON.stringify('x'.repeat(HELD_MAX_CHARS)), 'over HELD_MAX_CHARS (with its quotes): in the row');
    assert.equal(cache.getEntry('large')?.json, JSON.stringify('x'.repeat(HELD_MAX_CHARS)));
    cache.set('small', 'x'.repeat(HELD_MAX_CHARS - 2));
    assert.equal(storedBody(cache, 'small'), '', 'exactly HELD_MAX_CHARS: held');
    assert.equal(cache.stats().held.entries, 1);
    cache.close();
  });

  it('answer exactly what a cache holding none answers, for any sequence of operations', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const table = fc.constantFrom('queries' as const, 'search' as const);
    const tag = fc.constantFrom('t1', 't2', 't3');
    const op = fc.oneof(
      fc.record({
        k: fc.constant('set'),
        key,
        table,
        tags: fc.uniqueArray(tag, { maxLength: 2 }),
        size: fc.integer({ min: 500, max: HELD_MAX_CHARS + 1000 }),
        ttl: fc.integer({ min: 1, max: 60 }),
      }),
      fc.record({ k: fc.constant('get'), key, table }),
      fc.record({ k: fc.constant('get'), key, table }),
      fc.record({ k: fc.constant('get'), key, table }),
      fc.record({ k: fc.constant('delete'), key, table }),
      fc.record({ k: fc.constant('invalidate'), tags: fc.uniqueArray(tag, { minLength: 1, maxLength: 2 }) }),
      fc.record({ k: fc.constant('advance'), ms: fc.integer({ min: 0, max: 5_000 }) }),
      fc.record({ k: fc.constant('sweep') }),
      fc.record({ k: fc.constant('flush') }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 80, size: 'max' }), (ops) => {
        const clock = fakeClock();
        // A byte cap small enough that sets evict, and held bodies that could outlive their rows.
        const withHeld = open({ clock: clock.now, maxBytes: 6 * 1024 });
        const without = open({ clock: clock.now, maxBytes: 6 * 1024, heldMaxChars: 0 });
        let n = 0;
        try {
          for (const o of ops) {
            if (o.k === 'set') {
              const value = `${o.key}${++n}`.padEnd(o.size, '.');
              for (const c of [withHeld, without]) c.set(o.key, value, { table: o.table, tags: o.tags, ttlSeconds: o.ttl });
            } else if (o.k === 'get') {
              assert.deepEqual(withHeld.getEntry(o.key, o.table), without.getEntry(o.key, o.table));
            } else if (o.k === 'delete') {
              assert.equal(withHeld.delete(o.key, o.table), without.delete(o.key, o.table));
            } else if (o.k === 'invalidate') {
              assert.equal(withHeld.invalidateTags(o.tags), without.invalidateTags(o.tags));
            } else if (o.k === 'advance') clock.advance(o.ms);
            else if (o.k === 'sweep') assert.deepEqual(withHeld.cleanup(), without.cleanup());
            else assert.equal(withHeld.flush(), without.flush());
          }
          const a = withHeld.stats().tables;
          const b = without.stats().tables;
          assert.deepEqual(a, b, 'the same counters (hits, misses, evictions …)');
          // What is held is exactly the rows with an empty body, and the stats count their characters.
          withHeld.cleanup();
          const rows = withHeld.db
            .prepare(
              "SELECT cache_key AS key, 'queries' AS tbl FROM cache_queries WHERE result_data = '' UNION ALL SELECT search_hash, 'search' FROM cache_search_results WHERE result_data = ''",
            )
            .all() as { key: string; tbl: 'queries' | 'search' }[];
          const chars = rows.reduce((n, r) => n + (withHeld.getEntry(r.key, r.tbl)?.json.length ?? Number.NaN), 0);
          assert.deepEqual(withHeld.stats().held, { entries: rows.length, chars });
        } finally {
          withHeld.close();
          without.close();
        }
      }),
      { numRuns: 300, seed: 17 },
    );
  });
});
