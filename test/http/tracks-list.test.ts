// /api/tracks: every filter and every sort, walked page by page to the end and compared
// with the same question asked of the source file.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { openSource, startServer, type TestServer } from '../helpers.ts';
import { column, ids, walk } from './util.ts';

let server: TestServer;
let src: Database.Database;
before(async () => {
  server = await startServer();
  src = openSource();
});
after(async () => {
  src.close();
  await server.close();
});

const sourceIds = (where: string, order: string, params: unknown[] = []) =>
  column(src.prepare(`SELECT t.TrackId FROM Track t JOIN Album al USING (AlbumId) ${where ? `WHERE ${where}` : ''} ORDER BY ${order}`).all(...params));

const orderFor: Record<string, string> = {
  id: 't.TrackId',
  name: 't.Name COLLATE NOCASE, t.TrackId',
  '-name': 't.Name COLLATE NOCASE DESC, t.TrackId DESC',
  price: 't.UnitPrice, t.TrackId',
  '-price': 't.UnitPrice DESC, t.TrackId DESC',
  duration: 't.Milliseconds, t.TrackId',
  '-duration': 't.Milliseconds DESC, t.TrackId DESC',
};

function assertNoDuplicates(list: number[], what: string) {
  assert.equal(new Set(list).size, list.length, `${what}: no track twice`);
}

describe('GET /api/tracks sorts', () => {
  const total = () => (src.prepare('SELECT count(*) AS n FROM Track').get() as { n: number }).n;

  for (const [sort, order] of Object.entries(orderFor)) {
    it(`sort=${sort}: every track exactly once, in order`, async () => {
      const got = ids(await walk(server, `/api/tracks?limit=100&sort=${sort}`));
      assertNoDuplicates(got, sort);
      assert.equal(got.length, total());
      assert.deepEqual(got, sourceIds('', order));
    });
  }

  it('sort=newest: createdAt never increases, ties newest id first, every track once', async () => {
    const rows = await walk(server, '/api/tracks?limit=100&sort=newest');
    assertNoDuplicates(ids(rows), 'newest');
    assert.equal(rows.length, total());
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      assert.ok(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id), `row ${i}: ${a.id}/${a.createdAt} before ${b.id}/${b.createdAt}`);
    }
  });

  it('small pages through long runs of equal prices neither skip nor repeat', async () => {
    const got = ids(await walk(server, '/api/tracks?limit=37&sort=-price'));
    assert.deepEqual(got, sourceIds('', orderFor['-price']!));
  });

  it('limit defaults to 20 and accepts 100', async () => {
    assert.equal((await server.get('/api/tracks')).body.items.length, 20);
    assert.equal((await server.get('/api/tracks?limit=100')).body.items.length, 100);
    assert.equal((await server.get('/api/tracks?limit=1')).body.items.length, 1);
  });
});

describe('GET /api/tracks filters', () => {
  const cases: { query: string; where: string; params: unknown[]; sort: string }[] = [
    { query: 'genreId=1', where: 't.GenreId = ?', params: [1], sort: 'name' },
    { query: 'artistId=90', where: 'al.ArtistId = ?', params: [90], sort: '-duration' },
    { query: 'albumId=148', where: 't.AlbumId = ?', params: [148], sort: 'id' },
    { query: 'mediaTypeId=2', where: 't.MediaTypeId = ?', params: [2], sort: '-name' },
    { query: 'minPrice=1', where: 't.UnitPrice >= ?', params: [1], sort: 'duration' },
    { query: 'maxPrice=0.99', where: 't.UnitPrice <= ?', params: [0.99], sort: '-price' },
    { query: 'minDurationMs=400000', where: 't.Milliseconds >= ?', params: [400000], sort: 'price' },
    { query: 'maxDurationMs=180000', where: 't.Milliseconds <= ?', params: [180000], sort: 'name' },
    {
      query: 'genreId=1&minDurationMs=240000&maxDurationMs=360000&minPrice=0.5&maxPrice=0.99',
      where: 't.GenreId = ? AND t.Milliseconds BETWEEN ? AND ? AND t.UnitPrice BETWEEN ? AND ?',
      params: [1, 240000, 360000, 0.5, 0.99],
      sort: '-duration',
    },
    { query: 'artistId=90&genreId=1&mediaTypeId=1', where: 'al.ArtistId = ? AND t.GenreId = ? AND t.MediaTypeId = ?', params: [90, 1, 1], sort: 'name' },
    { query: 'minPrice=0.99&maxPrice=0.99', where: 't.UnitPrice = ?', params: [0.99], sort: 'id' },
  ];

  for (const c of cases) {
    it(`${c.query} (sort=${c.sort}) returns exactly the matching source rows`, async () => {
      const rows = await walk(server, `/api/tracks?${c.query}&sort=${c.sort}&limit=50`);
      const got = ids(rows);
      assertNoDuplicates(got, c.query);
      const expected = sourceIds(c.where, orderFor[c.sort]!, c.params);
      assert.ok(expected.length > 0, `${c.query} matches something in the source`);
      const count = (src.prepare(`SELECT count(*) AS n FROM Track t JOIN Album al USING (AlbumId) WHERE ${c.where}`).get(...c.params) as { n: number }).n;
      assert.equal(got.length, count);
      assert.deepEqual(got, expected);
    });
  }

  it('artistId=90 is Iron Maiden with 213 tracks', async () => {
    const rows = await walk(server, '/api/tracks?artistId=90&limit=100');
    assert.equal(rows.length, 213);
    assert.ok(rows.every((t: { artist: string }) => t.artist === 'Iron Maiden'));
  });

  it('a filter that matches nothing is an empty page, not an error', async () => {
    const res = await server.get('/api/tracks?genreId=999');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { items: [], nextCursor: null });
  });
});

describe('cursors for long names', () => {
  it('a 500-character non-ASCII name (the longest an edit allows) still pages by name', async () => {
    const db = server.ctx.db;
    const original = (db.prepare('SELECT name FROM chinook_tracks WHERE id = 1').get() as { name: string }).name;
    db.prepare('UPDATE chinook_tracks SET name = ? WHERE id = 1').run('Ж"\\'.repeat(167).slice(0, 500));
    try {
      const rows = await walk(server, '/api/tracks?albumId=1&sort=-name&limit=1');
      assert.deepEqual(
        ids(rows).sort((a, b) => a - b),
        sourceIds('t.AlbumId = ?', 't.TrackId', [1]),
      );
      assert.equal(rows[0].id, 1, 'Ж sorts after every Latin name');
    } finally {
      db.prepare('UPDATE chinook_tracks SET name = ? WHERE id = 1').run(original);
    }
  });
});
