// Every catalog and report route over a real HTTP server, answers checked against the
// source file (reports are recomputed there, not compared with remembered numbers).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { openSource, startServer, type TestServer } from '../helpers.ts';
import { assertClientError, column, ids, type Json, walk } from './util.ts';

let server: TestServer;
let src: Database.Database;
before(async () => {
  server = await startServer({ adminToken: 'catalog-admin' });
  src = openSource();
});
after(async () => {
  src.close();
  await server.close();
});

const all = (sql: string, ...params: unknown[]) => src.prepare(sql).all(...params) as Record<string, Json>[];
const cents = (n: number) => Math.round(n * 100);
const one = (sql: string, ...params: unknown[]) => src.prepare(sql).get(...params) as Record<string, Json>;

describe('GET /health', () => {
  it('tells anyone only the status and version (no path, pid or versions)', async () => {
    const res = await server.get('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok', version: '0.1.0' });
  });

  it('tells an admin the database facts', async () => {
    const res = await server.get('/health', { headers: { authorization: 'Bearer catalog-admin' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ok');
    assert.equal(res.body.database.journalMode, 'wal');
    assert.equal(res.body.database.tracks, one('SELECT count(*) AS n FROM Track').n);
    assert.match(res.body.database.sqliteVec, /^v\d+\.\d+\.\d+/);
    assert.match(res.body.database.sqlite, /^3\.\d+\.\d+$/);
    assert.ok(res.body.database.schemaVersion >= 1);
    assert.equal(res.body.database.path, server.ctx.db.name);
    assert.equal(res.body.database.pragmas.journal_size_limit, 64 * 1024 * 1024);
    assert.equal(res.body.pid, process.pid);
    assert.equal(res.body.storage.status, 'ok');
  });

  it('/health/live answers while the process runs; /health/ready after a read and a write', async () => {
    assert.deepEqual((await server.get('/health/live')).body, { status: 'ok' });
    const ready = await server.get('/health/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.checks.read.ok, true);
    assert.equal(ready.body.checks.write.ok, true);
    const probe = server.ctx.db.prepare('SELECT pid FROM storage_probe').get() as { pid: number };
    assert.equal(probe.pid, process.pid);
  });
});

describe('artists and albums', () => {
  it('/api/artists walks every artist once, by name then id, and by id', async () => {
    const byName = await walk(server, '/api/artists?limit=100');
    assert.deepEqual(ids(byName), column(all('SELECT ArtistId FROM Artist ORDER BY Name COLLATE NOCASE, ArtistId')));
    const byNameDesc = await walk(server, '/api/artists?limit=37&sort=-name');
    assert.deepEqual(ids(byNameDesc), column(all('SELECT ArtistId FROM Artist ORDER BY Name COLLATE NOCASE DESC, ArtistId DESC')));
    const byId = await walk(server, '/api/artists?limit=50&sort=id');
    assert.deepEqual(ids(byId), column(all('SELECT ArtistId FROM Artist ORDER BY ArtistId')));
    const counts = new Map(
      all('SELECT ArtistId AS id, count(AlbumId) AS n FROM Artist LEFT JOIN Album USING (ArtistId) GROUP BY ArtistId').map((r) => [r.id, r.n]),
    );
    for (const a of byId) assert.equal(a.albumCount, counts.get(a.id), `albumCount of artist ${a.id}`);
  });

  it('/api/artists?withAlbums=true walks only the artists with an album, in both name orders', async () => {
    const withAlbums = 'SELECT ArtistId FROM Artist WHERE EXISTS (SELECT 1 FROM Album WHERE Album.ArtistId = Artist.ArtistId)';
    const byName = await walk(server, '/api/artists?limit=37&withAlbums=true');
    assert.deepEqual(ids(byName), column(all(`${withAlbums} ORDER BY Name COLLATE NOCASE, ArtistId`)));
    assert.ok(byName.every((a) => a.albumCount > 0));
    const desc = await walk(server, '/api/artists?limit=50&sort=-name&withAlbums=true');
    assert.deepEqual(ids(desc), column(all(`${withAlbums} ORDER BY Name COLLATE NOCASE DESC, ArtistId DESC`)));
    // Chinook has artists without albums, so the filter leaves some out; false lists them all.
    const everyone = await walk(server, '/api/artists?limit=100&withAlbums=false');
    assert.ok(everyone.length > byName.length, `${everyone.length} artists, ${byName.length} with albums`);
    assertClientError(await server.get('/api/artists?withAlbums=yes'), 400, 'withAlbums=yes');
  });

  it('/api/artists defaults to 20 items', async () => {
    const res = await server.get('/api/artists');
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 20);
    assert.equal(typeof res.body.nextCursor, 'string');
  });

  it('/api/artists/:id carries its albums (Iron Maiden)', async () => {
    const res = await server.get('/api/artists/90');
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Iron Maiden');
    const expected = column(all('SELECT AlbumId FROM Album WHERE ArtistId = 90 ORDER BY Title COLLATE NOCASE, AlbumId'));
    assert.deepEqual(ids(res.body.albums), expected);
    assert.equal(res.body.albumCount, expected.length);
    const trackCounts = new Map(all('SELECT AlbumId AS id, count(*) AS n FROM Track GROUP BY AlbumId').map((r) => [r.id, r.n]));
    for (const al of res.body.albums) {
      assert.equal(al.artist, 'Iron Maiden');
      assert.equal(al.trackCount, trackCounts.get(al.id));
    }
    assert.equal(
      res.body.albums.reduce((s: number, a: { trackCount: number }) => s + a.trackCount, 0),
      213,
    );
  });

  it('/api/albums walks every album once, and filters by artistId', async () => {
    const byTitle = await walk(server, '/api/albums?limit=100');
    assert.deepEqual(ids(byTitle), column(all('SELECT AlbumId FROM Album ORDER BY Title COLLATE NOCASE, AlbumId')));
    const desc = await walk(server, '/api/albums?limit=100&sort=-title');
    assert.deepEqual(ids(desc), column(all('SELECT AlbumId FROM Album ORDER BY Title COLLATE NOCASE DESC, AlbumId DESC')));
    const byArtist = await walk(server, '/api/albums?artistId=90&limit=3&sort=id');
    assert.deepEqual(ids(byArtist), column(all('SELECT AlbumId FROM Album WHERE ArtistId = 90 ORDER BY AlbumId')));
    const none = await server.get('/api/albums?artistId=999999');
    assert.deepEqual(none.body, { items: [], nextCursor: null });
  });

  it('/api/albums/:id carries its tracks and total duration', async () => {
    const res = await server.get('/api/albums/148');
    assert.equal(res.status, 200);
    const album = one('SELECT Title, ArtistId FROM Album WHERE AlbumId = 148');
    assert.equal(res.body.title, album.Title);
    assert.equal(res.body.artistId, album.ArtistId);
    assert.equal(res.body.artist, 'Metallica');
    const tracks = all('SELECT TrackId, Milliseconds FROM Track WHERE AlbumId = 148 ORDER BY TrackId');
    assert.deepEqual(ids(res.body.tracks), column(tracks));
    assert.equal(res.body.trackCount, tracks.length);
    assert.equal(
      res.body.durationMs,
      tracks.reduce((s, t) => s + t.Milliseconds, 0),
    );
  });
});

describe('genres, media types, playlists', () => {
  it('/api/genres has every genre with its source track count', async () => {
    const res = await server.get('/api/genres');
    assert.equal(res.status, 200);
    const expected = all(
      'SELECT g.GenreId AS id, g.Name AS name, count(t.TrackId) AS trackCount FROM Genre g LEFT JOIN Track t USING (GenreId) GROUP BY g.GenreId',
    );
    assert.equal(res.body.items.length, 25);
    assert.deepEqual(
      [...res.body.items].sort((a: { id: number }, b: { id: number }) => a.id - b.id),
      expected,
    );
    const names = res.body.items.map((g: { name: string }) => g.name.toLowerCase());
    assert.deepEqual(names, [...names].sort(), 'sorted by name');
  });

  it('/api/media-types has every media type with its source track count', async () => {
    const res = await server.get('/api/media-types');
    assert.equal(res.status, 200);
    const expected = all(
      'SELECT m.MediaTypeId AS id, m.Name AS name, count(t.TrackId) AS trackCount FROM MediaType m LEFT JOIN Track t USING (MediaTypeId) GROUP BY m.MediaTypeId',
    );
    assert.deepEqual(
      [...res.body.items].sort((a: { id: number }, b: { id: number }) => a.id - b.id),
      expected,
    );
  });

  it('/api/playlists walks every playlist once (duplicate names included)', async () => {
    const byName = await walk(server, '/api/playlists?limit=4');
    assert.deepEqual(ids(byName), column(all('SELECT PlaylistId FROM Playlist ORDER BY Name COLLATE NOCASE, PlaylistId')));
    const byId = await walk(server, '/api/playlists?limit=5&sort=id');
    const expected = all(
      'SELECT p.PlaylistId AS id, p.Name AS name, count(pt.TrackId) AS trackCount FROM Playlist p LEFT JOIN PlaylistTrack pt USING (PlaylistId) GROUP BY p.PlaylistId ORDER BY p.PlaylistId',
    );
    assert.deepEqual(byId, expected);
  });

  it('/api/playlists/:id pages through all of its tracks', async () => {
    const expected = column(all('SELECT TrackId FROM PlaylistTrack WHERE PlaylistId = 1 ORDER BY TrackId'));
    assert.ok(expected.length > 3000);
    const head = await server.get('/api/playlists/1?limit=100');
    assert.equal(head.status, 200);
    assert.equal(head.body.trackCount, expected.length);
    assert.equal(head.body.tracks.items.length, 100);
    const tracks = await walk(server, '/api/playlists/1?limit=100', (b) => b.tracks);
    assert.deepEqual(ids(tracks), expected);
    const small = await server.get('/api/playlists/18');
    assert.deepEqual(ids(small.body.tracks.items), column(all('SELECT TrackId FROM PlaylistTrack WHERE PlaylistId = 18 ORDER BY TrackId')));
    assert.equal(small.body.tracks.nextCursor, null);
  });
});

describe('single tracks', () => {
  it('/api/tracks/1801 is "Enter Sandman" by Metallica, joined names from the source', async () => {
    const res = await server.get('/api/tracks/1801');
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Enter Sandman');
    assert.equal(res.body.artist, 'Metallica');
    const s = one(`SELECT t.Name, t.Composer, t.Milliseconds, t.Bytes, t.UnitPrice, t.AlbumId, t.GenreId, t.MediaTypeId,
                          al.Title AS album, ar.Name AS artist, g.Name AS genre, m.Name AS mediaType
                   FROM Track t JOIN Album al USING (AlbumId) JOIN Artist ar USING (ArtistId) JOIN Genre g USING (GenreId) JOIN MediaType m USING (MediaTypeId)
                   WHERE t.TrackId = 1801`);
    assert.equal(res.body.album, s.album);
    assert.equal(res.body.genre, s.genre);
    assert.equal(res.body.mediaType, s.mediaType);
    assert.equal(res.body.composer, s.Composer);
    assert.equal(res.body.milliseconds, s.Milliseconds);
    assert.equal(res.body.bytes, s.Bytes);
    assert.equal(res.body.unitPrice, s.UnitPrice);
    assert.equal(res.body.albumId, s.AlbumId);
    assert.equal(res.body.genreId, s.GenreId);
    assert.equal(res.body.mediaTypeId, s.MediaTypeId);
    assert.equal(res.body.slug, 'enter-sandman-1801');
  });

  it('/api/tracks/by-slug/:slug finds the same track; an unknown slug is 404', async () => {
    const byId = await server.get('/api/tracks/1801');
    const bySlug = await server.get(`/api/tracks/by-slug/${byId.body.slug}`);
    assert.equal(bySlug.status, 200);
    assert.deepEqual(bySlug.body, byId.body);
    const missing = await server.get('/api/tracks/by-slug/enter-sandman-1802');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'not_found');
  });

  it('every track slug is URL-safe and resolves back to its track', async () => {
    const every = await walk(server, '/api/tracks?limit=100');
    const slugs = new Set(every.map((t: { slug: string }) => t.slug));
    assert.equal(slugs.size, every.length, 'slugs are unique');
    for (const t of every) assert.match(t.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const t of every.filter((_, i) => i % 350 === 0)) {
      const res = await server.get(`/api/tracks/by-slug/${t.slug}`);
      assert.equal(res.body.id, t.id);
    }
  });
});

describe('OpenAPI', () => {
  it('/docs serves the UI and /docs/json lists every route', async () => {
    const ui = await server.get('/docs');
    assert.equal(ui.status, 200);
    assert.match(String(ui.body), /swagger/i);
    const spec = await server.get('/docs/json');
    assert.equal(spec.status, 200);
    assert.match(spec.body.openapi, /^3\./);
    const paths = Object.keys(spec.body.paths);
    for (const p of [
      '/health',
      '/api/artists',
      '/api/artists/{id}',
      '/api/albums',
      '/api/albums/{id}',
      '/api/genres',
      '/api/media-types',
      '/api/playlists',
      '/api/playlists/{id}',
      '/api/tracks',
      '/api/tracks/{id}',
      '/api/tracks/by-slug/{slug}',
      '/api/reports/sales-by-country',
      '/api/reports/top-artists',
      '/api/reports/top-tracks',
    ]) {
      assert.ok(paths.includes(p), `${p} is in the OpenAPI document`);
      assert.ok(spec.body.paths[p].get, `${p} documents GET`);
    }
    const sortParam = spec.body.paths['/api/tracks'].get.parameters.find((p: { name: string }) => p.name === 'sort');
    assert.ok(sortParam, '/api/tracks documents sort');
  });
});

describe('GET /api/reports/sales-by-country', () => {
  it('matches revenue, invoices and customers per country in the source (USA 523.06)', async () => {
    const res = await server.get('/api/reports/sales-by-country?limit=100');
    assert.equal(res.status, 200);
    const expected = all(`SELECT BillingCountry AS country, count(*) AS invoices, count(DISTINCT CustomerId) AS customers, sum(Total) AS revenue
                          FROM Invoice GROUP BY BillingCountry`);
    assert.equal(res.body.items.length, expected.length);
    const got = new Map(res.body.items.map((r: { country: string }) => [r.country, r]));
    for (const e of expected) {
      const g = got.get(e.country) as { invoices: number; customers: number; revenue: number };
      assert.ok(g, `${e.country} is in the report`);
      assert.equal(g.invoices, e.invoices, `${e.country} invoices`);
      assert.equal(g.customers, e.customers, `${e.country} customers`);
      assert.equal(cents(g.revenue), cents(e.revenue), `${e.country} revenue`);
    }
    const revenues = res.body.items.map((r: { revenue: number }) => r.revenue);
    assert.deepEqual(
      revenues,
      [...revenues].sort((a, b) => b - a),
      'highest revenue first',
    );
    assert.deepEqual(res.body.items[0], { country: 'USA', invoices: 91, customers: 13, revenue: 523.06 });
  });

  it('limit cuts the list (default 10)', async () => {
    assert.equal((await server.get('/api/reports/sales-by-country')).body.items.length, 10);
    const three = await server.get('/api/reports/sales-by-country?limit=3');
    assert.deepEqual(
      three.body.items.map((r: { country: string }) => r.country),
      ['USA', 'Canada', 'France'],
    );
  });
});

describe('GET /api/reports/top-artists', () => {
  it('ranks artists by units sold, with revenue and catalog size from the source', async () => {
    const res = await server.get('/api/reports/top-artists?limit=100');
    assert.equal(res.status, 200);
    const expected = all(`
      SELECT ar.ArtistId AS artistId, ar.Name AS name, sum(il.Quantity) AS unitsSold, sum(il.UnitPrice * il.Quantity) AS revenue,
             count(DISTINCT il.TrackId) AS tracksSold,
             (SELECT count(*) FROM Track t2 JOIN Album a2 USING (AlbumId) WHERE a2.ArtistId = ar.ArtistId) AS trackCount
      FROM InvoiceLine il JOIN Track t USING (TrackId) JOIN Album al USING (AlbumId) JOIN Artist ar USING (ArtistId)
      GROUP BY ar.ArtistId ORDER BY unitsSold DESC, round(revenue, 2) DESC, ar.ArtistId LIMIT 100`);
    assert.equal(res.body.items.length, expected.length);
    res.body.items.forEach((g: Json, i: number) => {
      const e = expected[i]!;
      assert.deepEqual({ ...g, revenue: cents(g.revenue) }, { ...e, revenue: cents(e.revenue) }, `rank ${i + 1}`);
    });
    const maiden = res.body.items.find((a: { name: string }) => a.name === 'Iron Maiden');
    assert.equal(maiden.trackCount, 213);
    assert.equal(res.body.items[0].name, 'Iron Maiden');
  });
});

describe('GET /api/reports/top-tracks', () => {
  it('ranks tracks by units sold with their artist and album', async () => {
    const res = await server.get('/api/reports/top-tracks?limit=50');
    assert.equal(res.status, 200);
    const expected = all(`
      SELECT t.TrackId AS id, t.Name AS name, al.ArtistId AS artistId, ar.Name AS artist, al.Title AS album,
             sum(il.Quantity) AS unitsSold, sum(il.UnitPrice * il.Quantity) AS revenue
      FROM InvoiceLine il JOIN Track t USING (TrackId) LEFT JOIN Album al USING (AlbumId) LEFT JOIN Artist ar USING (ArtistId)
      GROUP BY t.TrackId ORDER BY unitsSold DESC, round(revenue, 2) DESC, t.TrackId LIMIT 50`);
    assert.equal(res.body.items.length, 50);
    res.body.items.forEach((g: Json, i: number) => {
      const e = expected[i]!;
      assert.deepEqual({ ...g, revenue: cents(g.revenue) }, { ...e, revenue: cents(e.revenue) }, `rank ${i + 1}`);
    });
    const maxUnits = (src.prepare('SELECT max(n) AS m FROM (SELECT sum(Quantity) AS n FROM InvoiceLine GROUP BY TrackId)').get() as { m: number }).m;
    assert.equal(res.body.items[0].unitsSold, maxUnits);
    assert.equal((await server.get('/api/reports/top-tracks')).body.items.length, 10);
  });
});
