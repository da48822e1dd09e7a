import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etagOf } from '../../src/cache/cache-db.ts';
import { CacheDb, keyOf, remember, rememberEntry } from '../../src/cache/index.ts';

const quiet = { warn: () => {}, error: () => {} };

describe('remember (the one cache-aside pattern)', () => {
  it('with a cache: computes once, then serves the stored value; tags drop it', async () => {
    const cache = new CacheDb({ cleanupIntervalMs: 0, logger: quiet });
    let computed = 0;
    const read = () => remember(cache, 'k', { tags: (v: { id: number }) => [`track:${v.id}`] }, () => ({ id: 7, n: ++computed }));
    assert.deepEqual(await read(), { id: 7, n: 1 });
    assert.deepEqual(await read(), { id: 7, n: 1 });
    assert.equal(cache.invalidateTags(['track:7']), 1);
    assert.deepEqual(await read(), { id: 7, n: 2 });
    cache.close();
  });

  it('with the cache switched off (null): computes every time, and a failure rejects', async () => {
    let computed = 0;
    assert.equal(await remember(null, 'k', {}, () => ++computed), 1);
    assert.equal(await remember(null, 'k', {}, () => ++computed), 2);
    await assert.rejects(
      remember(null, 'k', {}, () => {
        throw new Error('boom');
      }),
      /boom/,
    );
  });

  it('rememberEntry hands back the JSON and its ETag, the same with or without a cache', async () => {
    const cache = new CacheDb({ cleanupIntervalMs: 0, logger: quiet });
    const value = { items: [1, 2, 3] };
    const off = await rememberEntry(null, 'k', {}, () => value);
    const on = await rememberEntry(cache, 'k', {}, () => value);
    const hit = await rememberEntry(cache, 'k', {}, () => ({ items: [] }));
    assert.equal(off.json, JSON.stringify(value));
    assert.equal(off.etag, etagOf(off.json));
    assert.deepEqual(on, off);
    assert.deepEqual(hit, off, 'served from the cache, not recomputed');
    // A hit is the entry itself, for a reply in the same turn (replyWithEntry); a miss, a promise.
    assert.ok(!(rememberEntry(cache, 'k', {}, () => value) instanceof Promise));
    const miss = rememberEntry(cache, 'other', {}, () => value);
    assert.ok(miss instanceof Promise);
    await miss;
    cache.close();
  });

  it('keyOf: parameters in any order give one key; undefined ones are left out', () => {
    assert.equal(keyOf('tracks', { limit: 20, genreId: 1, sort: undefined }), 'tracks?genreId=1&limit=20');
    assert.equal(keyOf('tracks', { genreId: 1, limit: 20 }), 'tracks?genreId=1&limit=20');
    assert.equal(keyOf('genres'), 'genres');
    assert.equal(keyOf('q', { q: 'a&b' }), 'q?q=a%26b');
  });
});
