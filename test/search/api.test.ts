// The search endpoints over a real server and the imported Chinook catalog.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reciprocalRankFusion } from '../../src/search/index.ts';
import { buildVectors } from '../../src/vectors/build.ts';
import { openSource, startServer, type TestServer } from '../helpers.ts';

describe('search API', () => {
  let server: TestServer;
  const auth = { headers: { authorization: 'Bearer s3cret' } };
  before(async () => {
    server = await startServer({ adminToken: 's3cret' });
  });
  after(() => server.close());

  it('answers with hits, highlights, facets and timing', async () => {
    const r = await server.get('/api/search?q=iron%20maiden&limit=5');
    assert.equal(r.status, 200);
    const src = openSource();
    const expectedTotal = src
      .prepare(
        `SELECT count(*) FROM Track t JOIN Album al USING (AlbumId) JOIN Artist ar ON ar.ArtistId = al.ArtistId
         WHERE (t.Name LIKE '%iron%' OR al.Title LIKE '%iron%' OR ar.Name LIKE '%iron%' OR t.Composer LIKE '%iron%')
           AND (t.Name LIKE '%maiden%' OR al.Title LIKE '%maiden%' OR ar.Name LIKE '%maiden%' OR t.Composer LIKE '%maiden%')`,
      )
      .pluck()
      .get() as number;
    src.close();
    assert.equal(r.body.total, expectedTotal);
    assert.equal(r.body.hits.length, 5);
    const hit = r.body.hits[0];
    assert.equal(hit.artist, 'Iron Maiden');
    assert.equal(hit.highlight.artist, '<mark>Iron</mark> <mark>Maiden</mark>');
    assert.equal(typeof r.body.tookMs, 'number');
    assert.equal(r.body.mode, 'keyword');
    const genreSum = r.body.facets.genre.reduce((s: number, g: { count: number }) => s + g.count, 0);
    assert.equal(genreSum, r.body.total);
    assert.ok(r.body.facets.artist.length <= 10);
    assert.equal(r.body.facets.artist[0].name, 'Iron Maiden');
    assert.ok(r.body.facets.mediaType.length > 0);
  });

  it("a repeated search is a cache hit sent as stored JSON: the reply schema's fields, this request's timing", async () => {
    const path = '/api/search?q=sandman&limit=3';
    const first = await server.get(path);
    const again = await server.get(path);
    assert.equal(first.body.cached, false);
    assert.equal(again.body.cached, true);
    assert.equal(typeof again.body.tookMs, 'number');
    assert.ok(again.body.tookMs < 1000);
    assert.match(String(again.headers.get('content-type')), /^application\/json/);
    const { cached: _c, tookMs: _t, ...rest } = again.body;
    const { cached: _c2, tookMs: _t2, ...restFirst } = first.body;
    assert.deepEqual(rest, restFirst, 'the same answer');
    assert.deepEqual(Object.keys(again.body).sort(), ['cached', 'droppedWords', 'facets', 'hits', 'mode', 'nextCursor', 'tookMs', 'total']);
    for (const hit of again.body.hits)
      assert.deepEqual(Object.keys(hit).sort(), [
        'album',
        'albumId',
        'artist',
        'artistId',
        'composer',
        'genre',
        'genreId',
        'highlight',
        'id',
        'mediaTypeId',
        'milliseconds',
        'name',
        'score',
        'unitPrice',
      ]);
  });

  it('filters, sorts and pages consistently', async () => {
    const all = await server.get('/api/search?q=love&limit=100&facets=false');
    const jazz = await server.get('/api/search?q=love&genreId=2&limit=100');
    assert.equal(jazz.status, 200);
    assert.ok(jazz.body.total > 0 && jazz.body.total < all.body.total);
    assert.ok(jazz.body.hits.every((h: { genreId: number }) => h.genreId === 2));
    assert.deepEqual(
      jazz.body.facets.genre.map((g: { id: number }) => g.id),
      [2],
    );
    const cheap = await server.get('/api/search?q=love&sort=-price&maxPrice=0.99&limit=100');
    assert.ok(cheap.body.hits.every((h: { unitPrice: number }) => h.unitPrice <= 0.99));
    const byDuration = await server.get('/api/search?q=love&sort=duration&limit=50');
    const ms = byDuration.body.hits.map((h: { milliseconds: number }) => h.milliseconds);
    assert.deepEqual(
      ms,
      [...ms].sort((a, b) => a - b),
    );
    const page1 = await server.get('/api/search?q=love&limit=10&offset=0&facets=false');
    const page2 = await server.get('/api/search?q=love&limit=10&offset=10&facets=false');
    const first20 = await server.get('/api/search?q=love&limit=20&facets=false');
    assert.deepEqual(
      [...page1.body.hits, ...page2.body.hits].map((h: { id: number }) => h.id),
      first20.body.hits.map((h: { id: number }) => h.id),
    );
  });

  it('escapes catalog text in highlights', async () => {
    server.ctx.db.prepare('UPDATE chinook_tracks SET name = \'<script>alert(1)</script> & Zorblax "x"\' WHERE id = 5').run();
    const r = await server.get('/api/search?q=zorblax');
    assert.equal(r.status, 200);
    assert.equal(r.body.hits[0].id, 5);
    assert.equal(r.body.hits[0].highlight.name, '&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>Zorblax</mark> &quot;x&quot;');
  });

  it('says which words it corrected or dropped, and pages with an opaque cursor', async () => {
    const typo = await server.get('/api/search?q=metalica&facets=false');
    assert.equal(typo.body.correctedQuery, 'Metallica');
    assert.deepEqual(typo.body.droppedWords, []);
    const extra = await server.get('/api/search?q=enter%20sandman%20zqxwv&facets=false');
    assert.deepEqual(extra.body.droppedWords, ['zqxwv']);
    assert.equal(extra.body.correctedQuery, 'enter sandman');
    assert.equal(extra.body.hits[0].name, 'Enter Sandman');
    const first = await server.get('/api/search?q=love&limit=5&facets=false');
    const second = await server.get(`/api/search?q=love&limit=5&facets=false&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    const both = await server.get('/api/search?q=love&limit=10&facets=false');
    assert.deepEqual(
      [...first.body.hits, ...second.body.hits].map((h: { id: number }) => h.id),
      both.body.hits.map((h: { id: number }) => h.id),
    );
    assert.ok(typo.body.total > 100);
    const fine = await server.get('/api/search?q=metallica&facets=false');
    assert.equal(fine.body.correctedQuery, undefined);
    assert.equal(fine.body.total, typo.body.total);
    const hopeless = await server.get('/api/search?q=qqqqqqqqqqqq');
    assert.equal(hopeless.status, 200);
    assert.equal(hopeless.body.total, 0);
    assert.equal(hopeless.body.correctedQuery, undefined);
  });

  it('refuses bad input with a 400 that says why', async () => {
    for (const [q, code] of [
      ['*', 'invalid_query'],
      ['-metal', 'invalid_query'],
      ['x'.repeat(10_000), 'validation_failed'],
    ] as const) {
      const r = await server.get(`/api/search?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 400, q.slice(0, 20));
      assert.equal(r.body.error, code);
      assert.ok(r.body.message.length > 0);
    }
    assert.equal((await server.get('/api/search')).status, 400);
    assert.equal((await server.get('/api/search?q=a&limit=0')).status, 400);
    assert.equal((await server.get('/api/search?q=a&minPrice=2&maxPrice=1')).status, 400);
    const badCursor = await server.get('/api/search?q=love&cursor=zzzz');
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.error, 'invalid_cursor');
    const { nextCursor } = (await server.get('/api/search?q=love&limit=5')).body;
    assert.equal((await server.get(`/api/search?q=rock&limit=5&cursor=${nextCursor}`)).body.error, 'invalid_cursor');
    assert.equal((await server.get(`/api/search?q=love&limit=5&offset=5&cursor=${nextCursor}`)).status, 400);
    // No vectors built in this database yet: hybrid says how to get them.
    const hybrid = await server.get('/api/search?q=love&mode=hybrid');
    assert.equal(hybrid.status, 409);
    assert.equal(hybrid.body.error, 'hybrid_unavailable');
    assert.match(hybrid.body.message, /vectors build/);
  });

  it('fuses keyword and text-space results in hybrid mode once vectors exist', async () => {
    buildVectors(server.ctx.db);
    const exact = await server.get('/api/search?q=enter%20sandman&mode=hybrid&limit=5');
    assert.equal(exact.status, 200);
    assert.equal(exact.body.mode, 'hybrid');
    assert.equal(exact.body.hits[0].name, 'Enter Sandman');
    // Misspelled beyond BM25's reach: the keyword side finds nothing, trigrams still do.
    const keyword = await server.get('/api/search?q=sandmann%20entr&limit=5');
    const fuzzy = await server.get('/api/search?q=sandmann%20entr&mode=hybrid&limit=5');
    assert.equal(fuzzy.status, 200);
    assert.ok(fuzzy.body.total > keyword.body.total, `hybrid ${fuzzy.body.total} vs keyword ${keyword.body.total}`);
    assert.ok(
      fuzzy.body.hits.some((h: { name: string }) => /sandman/i.test(h.name)),
      JSON.stringify(fuzzy.body.hits.map((h: { name: string }) => h.name)),
    );
  });

  it('suggests tracks, albums and artists from a prefix, one letter included', async () => {
    const m = await server.get('/api/search/suggest?q=m&limit=5');
    assert.equal(m.status, 200);
    assert.equal(m.body.suggestions.length, 5);
    assert.ok(m.body.suggestions.every((s: { text: string }) => /(^|[^\p{L}\p{N}])m/iu.test(s.text)));
    const metal = await server.get('/api/search/suggest?q=metalli');
    const metallicaId = server.ctx.db.prepare("SELECT id FROM chinook_artists WHERE name = 'Metallica'").pluck().get();
    assert.deepEqual(metal.body.suggestions[0], { text: 'Metallica', type: 'artist', id: metallicaId });
    // Unstemmed: a partial word porter would have cut ("runni" → stem "run") still matches.
    const runni = await server.get('/api/search/suggest?q=runni');
    assert.ok(runni.body.suggestions.some((s: { text: string }) => /running/i.test(s.text)));
    const none = await server.get('/api/search/suggest?q=%3F%3F');
    assert.deepEqual(none.body, { suggestions: [] });
  });

  it('keeps suggestions in the cache until a catalog edit changes a name', async () => {
    const cache = server.ctx.cache.cache;
    assert.ok(cache);
    const first = await server.get('/api/search/suggest?q=metalica');
    assert.equal(first.status, 200);
    assert.equal(first.body.suggestions[0].text, 'Metallica');
    const stored = cache.getEntry('suggest:8:metalica', 'search');
    assert.deepEqual(JSON.parse(stored?.json ?? 'null'), first.body);
    const artistId = first.body.suggestions[0].id as number;
    const rename = await fetch(`${server.url}/api/admin/artists/${artistId}`, {
      method: 'PATCH',
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Metallica Renamed' }),
    });
    assert.equal(rename.status, 200);
    assert.equal(cache.getEntry('suggest:8:metalica', 'search'), undefined, 'the edit dropped the stored answer');
    assert.equal((await server.get('/api/search/suggest?q=metalica')).body.suggestions[0].text, 'Metallica Renamed');
    await fetch(`${server.url}/api/admin/artists/${artistId}`, {
      method: 'PATCH',
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Metallica' }),
    });
  });

  it('serves index stats to admins only', async () => {
    assert.equal((await server.get('/api/admin/search/stats')).status, 401);
    const r = await server.get('/api/admin/search/stats', auth);
    assert.equal(r.status, 200);
    assert.equal(r.body.totalTracks, 3503);
    assert.equal(r.body.indexedTracks, 3503);
    assert.equal(r.body.coveragePercent, 100);
    assert.ok(r.body.indexBytes > 0);
    assert.ok(r.body.lastRebuild);
  });
});

describe('reciprocal rank fusion', () => {
  it('rewards items ranked well in both lists', () => {
    const fused = reciprocalRankFusion([
      [1, 2, 3],
      [3, 1, 4],
    ]);
    assert.deepEqual(
      fused.map((f) => f.id),
      [1, 3, 2, 4],
    );
    assert.equal(fused[0]?.score, 1 / 61 + 1 / 62);
  });
});
