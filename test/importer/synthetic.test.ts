import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { trackSlug } from '../../src/catalog/slug.ts';
import { projectRoot } from '../../src/config.ts';
import { type Db, openPrimary } from '../../src/db/connection.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { importSynthetic } from '../../src/importer/synthetic.ts';
import { GENRES, MEDIA_TYPES, VIDEO_MEDIA_TYPE } from '../../src/importer/synthetic-words.ts';
import { catalogCounts } from '../../src/importer/tables.ts';
import { searchStats } from '../../src/search/maintenance.ts';
import { chinookSource, tempDir, testConfig } from '../helpers.ts';

const run = promisify(execFile);

const tables: [table: string, order: string][] = [
  ['chinook_genres', 'id'],
  ['chinook_media_types', 'id'],
  ['chinook_artists', 'id'],
  ['chinook_albums', 'id'],
  ['chinook_tracks', 'id'],
  ['chinook_playlists', 'id'],
  ['chinook_playlist_track', 'playlist_id, track_id'],
  ['chinook_employees', 'id'],
  ['chinook_customers', 'id'],
  ['chinook_invoices', 'id'],
  ['chinook_invoice_lines', 'id'],
];

/** Every catalog row, public ids and timestamps included, in key order. */
function catalogHash(db: Db): string {
  const hash = createHash('sha256');
  for (const [table, order] of tables) {
    hash.update(`#${table}\n`);
    for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).raw().iterate()) hash.update(`${JSON.stringify(row)}\n`);
  }
  return hash.digest('hex');
}

function synthetic(tracks: number, seed: number): Db {
  const db = openPrimary(testConfig());
  importSynthetic(db, { tracks, seed });
  return db;
}

