// The faster search paths answer exactly what the straightforward ones do: stored one- and
// two-letter suggestion lists equal a live ranking (after import, after catalog writes, after
// sales once they age out), and popularity looked up for the page's ties only still breaks
// ties across a page boundary.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../src/config.ts';
import { type Db, openPrimary } from '../../src/db/connection.ts';
import { foldTail } from '../../src/db/deferred-indexes.ts';
import { migrations } from '../../src/db/migrations.ts';
import { rebuildSearchIndex, SearchService } from '../../src/search/index.ts';
import { TRIGGER_NAMES } from '../../src/search/schema.ts';
import { storedPrefixes } from '../../src/search/suggest.ts';
import { playsIndex } from '../../src/store/plays.ts';
import { importedDb } from '../helpers.ts';

describe('stored suggestion lists', () => {
  let db: Db;
  let config: Config;
  let search: SearchService;
  before(() => {
    ({ db, config } = importedDb());
    search = new SearchService(db);
  });
  after(() => db.close());

  const storedGen = (prefix: string) => db.prepare('SELECT gen FROM search_suggest_prefix WHERE prefix = ?').pluck().get(prefix) as number;
  const currentGen = () => db.prepare('SELECT gen FROM search_suggest_gen').pluck().get() as number;

  it('are filled for every one- and two-letter prefix by the import and equal the live ranking', () => {
    const prefixes = storedPrefixes();
    assert.equal(db.prepare('SELECT count(*) FROM search_suggest_prefix').pluck().get(), prefixes.length);
    for (const p of prefixes) {
      assert.equal(storedGen(p), currentGen(), p);
      assert.deepEqual(search.suggest(p, 20).suggestions, search.suggestLive(p, 20).suggestions, p);
    }
    // Smaller limits are a prefix of the stored list, as LIMIT would give.
    assert.deepEqual(search.suggest('m', 5).suggestions, search.suggestLive('m', 5).suggestions);
    assert.equal(search.suggest('m', 5).suggestions.length, 5);
  });

  it('follow renames, inserts, moves and deletes at once', () => {
    const metallica = db.prepare("SELECT id FROM chinook_artists WHERE name = 'Metallica'").pluck().get() as number;
    assert.ok(search.suggest('m', 20).suggestions.some((s) => s.type === 'artist' && s.id === metallica));
    db.prepare('UPDATE chinook_artists SET name = ? WHERE id = ?').run('Qzzt Heavy Band', metallica);
    assert.ok(!search.suggest('me', 20).suggestions.some((s) => s.type === 'artist' && s.id === metallica), 'old name gone');
    assert.deepEqual(
      search.suggest('qz').suggestions.find((s) => s.type === 'artist'),
      { text: 'Qzzt Heavy Band', type: 'artist', id: metallica },
    );
    const track = Number(
      db
        .prepare(
          "INSERT INTO chinook_tracks (slug, name, album_id, media_type_id, genre_id, milliseconds, unit_price) VALUES ('qzzt-one', 'Qzzt One', 1, 1, 1, 1000, 0.99)",
        )
        .run().lastInsertRowid,
    );
    assert.ok(search.suggest('qz').suggestions.some((s) => s.type === 'track' && s.id === track));
    db.prepare('UPDATE chinook_tracks SET name = ? WHERE id = ?').run('Xqqv One', track);
    assert.ok(!search.suggest('qz').suggestions.some((s) => s.id === track && s.type === 'track'));
    assert.ok(search.suggest('xq').suggestions.some((s) => s.id === track && s.type === 'track'));
    db.prepare('DELETE FROM chinook_tracks WHERE id = ?').run(track);
    assert.deepEqual(search.suggest('xq').suggestions, search.suggestLive('xq').suggestions);
    assert.ok(!search.suggest('xq').suggestions.some((s) => s.id === track && s.type === 'track'));
    // Moving an album to another artist moves its sales between the artists' popularity.
    db.prepare('UPDATE chinook_albums SET artist_id = ? WHERE id = (SELECT min(id) FROM chinook_albums WHERE artist_id = ?)').run(1, metallica);
    for (const p of ['m', 'q', 'qz', 'a', 'ac']) assert.deepEqual(search.suggest(p, 20).suggestions, search.suggestLive(p, 20).suggestions, p);
  });

  it('are recomputed once older than maxAgeMs, so sales reach their order', () => {
    // A track far down the "w" list becomes the best seller.
    const live = search.suggestLive('w', 20).suggestions;
    const last = live.at(-1);
    assert.ok(last);
    const fresh = new SearchService(db, { suggest: { maxAgeMs: 0 } });
    const stale = new SearchService(db);
    assert.deepEqual(stale.suggest('w', 20).suggestions, live);
    const tracks =
      last.type === 'track'
        ? [last.id]
        : (db
            .prepare(
              last.type === 'album'
                ? 'SELECT id FROM chinook_tracks WHERE album_id = ?'
                : 'SELECT t.id FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id WHERE al.artist_id = ?',
            )
            .pluck()
            .all(last.id) as number[]);
    db.prepare('INSERT INTO chinook_invoice_lines (invoice_id, track_id, unit_price, quantity) VALUES (1, ?, 0.99, 1000)').run(tracks[0]);
    // Within maxAgeMs the stored order stands (sales do not bump the generation)…
    assert.deepEqual(stale.suggest('w', 20).suggestions, live);
    // …and once it has aged, the list is recomputed and stored again.
    assert.deepEqual(fresh.suggest('w', 20).suggestions[0], last);
    assert.deepEqual(stale.suggest('w', 20).suggestions[0], last);
  });

  it('answer right on a read-only connection that cannot store a recomputed list', () => {
    db.prepare("UPDATE chinook_artists SET name = name || '' WHERE id = 1").run();
    const ro = openPrimary(config, { readonly: true });
    try {
      const roSearch = new SearchService(ro);
      assert.deepEqual(roSearch.suggest('a', 20).suggestions, search.suggestLive('a', 20).suggestions);
      assert.notEqual(storedGen('a'), currentGen());
    } finally {
      ro.close();
    }
    assert.deepEqual(search.suggest('a', 20).suggestions, search.suggestLive('a', 20).suggestions);
    assert.equal(storedGen('a'), currentGen());
  });

  it('are rebuilt with the index', () => {
    db.prepare("UPDATE chinook_artists SET name = name || '' WHERE id = 1").run();
    assert.notEqual(storedGen('b'), currentGen());
    rebuildSearchIndex(db);
    for (const p of ['b', 'be', '1', 'z']) {
      assert.equal(storedGen(p), currentGen());
      assert.deepEqual(search.suggest(p, 20).suggestions, search.suggestLive(p, 20).suggestions);
    }
  });
});

