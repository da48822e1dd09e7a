import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Continuations, type Suggestion } from '../../src/recommend/index.ts';
import { ensureVectors } from '../../src/vectors/build.ts';
import { foldTitle } from '../../src/vectors/collapse.ts';
import { startServer, type TestServer } from '../helpers.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
  ensureVectors(server.ctx.db);
});
after(() => server.close());

const post = (body: unknown) =>
  server.get('/api/recommendations/from-tracks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const songOf = (id: number) => {
  const t = server.ctx.db
    .prepare('SELECT t.name, al.artist_id AS artist FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id WHERE t.id = ?')
    .get(id) as { name: string; artist: number };
  return `${t.artist}:${foldTitle(t.name)}`;
};
const playlistTracks = (id: number) =>
  (server.ctx.db.prepare('SELECT track_id AS id FROM chinook_playlist_track WHERE playlist_id = ?').all(id) as { id: number }[]).map((r) => r.id);

type Item = Suggestion;

describe('GET /api/playlists/:id/continue', () => {
  test('tracks not in the playlist, no copy of a song in it, with reasons a page can print', async () => {
    for (const playlist of [11, 16, 17]) {
      const res = await server.get(`/api/playlists/${playlist}/continue?limit=20`);
      assert.equal(res.status, 200);
      const items = res.body.items as Item[];
      assert.equal(items.length, 20);
      const inside = playlistTracks(playlist);
      const songs = new Set(inside.map(songOf));
      for (const item of items) {
        assert.ok(!inside.includes(item.id), `${item.id} is in playlist ${playlist}`);
        assert.ok(!songs.has(songOf(item.id)), `${item.name} is a copy of a song in playlist ${playlist}`);
        assert.equal(typeof item.album, 'string');
        assert.equal(typeof item.genre, 'string');
        assert.ok(item.reasons.length >= 1 && item.reasons.every((r) => r.text.length > 0));
        for (const r of item.reasons)
          if (r.becauseOfTrackId !== undefined) assert.ok(inside.includes(r.becauseOfTrackId), 'reasons cite the playlist’s own tracks');
      }
      assert.equal(new Set(items.map((i) => songOf(i.id))).size, 20, 'no song twice');
    }
  });

  test('reasons name a seed and say how it relates: "From Kill \'Em All, like “Seek & Destroy”"', async () => {
    const res = await server.get('/api/playlists/17/continue?limit=20');
    const albumOf = (id: number) => (server.ctx.db.prepare('SELECT album_id AS a FROM chinook_tracks WHERE id = ?').get(id) as { a: number }).a;
    const byAlbum = (res.body.items as Item[]).filter((i) => i.reasons[0]?.strategy === 'album');
    assert.ok(byAlbum.length > 0);
    for (const item of byAlbum) {
      const r = item.reasons[0] as Item['reasons'][number];
      assert.equal(albumOf(r.becauseOfTrackId as number), albumOf(item.id));
      assert.equal(r.text, `From ${item.album}, like “${r.becauseOfTrackName}”`);
    }
  });

  test('an empty playlist gets popular tracks; unknown is 404; bad parameters are 400', async () => {
    const empty = await server.get('/api/playlists/2/continue?limit=5');
    assert.equal(empty.status, 200);
    assert.equal(empty.body.items.length, 5);
    assert.ok(empty.body.items.every((i: Item) => i.reasons[0]?.strategy === 'popular' && i.reasons[0]?.text === 'Popular in the store'));
    const missing = await server.get('/api/playlists/999999/continue');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'not_found');
    for (const q of [
      '/api/playlists/x/continue',
      '/api/playlists/17/continue?limit=0',
      '/api/playlists/17/continue?limit=101',
      '/api/playlists/17/continue?foo=1',
    ]) {
      const r = await server.get(q);
      assert.equal(r.status, 400, q);
      assert.equal(typeof r.body.message, 'string');
    }
  });
});

