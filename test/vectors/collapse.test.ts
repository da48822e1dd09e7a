import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ensureVectors } from '../../src/vectors/build.ts';
import { collapseCopies, foldTitle, spreadAlbums, type TrackIdentity } from '../../src/vectors/collapse.ts';
import { startServer, type TestServer } from '../helpers.ts';

describe('folding titles', () => {
  test('version qualifiers fold away, parts and other words stay', () => {
    assert.equal(foldTitle('Layla'), 'layla');
    assert.equal(foldTitle('Layla (Live)'), 'layla');
    assert.equal(foldTitle('Wonderful Tonight - Remastered 2004'), 'wonderful tonight');
    assert.equal(foldTitle('Ação - Ao Vivo'), 'acao');
    assert.equal(foldTitle('Rock & Roll'), 'rock and roll');
    assert.notEqual(foldTitle('Lost (Pilot, Part 1) [Premiere]'), foldTitle('Lost (Pilot, Part 2)'));
    assert.equal(foldTitle('Get Up (I Feel Like Being A) Sex Machine'), 'get up i feel like being a sex machine');
  });
});

describe('collapsing copies and spreading albums', () => {
  const ids = (items: { id: number }[]) => items.map((i) => i.id);
  const identity = (id: number, albumId: number, song: string): [number, TrackIdentity] => [id, { id, albumId, song }];

  test('the first of each song is kept, songs of the seed are dropped', () => {
    const identities = new Map([identity(1, 10, 'a:x'), identity(2, 11, 'a:x'), identity(3, 10, 'a:y'), identity(4, 12, 'a:z')]);
    const items = [{ id: 2 }, { id: 1 }, { id: 3 }, { id: 4 }];
    assert.deepEqual(ids(collapseCopies(items, identities)), [2, 3, 4]);
    assert.deepEqual(ids(collapseCopies(items, identities, new Set(['a:y']))), [2, 4]);
  });

  test('at most N of one album per 10 while other albums offer comparable tracks', () => {
    const identities = new Map(Array.from({ length: 40 }, (_, i) => identity(i + 1, i < 20 ? 1 : 2 + i, `s:${i}`)));
    // Album 1 holds the 20 best; the others, one album each, score just below (comparable).
    const items = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, score: i < 20 ? 1 - i / 1000 : 0.95 - i / 1000 }));
    const top = spreadAlbums(items, identities, 10, 3);
    assert.equal(top.filter((t) => t.id <= 20).length, 3);
    assert.deepEqual(ids(top).slice(0, 3), [1, 2, 3], 'order within the album is kept');
    // The next run of 10 gets 3 more of album 1.
    assert.equal(spreadAlbums(items, identities, 20, 3).filter((t) => t.id <= 20).length, 6);
    // Only clearly weaker alternatives (below 80 %): the album keeps its place.
    const weak = items.map((it) => (it.id > 20 ? { ...it, score: 0.3 } : it));
    assert.equal(spreadAlbums(weak, identities, 10, 3).filter((t) => t.id <= 20).length, 10);
  });

  test('a list its first items settle is the list every longer input starting with them gives', () => {
    // SimilarityService.refine reads the facts of the first limit + 6 candidates and stops there when they settle the list.
    const list = fc.array(fc.record({ album: fc.option(fc.integer({ min: 1, max: 8 })), drop: fc.integer({ min: 0, max: 30 }) }), {
      minLength: 5,
      maxLength: 40,
    });
    let settledEarly = 0;
    fc.assert(
      fc.property(list, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 4 }), (raw, cut, limit, maxPerAlbum) => {
        // Scores fall by each item's drop (ties when it is 0), as a best-first list's do.
        let score = 1;
        const items = raw.map((r, i) => {
          score -= r.drop / 100;
          return { id: i + 1, score };
        });
        const identities = new Map(raw.map((r, i) => identity(i + 1, r.album as number, `s:${i}`)));
        const report: { settled?: boolean } = {};
        const head = spreadAlbums(items.slice(0, cut), identities, limit, maxPerAlbum, 10, report);
        const whole = spreadAlbums(items, identities, limit, maxPerAlbum);
        if (!report.settled) return;
        assert.deepEqual(ids(head), ids(whole));
        if (cut < items.length) settledEarly++;
      }),
      { numRuns: 2000, seed: 16 },
    );
    assert.ok(settledEarly > 200, `${settledEarly} of 2000 cases settled before the end of their list`);
  });
});

describe('/similar on Chinook: the ten tracks of issue 14', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
    ensureVectors(server.ctx.db);
  });
  after(() => server.close());

  const TEN = [1801, 3412, 607, 391, 2858, 3173, 1990, 891, 1423, 472];
  const songOf = (id: number) => {
    const t = server.ctx.db
      .prepare('SELECT t.name, al.artist_id AS artist FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id WHERE t.id = ?')
      .get(id) as { name: string; artist: number };
    return `${t.artist}:${foldTitle(t.name)}`;
  };

  test('no copy of the seed, no song twice, nothing at similarity ≥ 0.99 (default and audio spaces)', async () => {
    for (const id of TEN) {
      for (const space of ['', '&space=audio']) {
        const res = await server.get(`/api/tracks/${id}/similar?limit=10${space}`);
        assert.equal(res.status, 200);
        assert.equal(res.body.items.length, 10, `${id}${space}`);
        const songs = res.body.items.map((i: { id: number }) => songOf(i.id));
        assert.ok(!songs.includes(songOf(id)), `${id}${space}: a copy of the seed came back`);
        assert.equal(new Set(songs).size, songs.length, `${id}${space}: a song twice`);
        for (const item of res.body.items) assert.ok(item.similarity < 0.99, `${id}${space}: ${item.name} at ${item.similarity}`);
      }
    }
  });

  test('before: Layla had the other Layla, Smells Like Teen Spirit the studio one; now neither', async () => {
    const layla = await server.get('/api/tracks/891/similar?limit=10');
    assert.ok(!layla.body.items.some((i: { name: string }) => i.name === 'Layla'));
    const spirit = await server.get('/api/tracks/1990/similar?limit=10');
    assert.ok(!spirit.body.items.some((i: { name: string }) => i.name === 'Smells Like Teen Spirit'));
  });

  test('albums are spread unless asked: Enter Sandman’s Black Album', async () => {
    const albumOf = (id: number) => (server.ctx.db.prepare('SELECT album_id AS a FROM chinook_tracks WHERE id = ?').get(id) as { a: number }).a;
    const count = (items: { id: number }[]) => {
      const n = new Map<number, number>();
      for (const i of items) n.set(albumOf(i.id), (n.get(albumOf(i.id)) ?? 0) + 1);
      return Math.max(...n.values());
    };
    const spread = await server.get('/api/tracks/1801/similar?limit=10');
    assert.ok(count(spread.body.items) <= 3, JSON.stringify(spread.body.items.map((i: { name: string }) => i.name)));
    const asked = await server.get('/api/tracks/1801/similar?limit=10&maxPerAlbum=50');
    assert.ok(count(asked.body.items) > 3);
    const bad = await server.get('/api/tracks/1801/similar?maxPerAlbum=0');
    assert.equal(bad.status, 400);
  });
});