describe('search ranking with popularity looked up for ties on the page only', () => {
  let db: Db;
  let search: SearchService;
  before(() => {
    ({ db } = importedDb());
    search = new SearchService(db);
  });
  after(() => db.close());

  it('breaks an exact bm25 tie by popularity across a page boundary', () => {
    // Two tracks with identical indexed text score the same; sales decide, even for page 2.
    const insert = db.prepare(
      "INSERT INTO chinook_tracks (slug, name, album_id, media_type_id, genre_id, milliseconds, unit_price) VALUES (?, 'Vorpal Snicker', 1, 1, 1, 1000, 0.99)",
    );
    const first = Number(insert.run('vorpal-a').lastInsertRowid);
    const second = Number(insert.run('vorpal-b').lastInsertRowid);
    const page = (offset: number) => search.search({ q: 'vorpal', limit: 1, offset, facets: false }).hits.map((h) => h.id);
    assert.deepEqual([...page(0), ...page(1)], [first, second]);
    db.prepare('INSERT INTO chinook_invoice_lines (invoice_id, track_id, unit_price, quantity) VALUES (1, ?, 0.99, 2)').run(second);
    assert.deepEqual([...page(0), ...page(1)], [second, first]);
    // Plays count as well (anonymous plays have no user).
    for (let i = 0; i < 3; i++) db.prepare('INSERT INTO plays (user_id, track_id) VALUES (NULL, ?)').run(first);
    db.transaction(() => foldTail(db, playsIndex))(); // search reads per-track play counts, folded from the plays log
    assert.deepEqual([...page(0), ...page(1)], [first, second]);
  });
});

describe('migration 007 (search speed)', () => {
  it('upgrades a version-6 database: tables, lists, and triggers that bump the generation', () => {
    const { db, config } = importedDb();
    // Back to what version 6 had: no prefix tables, triggers without the generation bump.
    const triggerSql = db
      .prepare(`SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name IN (${TRIGGER_NAMES.map(() => '?').join(',')})`)
      .pluck()
      .all(...TRIGGER_NAMES) as string[];
    for (const name of TRIGGER_NAMES) db.exec(`DROP TRIGGER ${name}`);
    // Migration 010's trigger holds nothing but the bump: it goes, and 010 runs again on the way up.
    for (const sql of triggerSql)
      if (!sql.includes('search_tracks_details_au')) db.exec(sql.replace(/UPDATE search_suggest_gen SET gen = gen \+ 1 WHERE id = 1;/g, ''));
    // Later migrations' tables go too: they run again on the way up.
    db.exec('DROP TABLE search_suggest_prefix; DROP TABLE search_suggest_gen; DROP TABLE vector_changes; DROP VIEW track_popularity; PRAGMA user_version = 6');
    db.close();
    const upgraded = openPrimary(config);
    try {
      assert.equal(upgraded.pragma('user_version', { simple: true }), migrations.length);
      assert.equal(upgraded.prepare('SELECT count(*) FROM search_suggest_prefix').pluck().get(), storedPrefixes().length);
      const search = new SearchService(upgraded);
      assert.deepEqual(search.suggest('m', 20).suggestions, search.suggestLive('m', 20).suggestions);
      const gen = upgraded.prepare('SELECT gen FROM search_suggest_gen').pluck().get() as number;
      upgraded.prepare("UPDATE chinook_artists SET name = 'Mmmzz' WHERE id = 1").run();
      assert.equal(upgraded.prepare('SELECT gen FROM search_suggest_gen').pluck().get(), gen + 1);
      assert.deepEqual(search.suggest('m', 20).suggestions, search.suggestLive('m', 20).suggestions);
    } finally {
      upgraded.close();
    }
  });
});
