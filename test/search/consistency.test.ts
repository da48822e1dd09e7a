// The index follows the catalog through its triggers: after any sequence of inserts,
// updates and deletes of tracks, albums, artists and genres, FTS5's integrity-check and our
// row-by-row check pass, and a search for a word finds exactly the live rows holding it;
// the stored one/two-letter suggestion lists answer exactly what a live ranking would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Db, openPrimary } from '../../src/db/connection.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { checkSearchIndex, rebuildSearchIndex, SearchService, searchStats } from '../../src/search/index.ts';
import { chinookSource, testConfig } from '../helpers.ts';

// Made-up words that occur nowhere else, so "which rows hold this word" is easy to compute.
const WORDS = ['zorblax', 'quennel', 'vimtrog', 'plosker', 'dravnik', 'yulmora'];
const word = fc.constantFrom(...WORDS);
const text = fc.tuple(word, fc.constantFrom('', ' live', ' (remix)', ' & friends')).map(([w, s]) => `${w[0]?.toUpperCase()}${w.slice(1)}${s}`);
const id = fc.integer({ min: 1, max: 12 });

type Op =
  | { op: 'addArtist'; id: number; name: string }
  | { op: 'addAlbum'; id: number; artist: number; title: string }
  | { op: 'addTrack'; id: number; album: number | null; genre: number; name: string; composer: string | null }
  | { op: 'renameArtist'; id: number; name: string }
  | { op: 'renameAlbum'; id: number; title: string }
  | { op: 'moveAlbum'; id: number; artist: number }
  | { op: 'renameTrack'; id: number; name: string }
  | { op: 'moveTrack'; id: number; album: number | null }
  | { op: 'setComposer'; id: number; composer: string | null }
  | { op: 'renameGenre'; id: number; name: string }
  | { op: 'deleteTrack'; id: number }
  | { op: 'deleteAlbum'; id: number }
  | { op: 'deleteArtist'; id: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('addArtist' as const), id, name: text }),
  fc.record({ op: fc.constant('addAlbum' as const), id, artist: id, title: text }),
  fc.record({
    op: fc.constant('addTrack' as const),
    id,
    album: fc.option(id, { nil: null }),
    genre: fc.integer({ min: 1, max: 2 }),
    name: text,
    composer: fc.option(text, { nil: null }),
  }),
  fc.record({ op: fc.constant('renameArtist' as const), id, name: text }),
  fc.record({ op: fc.constant('renameAlbum' as const), id, title: text }),
  fc.record({ op: fc.constant('moveAlbum' as const), id, artist: id }),
  fc.record({ op: fc.constant('renameTrack' as const), id, name: text }),
  fc.record({ op: fc.constant('moveTrack' as const), id, album: fc.option(id, { nil: null }) }),
  fc.record({ op: fc.constant('setComposer' as const), id, composer: fc.option(text, { nil: null }) }),
  fc.record({ op: fc.constant('renameGenre' as const), id: fc.integer({ min: 1, max: 2 }), name: text }),
  fc.record({ op: fc.constant('deleteTrack' as const), id }),
  fc.record({ op: fc.constant('deleteAlbum' as const), id }),
  fc.record({ op: fc.constant('deleteArtist' as const), id }),
);

function apply(db: Db, o: Op): unknown {
  const run = (sql: string, ...p: unknown[]): unknown => {
    try {
      return db.prepare(sql).run(...p);
    } catch (err) {
      // Foreign keys and unique ids refuse some random operations; the index must survive those too.
      if (!/FOREIGN KEY|UNIQUE|PRIMARY KEY/.test((err as Error).message)) throw err;
    }
  };
  switch (o.op) {
    case 'addArtist':
      return run('INSERT INTO chinook_artists (id, name) VALUES (?, ?)', o.id, o.name);
    case 'addAlbum':
      return run('INSERT INTO chinook_albums (id, title, artist_id) VALUES (?, ?, ?)', o.id, o.title, o.artist);
    case 'addTrack':
      return run(
        'INSERT INTO chinook_tracks (id, slug, name, album_id, media_type_id, genre_id, composer, milliseconds, unit_price) VALUES (?, ?, ?, ?, 1, ?, ?, 1000, 0.99)',
        o.id,
        `t-${o.id}`,
        o.name,
        o.album,
        o.genre,
        o.composer,
      );
    case 'renameArtist':
      return run('UPDATE chinook_artists SET name = ? WHERE id = ?', o.name, o.id);
    case 'renameAlbum':
      return run('UPDATE chinook_albums SET title = ? WHERE id = ?', o.title, o.id);
    case 'moveAlbum':
      return run('UPDATE chinook_albums SET artist_id = ? WHERE id = ?', o.artist, o.id);
    case 'renameTrack':
      return run('UPDATE chinook_tracks SET name = ? WHERE id = ?', o.name, o.id);
    case 'moveTrack':
      return run('UPDATE chinook_tracks SET album_id = ? WHERE id = ?', o.album, o.id);
    case 'setComposer':
      return run('UPDATE chinook_tracks SET composer = ? WHERE id = ?', o.composer, o.id);
    case 'renameGenre':
      return run('UPDATE chinook_genres SET name = ? WHERE id = ?', o.name, o.id);
    case 'deleteTrack':
      return run('DELETE FROM chinook_tracks WHERE id = ?', o.id);
    case 'deleteAlbum':
      return run('DELETE FROM chinook_albums WHERE id = ?', o.id);
    case 'deleteArtist':
      return run('DELETE FROM chinook_artists WHERE id = ?', o.id);
  }
}