const one = <T>(db: Db, sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as T;
const all = <T>(db: Db, sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];

describe('synthetic catalog', () => {
  it('is deterministic: same seed and size give identical rows, another seed differs', () => {
    const a = synthetic(3000, 7);
    const b = synthetic(3000, 7);
    const c = synthetic(3000, 8);
    const ha = catalogHash(a);
    assert.equal(ha, catalogHash(b));
    assert.notEqual(ha, catalogHash(c));
    // Not only the hash: the rows a reader sees are the same too.
    assert.deepEqual(
      all(a, 'SELECT public_id, slug FROM chinook_tracks ORDER BY id LIMIT 5'),
      all(b, 'SELECT public_id, slug FROM chinook_tracks ORDER BY id LIMIT 5'),
    );
    for (const db of [a, b, c]) db.close();
  });

  it('gives the rows it gave before the generator was split (every table, 3,000 tracks, hashes taken on main 0fe7d22)', () => {
    // A refactor of the generator must not move one random draw: these change only when the
    // catalog's shape is changed on purpose (then say so in docs/synthetic.md and update them).
    const golden: [seed: number, rebuildIndexes: boolean, sha256: string][] = [
      [7, false, '001ae2f688700ddf1918dcc2af87f9066215dd2e62f8053535bcddd3047a715e'],
      [42, true, '6da0c30ea2e61b4d7fc3fa3b5211e036b3259aafd54205eb1cea5457d8693e3f'],
    ];
    for (const [seed, rebuildIndexes, sha256] of golden) {
      const db = openPrimary(testConfig());
      importSynthetic(db, { tracks: 3000, seed, rebuildIndexes });
      assert.equal(catalogHash(db), sha256, `seed ${seed}, rebuildIndexes ${rebuildIndexes}`);
      db.close();
    }
  });

  describe('shape of a 10k-track catalog', () => {
    const db = synthetic(10_000, 42);
    const counts = catalogCounts(db);

    it('has exactly the tracks asked for, valid foreign keys, every genre and media type', () => {
      assert.equal(counts.tracks, 10_000);
      assert.equal(one<{ n: number }>(db, 'SELECT max(id) AS n FROM chinook_tracks').n, 10_000);
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      assert.deepEqual(
        all<{ name: string }>(db, 'SELECT name FROM chinook_genres ORDER BY id').map((g) => g.name),
        GENRES.map((g) => g.name),
      );
      assert.equal(one<{ n: number }>(db, 'SELECT count(DISTINCT genre_id) AS n FROM chinook_tracks').n, 25);
      assert.equal(one<{ n: number }>(db, 'SELECT count(DISTINCT media_type_id) AS n FROM chinook_tracks').n, MEDIA_TYPES.length);
      assert.ok(counts.playlists > 25 && counts.playlistTracks > 5000, JSON.stringify(counts));
      assert.ok(counts.customers >= 59 && counts.employees >= 8 && counts.invoices > 500, JSON.stringify(counts));
    });

    it('has albums of 8–20 tracks, artists with 1–10 albums, and slugs made from the name and id', () => {
      const albums = one<{ lo: number; hi: number }>(db, 'SELECT min(n) AS lo, max(n) AS hi FROM (SELECT count(*) AS n FROM chinook_tracks GROUP BY album_id)');
      assert.ok(albums.lo >= 8 && albums.hi <= 20, JSON.stringify(albums));
      const artists = one<{ lo: number; hi: number }>(
        db,
        'SELECT min(n) AS lo, max(n) AS hi FROM (SELECT count(*) AS n FROM chinook_albums GROUP BY artist_id)',
      );
      assert.ok(artists.lo >= 1 && artists.hi <= 10, JSON.stringify(artists));
      assert.equal(one<{ n: number }>(db, 'SELECT count(*) AS n FROM chinook_artists WHERE id NOT IN (SELECT artist_id FROM chinook_albums)').n, 0);
      for (const t of all<{ id: number; name: string; slug: string }>(db, 'SELECT id, name, slug FROM chinook_tracks WHERE id % 97 = 0')) {
        assert.equal(t.slug, trackSlug(t.name, t.id));
      }
      assert.equal(one<{ n: number }>(db, "SELECT count(*) AS n FROM chinook_tracks WHERE public_id NOT GLOB '[0-9a-f]*' OR length(public_id) <> 32").n, 0);
    });

    it('has Chinook-like values: ~28% without composer, ~4 min songs, bytes by media type, 0.99/1.99 prices', () => {
      const share = one<{ s: number }>(db, 'SELECT avg(composer IS NULL) AS s FROM chinook_tracks').s;
      assert.ok(share > 0.2 && share < 0.36, `composer-less share ${share}`);
      const audio = all<{ ms: number }>(db, `SELECT milliseconds AS ms FROM chinook_tracks WHERE media_type_id <> ${VIDEO_MEDIA_TYPE} ORDER BY milliseconds`);
      const median = audio[Math.floor(audio.length / 2)]!.ms / 1000;
      assert.ok(median > 180 && median < 300, `median audio length ${median} s`);
      for (const m of MEDIA_TYPES) {
        const r = one<{ lo: number | null; hi: number | null }>(
          db,
          'SELECT min(bytes * 1.0 / milliseconds) AS lo, max(bytes * 1.0 / milliseconds) AS hi FROM chinook_tracks WHERE media_type_id = ?',
          m.id,
        );
        assert.ok(r.lo !== null && r.lo >= m.bytesPerMs * 0.94 && r.hi! <= m.bytesPerMs * 1.06, `${m.name}: ${JSON.stringify(r)}`);
      }
      assert.deepEqual(
        all<{ p: number }>(db, 'SELECT DISTINCT unit_price AS p FROM chinook_tracks ORDER BY 1').map((r) => r.p),
        [0.99, 1.99],
      );
      assert.equal(one<{ n: number }>(db, `SELECT count(*) AS n FROM chinook_tracks WHERE (media_type_id = ${VIDEO_MEDIA_TYPE}) <> (unit_price = 1.99)`).n, 0);
      // Names look like a record shop's: accents, ampersands, featured artists.
      assert.ok(one<{ n: number }>(db, "SELECT count(*) AS n FROM chinook_artists WHERE name LIKE '%&%'").n > 0);
      assert.ok(one<{ n: number }>(db, "SELECT count(*) AS n FROM chinook_tracks WHERE name LIKE '%feat.%' OR composer LIKE '%&%'").n > 0);
      assert.ok(all<{ name: string }>(db, 'SELECT name FROM chinook_artists').some((a) => /[^\x20-\x7e]/.test(a.name)));
    });

    it('keeps artists in one genre mostly and playlists around their genres', () => {
      // Share of each artist's tracks in that artist's main genre, averaged over artists.
      const artistCoherence = one<{ s: number }>(
        db,
        `SELECT avg(top * 1.0 / total) AS s FROM (
           SELECT artist_id, max(n) AS top, sum(n) AS total FROM (
             SELECT al.artist_id, t.genre_id, count(*) AS n FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id GROUP BY 1, 2
           ) GROUP BY artist_id)`,
      ).s;
      assert.ok(artistCoherence > 0.85, `artist genre coherence ${artistCoherence}`);
      const playlistCoherence = one<{ s: number }>(
        db,
        `SELECT avg(top * 1.0 / total) AS s FROM (
           SELECT playlist_id, max(n) AS top, sum(n) AS total FROM (
             SELECT pt.playlist_id, t.genre_id, count(*) AS n FROM chinook_playlist_track pt JOIN chinook_tracks t ON t.id = pt.track_id GROUP BY 1, 2
           ) GROUP BY playlist_id HAVING sum(n) >= 10)`,
      ).s;
      const rockShare = one<{ s: number }>(db, 'SELECT avg(genre_id = 1) AS s FROM chinook_tracks').s;
      assert.ok(playlistCoherence > rockShare + 0.2, `playlist genre coherence ${playlistCoherence} vs biggest genre share ${rockShare}`);
    });

    it('has invoices of 1–14 lines whose totals add up, sales skewed to a few tracks, and baskets that share albums', () => {
      const sizes = one<{ lo: number; hi: number }>(
        db,
        'SELECT min(n) AS lo, max(n) AS hi FROM (SELECT count(*) AS n FROM chinook_invoice_lines GROUP BY invoice_id)',
      );
      assert.ok(sizes.lo >= 1 && sizes.hi <= 14, JSON.stringify(sizes));
      assert.equal(
        one<{ n: number }>(
          db,
          'SELECT count(*) AS n FROM chinook_invoices i WHERE abs(i.total - (SELECT sum(unit_price * quantity) FROM chinook_invoice_lines l WHERE l.invoice_id = i.id)) > 0.001',
        ).n,
        0,
      );
      const years = one<{ lo: string; hi: string }>(db, 'SELECT min(invoice_date) AS lo, max(invoice_date) AS hi FROM chinook_invoices');
      assert.ok(years.lo.startsWith('2021-') && years.hi.startsWith('2025-'), JSON.stringify(years));
      // Zipf-like: the best-selling 1% of tracks carry far more than 1% of the sales.
      const lines = counts.invoiceLines;
      const top = one<{ n: number }>(
        db,
        'SELECT sum(n) AS n FROM (SELECT count(*) AS n FROM chinook_invoice_lines GROUP BY track_id ORDER BY n DESC LIMIT ?)',
        counts.tracks / 100,
      ).n;
      assert.ok(top / lines > 0.1, `top 1% of tracks have ${((100 * top) / lines).toFixed(1)}% of sales`);
      const sameAlbum = one<{ s: number }>(
        db,
        `SELECT avg(albums < lines) AS s FROM (
           SELECT count(DISTINCT t.album_id) AS albums, count(*) AS lines FROM chinook_invoice_lines l JOIN chinook_tracks t ON t.id = l.track_id
           GROUP BY l.invoice_id HAVING count(*) >= 2)`,
      ).s;
      assert.ok(sameAlbum > 0.3, `share of multi-line invoices with two tracks of one album: ${sameAlbum}`);
    });

    it('leaves the search index filled', () => {
      assert.equal(searchStats(db).indexedTracks, 10_000);
    });
  });

  it('skips a filled catalog, --force replaces it (also over the official import), and bad sizes are refused', () => {
    const db = openPrimary(testConfig());
    importOfficial(db, chinookSource);
    const skipped = importSynthetic(db, { tracks: 1500 });
    assert.equal(skipped.skipped, true);
    assert.equal(skipped.counts.tracks, 3503);
    const forced = importSynthetic(db, { tracks: 1500, seed: 3, force: true });
    assert.equal(forced.skipped, false);
    assert.equal(forced.counts.tracks, 1500);
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    const fresh = synthetic(1500, 3);
    assert.equal(catalogHash(db), catalogHash(fresh), 'a forced import equals an import into an empty database');
    for (const tracks of [0, -1, 1.5, 5_000_001, Number.NaN]) {
      assert.throws(() => importSynthetic(db, { tracks, force: true }), RangeError);
    }
    assert.throws(() => importSynthetic(db, { tracks: 10, seed: -1, force: true }), RangeError);
    assert.equal(catalogCounts(db).tracks, 1500);
    db.close();
    fresh.close();
  });

  it('gives the same rows and the same indexes when the secondary indexes are rebuilt after the load', () => {
    const indexes = (db: Db) => all<{ name: string; sql: string }>(db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name");
    const plain = openPrimary(testConfig());
    importSynthetic(plain, { tracks: 2000, seed: 9, rebuildIndexes: false });
    const rebuilt = openPrimary(testConfig());
    const labels = new Set<string>();
    importSynthetic(rebuilt, { tracks: 2000, seed: 9, rebuildIndexes: true, onProgress: (_d, _t, l) => labels.add(l) });
    assert.ok(labels.has('indexes'));
    assert.equal(catalogHash(rebuilt), catalogHash(plain));
    assert.deepEqual(indexes(rebuilt), indexes(plain));
    assert.equal(rebuilt.pragma('integrity_check', { simple: true }), 'ok');
    plain.close();
    rebuilt.close();
  });

  it('reports progress per batch, monotonically, ending at the total', () => {
    const db = openPrimary(testConfig());
    const calls: [number, number, string][] = [];
    importSynthetic(db, { tracks: 2000, batchSize: 500, onProgress: (d, t, l) => calls.push([d, t, l]) });
    assert.ok(calls.length >= 8, `${calls.length} progress calls`);
    const total = calls[0]![1];
    for (let i = 1; i < calls.length; i++) {
      assert.ok(calls[i]![0] >= calls[i - 1]![0], 'done never goes back');
      assert.equal(calls[i]![1], total);
    }
    assert.deepEqual(calls.at(-1), [total, total, 'done']);
    assert.ok(calls.some(([, , l]) => l === 'tracks') && calls.some(([, , l]) => l === 'invoices'));
    db.close();
  });

  it('runs from the CLI: import --synthetic, refusal without --force, and option errors', async () => {
    const dbPath = path.join(tempDir(), 'cli.sqlite');
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--db', dbPath, ...args], {
        cwd: projectRoot,
        env: { ...process.env, CHINOOK_SOURCE: '' },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const first = await cli('import', '--synthetic', '--tracks', '2000', '--quiet');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /2000 tracks/);
    assert.match(first.stdout, /seed 42/);
    const again = await cli('import', '--synthetic', '--tracks', '2000', '--seed', '5', '--quiet');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already imported.*--force/);
    const both = await cli('import', '--synthetic', '--source', chinookSource);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /--source and --synthetic cannot be used together/);
    const tooMany = await cli('import', '--synthetic', '--tracks', '0');
    assert.notEqual(tooMany.code, 0);
    assert.match(tooMany.stderr, /--tracks must be a whole number from 1 to 5000000/);
    const seedAlone = await cli('import', '--seed', '3');
    assert.notEqual(seedAlone.code, 0);
    assert.match(seedAlone.stderr, /add --synthetic/);
  });
});