describe('POST /api/recommendations/from-tracks', () => {
  test('no account needed; the seeds and copies of their songs never come back', async () => {
    // Smells Like Teen Spirit (Nevermind) and Enter Sandman: the live Smells Like Teen Spirit is a copy.
    const res = await post({ trackIds: [2003, 1801], limit: 30 });
    assert.equal(res.status, 200);
    const items = res.body.items as Item[];
    assert.equal(items.length, 30);
    const seedSongs = new Set([2003, 1801].map(songOf));
    for (const item of items) {
      assert.ok(![2003, 1801].includes(item.id));
      assert.ok(!seedSongs.has(songOf(item.id)), `${item.name} copies a seed`);
      assert.ok(item.reasons.every((r) => r.becauseOfTrackId === undefined || [2003, 1801].includes(r.becauseOfTrackId)));
    }
    assert.ok(!items.some((i) => i.id === 1990), 'the live Smells Like Teen Spirit is a copy of the seed');
  });

  test('bad bodies are 4xx JSON that say what is wrong', async () => {
    for (const body of [
      {},
      { trackIds: [] },
      { trackIds: ['1'] },
      { trackIds: [1.5] },
      { trackIds: [1], extra: true },
      { trackIds: Array.from({ length: 201 }, (_, i) => i + 1) },
    ]) {
      const r = await post(body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 60));
      assert.equal(typeof r.body.message, 'string');
    }
    const unknown = await post({ trackIds: [1, 999998, 999999] });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body.details, { missing: [999998, 999999] });
  });

  test('property: the same seeds in any order (and repeated) give the identical answer', () => {
    const continuations = new Continuations(server.ctx.recommender);
    const pool = [1, 2, 52, 391, 607, 891, 1423, 1801, 1990, 2003, 2195, 2516, 3290, 3412, 3451, 472];
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: 1, maxLength: 8 }), fc.nat(3), (seeds, repeat) => {
        const sorted = [...seeds].sort((a, b) => a - b);
        const shuffled = [...seeds, ...seeds.slice(0, repeat)];
        assert.deepEqual(continuations.fromTracks(shuffled, { limit: 20 }), continuations.fromTracks(sorted, { limit: 20 }));
      }),
      { numRuns: 25, seed: 14 },
    );
  });
});

describe('personal recommendations from the whole profile', () => {
  const db = () => server.ctx.db;
  let users = 0;
  const listener = (plays: readonly number[], at: (i: number) => string) => {
    const id = Number(
      db().prepare("INSERT INTO users (email, password_hash, display_name) VALUES (?, 'x', 'Listener')").run(`profile-${++users}@example.com`).lastInsertRowid,
    );
    plays.forEach((t, i) => {
      db().prepare('INSERT INTO plays (user_id, track_id, ms_played, played_at) VALUES (?, ?, 1000, ?)').run(id, t, at(i));
    });
    return id;
  };

  test('property: the same plays recorded in any order give the identical recommendations', () => {
    const pool = [1, 52, 391, 607, 891, 1423, 1801, 2003, 2195, 2516, 3290, 3412];
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: 1, maxLength: 8 }), (plays) => {
        const sameTime = () => '2026-01-01T12:00:00Z';
        const a = server.ctx.recommender.recommend({ userId: listener(plays, sameTime) }, { limit: 15 });
        const b = server.ctx.recommender.recommend(
          {
            userId: listener(
              [...plays].sort((x, y) => x - y),
              sameTime,
            ),
          },
          { limit: 15 },
        );
        assert.deepEqual(a, b);
      }),
      { numRuns: 15, seed: 14 },
    );
  });

  test('older plays count less, but count: twelve plays a year ago still shape the list', () => {
    const old = [2003, 2004, 2005, 2007, 2010, 2013, 2194, 2195, 2198, 2206, 2512, 2516]; // grunge, a year ago
    const recent = [3412, 3413, 3414]; // classical, today
    const plays = [...old, ...recent];
    const id = listener(plays, (i) => (i < old.length ? '2025-01-01T00:00:00Z' : '2026-01-01T00:00:00Z'));
    const r = server.ctx.recommender.recommend({ userId: id }, { limit: 20 });
    const genres = r.items.map((i) => i.genre);
    assert.ok(genres.includes('Classical'), 'the recent plays lead');
    assert.ok(genres.includes('Rock'), 'the older ones are not forgotten (the seed recommender used the 10 most recent only)');
    for (const item of r.items) assert.ok(!plays.includes(item.id));
    const because = r.items.flatMap((i) => i.reasons).find((x) => x.text.startsWith('Because you played'));
    assert.ok(because === undefined || plays.includes(because.becauseOfTrackId as number));
  });
});
