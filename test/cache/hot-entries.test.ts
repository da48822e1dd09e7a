// The hot copies in front of the cache database (src/cache/entries.ts): a hit may skip the
// database read, but never answers what the database no longer holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CacheDb, type CacheOptions } from '../../src/cache/cache-db.ts';
import { HOT_MAX_ENTRY_CHARS } from '../../src/cache/entries.ts';

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const quiet = { warn() {}, error() {} };
const open = (options: CacheOptions = {}) => new CacheDb({ cleanupIntervalMs: 0, logger: quiet, hotBytes: 1 << 20, ...options });

describe('hot entries', () => {
  it("serve a repeated read without the database (a row changed behind the cache's back is not read again), counted as a hit", () => {
    const cache = open();
    cache.set('track:1', { id: 1, name: 'Enter Sandman' });
    assert.equal(cache.getEntry('track:1')?.json, '{"id":1,"name":"Enter Sandman"}'); // read from the table, kept hot
    cache.db.prepare('UPDATE cache_queries SET result_data = ? WHERE cache_key = ?').run('{"changed":true}', 'track:1');
    assert.equal(cache.getEntry('track:1')?.json, '{"id":1,"name":"Enter Sandman"}', 'the second read came from the hot copy');
    assert.equal(cache.stats().tables.queries.hits, 2);
    assert.equal(cache.stats().hot.entries, 1);
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
    assert.equal(cache.stats().hot.entries, 0, 'the sweep dropped both hot copies');

    cache.set('e', 'v');
    read('e');
    cache.flush();
    assert.equal(read('e'), undefined, 'flushed');
    assert.equal(cache.stats().hot.entries, 0);

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

  it('keep only small entries, within their byte bound', () => {
    const cache = open({ hotBytes: 64 * 1024 });
    cache.set('large', 'x'.repeat(HOT_MAX_ENTRY_CHARS));
    cache.getEntry('large');
    assert.equal(cache.stats().hot.entries, 0, 'over HOT_MAX_ENTRY_CHARS: read from the table every time');
    for (let i = 0; i < 200; i++) {
      cache.set(`t${i}`, 'y'.repeat(1000));
      cache.getEntry(`t${i}`);
    }
    const { hot } = cache.stats();
    assert.ok(hot.bytes <= 64 * 1024 && hot.entries > 0 && hot.entries < 200, JSON.stringify(hot));
    cache.close();
  });

  it('answer exactly what a cache without them answers, for any sequence of operations', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const table = fc.constantFrom('queries' as const, 'search' as const);
    const tag = fc.constantFrom('t1', 't2', 't3');
    const op = fc.oneof(
      fc.record({
        k: fc.constant('set'),
        key,
        table,
        tags: fc.uniqueArray(tag, { maxLength: 2 }),
        size: fc.integer({ min: 500, max: 3000 }),
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
        // A byte cap small enough that sets evict, and hot copies that could outlive their rows.
        const withHot = open({ clock: clock.now, maxBytes: 6 * 1024, hotBytes: 64 * 1024 });
        const without = open({ clock: clock.now, maxBytes: 6 * 1024, hotBytes: 0 });
        let n = 0;
        try {
          for (const o of ops) {
            if (o.k === 'set') {
              const value = `${o.key}${++n}`.padEnd(o.size, '.');
              for (const c of [withHot, without]) c.set(o.key, value, { table: o.table, tags: o.tags, ttlSeconds: o.ttl });
            } else if (o.k === 'get') {
              assert.deepEqual(withHot.getEntry(o.key, o.table), without.getEntry(o.key, o.table));
            } else if (o.k === 'delete') {
              assert.equal(withHot.delete(o.key, o.table), without.delete(o.key, o.table));
            } else if (o.k === 'invalidate') {
              assert.equal(withHot.invalidateTags(o.tags), without.invalidateTags(o.tags));
            } else if (o.k === 'advance') clock.advance(o.ms);
            else if (o.k === 'sweep') assert.deepEqual(withHot.cleanup(), without.cleanup());
            else assert.equal(withHot.flush(), without.flush());
          }
          const a = withHot.stats().tables;
          const b = without.stats().tables;
          assert.deepEqual(a, b, 'the same counters (hits, misses, evictions …)');
        } finally {
          withHot.close();
          without.close();
        }
      }),
      { numRuns: 300, seed: 17 },
    );
  });
});
