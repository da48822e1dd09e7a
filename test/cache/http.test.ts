import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSource, startServer, type TestServer } from '../helpers.ts';

const token = 'test-admin-token';
const auth = { authorization: `Bearer ${token}` };

async function send(s: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(s.url + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

// Twice: as `npm start` serves (small entries' bodies held by the process, src/cache/entries.ts),
// and with every body in its row, which must answer the same to everything below.
for (const held of [true, false])
  describe(held ? 'cache over HTTP' : 'cache over HTTP, every body in its row', () => {
    let s: TestServer;
    before(async () => {
      s = await startServer({ adminToken: token, ...(held ? {} : { cacheHeldMaxChars: 0 }) });
    });
    after(async () => {
      await s.close();
    });

    it('cacheable replies carry ETag and Cache-Control; If-None-Match gets an empty 304', async () => {
      const first = await s.get('/api/tracks/3');
      assert.equal(first.status, 200);
      const etag = first.headers.get('etag');
      assert.match(etag ?? '', /^"[\w-]{20,}"$/);
      assert.equal(first.headers.get('cache-control'), 'public, no-cache');
      assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
      const again = await s.get('/api/tracks/3');
      assert.equal(again.headers.get('etag'), etag, 'a hit answers with the same ETag');
      assert.deepEqual(again.body, first.body);
      const notModified = await fetch(`${s.url}/api/tracks/3`, { headers: { 'if-none-match': `W/"nope", ${etag}` } });
      assert.equal(notModified.status, 304);
      assert.equal(await notModified.text(), '');
      const changed = await s.get('/api/tracks/3', { headers: { 'if-none-match': '"something-else"' } });
      assert.equal(changed.status, 200);
    });

    it('the cached answer is the same as the primary database says', async () => {
      const src = openSource();
      const row = src.prepare('SELECT Name AS name, Composer AS composer FROM Track WHERE TrackId = 1000').get() as { name: string; composer: string | null };
      src.close();
      for (let i = 0; i < 2; i++) {
        const r = await s.get('/api/tracks/1000');
        assert.equal(r.body.name, row.name);
        assert.equal(r.body.composer, row.composer);
      }
      const stats = s.ctx.cache.cache!.stats();
      assert.ok(stats.tables.queries.hits >= 1);
    });

    it('errors are not cached and keep their JSON shape', async () => {
      const before = s.ctx.cache.cache!.stats().total.entries;
      const r = await s.get('/api/tracks/987654');
      assert.equal(r.status, 404);
      assert.equal(r.body.error, 'not_found');
      assert.equal(s.ctx.cache.cache!.stats().total.entries, before);
      assert.equal((await s.get('/api/tracks?minPrice=2&maxPrice=1')).status, 400);
    });

    it('a catalog update is visible on the very next read, everywhere it shows', async () => {
      const track = (await s.get('/api/tracks/5')).body;
      const albumId = track.albumId as number;
      await s.get(`/api/albums/${albumId}`);
      await s.get(`/api/artists/${track.artistId}`);
      await s.get('/api/tracks?limit=10');
      const topBefore = await s.get('/api/reports/top-tracks?limit=100');
      const etagBefore = (await s.get('/api/tracks/5')).headers.get('etag');

      const patched = await send(s, 'PATCH', '/api/admin/tracks/5', { name: 'Renamed Five', unitPrice: 1.49 });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.name, 'Renamed Five');

      const after = await s.get('/api/tracks/5');
      assert.equal(after.body.name, 'Renamed Five');
      assert.equal(after.body.unitPrice, 1.49);
      assert.notEqual(after.headers.get('etag'), etagBefore);
      const stale = await s.get('/api/tracks/5', { headers: { 'if-none-match': etagBefore! } });
      assert.equal(stale.status, 200, 'the old ETag no longer matches');
      const album = (await s.get(`/api/albums/${albumId}`)).body;
      assert.equal(album.tracks.find((t: { id: number }) => t.id === 5).name, 'Renamed Five');
      const list = (await s.get('/api/tracks?limit=10')).body;
      assert.equal(list.items.find((t: { id: number }) => t.id === 5).name, 'Renamed Five');
      const inTop = topBefore.body.items.find((t: { id: number }) => t.id === 5);
      if (inTop) assert.equal((await s.get('/api/reports/top-tracks?limit=100')).body.items.find((t: { id: number }) => t.id === 5).name, 'Renamed Five');
    });

    it('a price edit drops only what shows that track, not its album-mates or the genre list', async () => {
      const cache = s.ctx.cache.cache!;
      // Tracks 31 and 32 share album 4 (and its artist and genre).
      const mate = (await s.get('/api/tracks/32')).body;
      assert.equal((await s.get('/api/tracks/31')).body.albumId, mate.albumId);
      await s.get('/api/genres');
      await s.get(`/api/albums/${mate.albumId}`);
      const patched = await send(s, 'PATCH', '/api/admin/tracks/31', { unitPrice: 1.99 });
      assert.equal(patched.status, 200);
      assert.ok(cache.getEntry('track:32'), 'the album-mate stays cached');
      assert.ok(cache.getEntry('genres'), 'genre counts did not change');
      assert.equal(cache.getEntry('track:31'), undefined);
      assert.equal(cache.getEntry(`album:${mate.albumId}`), undefined, 'the album page lists track 31');
      assert.equal((await s.get(`/api/albums/${mate.albumId}`)).body.tracks.find((t: { id: number }) => t.id === 31).unitPrice, 1.99);
    });

    it('moving a track to another genre updates both genre counts', async () => {
      const genres = (await s.get('/api/genres')).body.items as { id: number; trackCount: number }[];
      const track = (await s.get('/api/tracks/7')).body;
      const from = genres.find((g) => g.id === track.genreId)!;
      const to = genres.find((g) => g.id !== track.genreId)!;
      assert.equal((await send(s, 'PATCH', '/api/admin/tracks/7', { genreId: to.id })).status, 200);
      const now = (await s.get('/api/genres')).body.items as { id: number; trackCount: number }[];
      assert.equal(now.find((g) => g.id === from.id)!.trackCount, from.trackCount - 1);
      assert.equal(now.find((g) => g.id === to.id)!.trackCount, to.trackCount + 1);
      const filtered = (await s.get(`/api/tracks?genreId=${to.id}&limit=100&sort=id`)).body.items as { id: number }[];
      assert.ok(filtered.some((t) => t.id === 7));
    });

    it('renaming an artist or an album reaches cached track pages', async () => {
      const t = (await s.get('/api/tracks/20')).body;
      assert.equal((await send(s, 'PATCH', `/api/admin/artists/${t.artistId}`, { name: 'Renamed Artist' })).status, 200);
      assert.equal((await s.get('/api/tracks/20')).body.artist, 'Renamed Artist');
      assert.equal((await send(s, 'PATCH', `/api/admin/albums/${t.albumId}`, { title: 'Renamed Album' })).status, 200);
      assert.equal((await s.get('/api/tracks/20')).body.album, 'Renamed Album');
      assert.equal((await s.get(`/api/artists/${t.artistId}`)).body.albums.find((a: { id: number }) => a.id === t.albumId).title, 'Renamed Album');
    });

    it('bad edits are 4xx, never 500, and change nothing', async () => {
      const before = (await s.get('/api/tracks/9')).body;
      assert.equal((await send(s, 'PATCH', '/api/admin/tracks/9', {})).status, 400);
      assert.equal((await send(s, 'PATCH', '/api/admin/tracks/9', { unitPrice: -1 })).status, 400);
      assert.equal((await send(s, 'PATCH', '/api/admin/tracks/9', { bogus: 1 })).status, 400);
      const badGenre = await send(s, 'PATCH', '/api/admin/tracks/9', { genreId: 99999 });
      assert.equal(badGenre.status, 400);
      assert.equal(badGenre.body.error, 'bad_reference');
      assert.equal((await send(s, 'PATCH', '/api/admin/tracks/999999', { name: 'x' })).status, 404);
      assert.equal((await send(s, 'PATCH', '/api/admin/tracks/9', { name: '   ' })).status, 400);
      assert.deepEqual((await s.get('/api/tracks/9')).body, before);
    });

    it('admin routes need the token', async () => {
      const none = await send(s, 'GET', '/api/admin/cache/stats', undefined, {});
      assert.equal(none.status, 401);
      assert.equal(none.body.error, 'unauthorized');
      assert.equal((await send(s, 'GET', '/api/admin/cache/stats', undefined, { authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await send(s, 'PATCH', '/api/admin/tracks/1', { name: 'x' }, {})).status, 401);
    });

    it('stats and flush (by tag or whole)', async () => {
      await s.get('/api/tracks/11');
      await s.get('/api/tracks/12');
      await s.get('/api/genres');
      const stats = await send(s, 'GET', '/api/admin/cache/stats');
      assert.equal(stats.status, 200);
      assert.equal(stats.body.pid, process.pid);
      assert.ok(stats.body.total.entries >= 3);
      assert.equal(stats.body.total.bytes, s.ctx.cache.cache!.bytes);
      assert.ok(stats.body.rssBytes > 0);
      const byTag = await send(s, 'POST', '/api/admin/cache/flush', { tags: ['track:11'] });
      assert.deepEqual(byTag.body, { removed: 1, workers: 1 });
      assert.equal(s.ctx.cache.cache!.getEntry('track:12')?.json !== undefined, true);
      assert.equal((await send(s, 'POST', '/api/admin/cache/flush', { tags: [] })).status, 400);
      const all = await send(s, 'POST', '/api/admin/cache/flush');
      assert.equal(all.status, 200);
      assert.ok(all.body.removed >= 2);
      assert.equal(s.ctx.cache.cache!.stats().total.entries, 0);
    });

    it('preload warms the genre list, best sellers and the popularity ranking', async () => {
      const cache = s.ctx.cache.cache!;
      cache.flush();
      const warm = await s.ctx.preload(20);
      assert.ok(warm.entries >= 23, `entries ${warm.entries}`);
      const ranking = cache.popular.get('track', 5)!;
      assert.deepEqual(ranking, s.ctx.store.popularity.topTracks(5), 'the one popularity ranking (track_popularity)');
      const top = (await s.get('/api/reports/top-tracks?limit=5')).body.items as { id: number; unitsSold: number }[];
      const hits = cache.stats().tables.queries.hits;
      await s.get('/api/genres');
      await s.get(`/api/tracks/${top[0]!.id}`);
      assert.equal(cache.stats().tables.queries.hits, hits + 2, 'both answered from the preloaded cache');
      assert.equal(cache.stats().held.entries > 0, held);
    });
  });

describe('admin without a token', () => {
  it('answers 403 and says how to enable it', async () => {
    const s = await startServer();
    try {
      const r = await send(s, 'GET', '/api/admin/cache/stats', undefined, auth);
      assert.equal(r.status, 403);
      assert.match(r.body.message, /CHINOOK_ADMIN_TOKEN/);
    } finally {
      await s.close();
    }
  });
});

describe('a broken cache', () => {
  it('never fails a request: reads fall through to the primary and it is logged', async () => {
    const s = await startServer({ adminToken: token });
    const errors: string[] = [];
    s.ctx.cache.setLogger({ warn: () => {}, error: (_o, m) => errors.push(m) });
    try {
      await s.get('/api/tracks/1');
      s.ctx.cache.cache!.db.close(); // every cache statement now throws
      for (const path of ['/api/tracks/1', '/api/tracks/2', '/api/albums/1', '/api/genres', '/api/reports/top-artists']) {
        const r = await s.get(path);
        assert.equal(r.status, 200, path);
        assert.ok(r.headers.get('etag'), path);
      }
      assert.equal((await s.get('/api/tracks/1')).body.id, 1);
      assert.ok(errors.length >= 5, `logged ${errors.length}`);
      // Writes still work and still reply (the invalidation failure is contained too).
      const w = await send(s, 'PATCH', '/api/admin/tracks/1', { name: 'Still works' });
      assert.equal(w.status, 200);
      assert.equal((await s.get('/api/tracks/1')).body.name, 'Still works');
    } finally {
      await s.close();
    }
  });

  it('CHINOOK_CACHE=off serves every read from the primary, still with ETags', async () => {
    const s = await startServer({ cache: false, adminToken: token });
    try {
      assert.equal(s.ctx.cache.cache, null);
      const r = await s.get('/api/tracks/1');
      assert.equal(r.status, 200);
      const etag = r.headers.get('etag')!;
      assert.equal((await fetch(`${s.url}/api/tracks/1`, { headers: { 'if-none-match': etag } })).status, 304);
      assert.equal((await send(s, 'GET', '/api/admin/cache/stats')).status, 409);
    } finally {
      await s.close();
    }
  });
});