/** The live tracks whose own text or album/artist/genre names hold the word, straight from the catalog. */
function holding(db: Db, w: string): number[] {
  const like = `%${w}%`;
  return db
    .prepare(
      `SELECT t.id FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
       LEFT JOIN chinook_genres g ON g.id = t.genre_id
       WHERE t.name LIKE ? OR t.composer LIKE ? OR al.title LIKE ? OR ar.name LIKE ? OR g.name LIKE ? ORDER BY t.id`,
    )
    .pluck()
    .all(like, like, like, like, like) as number[];
}

function assertConsistent(db: Db, search: SearchService): void {
  const check = checkSearchIndex(db);
  assert.deepEqual(check.problems, []);
  for (const w of WORDS) {
    const expected = holding(db, w);
    const r = search.search({ q: w, limit: 100, facets: false });
    assert.deepEqual(
      r.hits.map((h) => h.id).sort((a, b) => a - b),
      expected,
      `search for ${w}`,
    );
    assert.equal(r.total, expected.length);
  }
  const stats = searchStats(db);
  assert.equal(stats.indexedTracks, stats.totalTracks);
  // Stored lists (built earlier, maybe before some of the writes) never differ from a live ranking.
  for (const p of PREFIXES) assert.deepEqual(search.suggest(p, 20), search.suggestLive(p, 20), `suggest ${p}`);
}

const PREFIXES = [...new Set(WORDS.flatMap((w) => [w.slice(0, 1), w.slice(0, 2)]))];

describe('search index consistency', () => {
  it('stays exact through random inserts, updates and deletes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 60 }), (ops) => {
        const db = openPrimary(testConfig());
        try {
          db.exec("INSERT INTO chinook_genres (id, name) VALUES (1, 'Rock'), (2, 'Jazz'); INSERT INTO chinook_media_types (id, name) VALUES (1, 'MPEG')");
          const search = new SearchService(db);
          // Halfway, the suggestion lists get stored; the second half of the writes must invalidate them.
          const half = ops.length >> 1;
          for (const o of ops.slice(0, half)) apply(db, o);
          assertConsistent(db, search);
          for (const o of ops.slice(half)) apply(db, o);
          assertConsistent(db, search);
          // A rebuild from scratch gives the same answers.
          rebuildSearchIndex(db);
          assertConsistent(db, search);
        } finally {
          db.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('re-indexes every track of a renamed artist in the same transaction, and check catches a damaged index', () => {
    const db = openPrimary(testConfig());
    importOfficial(db, chinookSource);
    const search = new SearchService(db);
    const metallica = db.prepare("SELECT id FROM chinook_artists WHERE name = 'Metallica'").pluck().get() as number;
    const before = search.search({ q: 'metallica', limit: 100, facets: false, artistId: metallica }).total;
    assert.ok(before > 100);
    db.prepare('UPDATE chinook_artists SET name = ? WHERE id = ?').run('Zorblax Quennel', metallica);
    assert.equal(search.search({ q: 'zorblax quennel', limit: 1, facets: false }).total, before);
    // Composer credits still say Metallica; the artist field no longer does.
    assert.equal(search.search({ q: 'artist:metallica', artistId: metallica, facets: false }).total, 0);
    assert.equal(checkSearchIndex(db).ok, true);
    // Damage: a track changes behind the triggers' back.
    db.exec('DROP TRIGGER search_tracks_au');
    db.prepare("UPDATE chinook_tracks SET name = 'Vimtrog' WHERE id = 1").run();
    const damaged = checkSearchIndex(db);
    assert.equal(damaged.ok, false);
    assert.ok(damaged.problems.some((p) => /stale text/.test(p)));
    assert.ok(damaged.problems.some((p) => /triggers present/.test(p)));
    rebuildSearchIndex(db);
    assert.equal(checkSearchIndex(db).ok, true);
    assert.deepEqual(
      search.search({ q: 'vimtrog', facets: false }).hits.map((h) => h.id),
      [1],
    );
    db.close();
  });
});
