// Migrations are append-only: 002 and 007 hold the search schema as their versions shipped it
// and import nothing from src/search, so changing search cannot change them. The newest search
// migration (010) and the live definitions that rebuilds and bulk loads use must agree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/config.ts';
import { type Db, openPrimary } from '../../src/db/connection.ts';
import { migrate, migrations } from '../../src/db/migrations.ts';
import { checkSearchIndex, rebuildSearchIndex, SearchService, withSearchIndexSuspended } from '../../src/search/index.ts';
import { testConfig } from '../helpers.ts';

const dir = path.join(projectRoot, 'src', 'db', 'migrations');

/** The search objects' definitions, whitespace-normalised. */
function searchSchema(db: Db): Record<string, string> {
  const rows = db
    .prepare(
      "SELECT name, sql FROM sqlite_schema WHERE (name LIKE 'search\\_%' ESCAPE '\\' OR name LIKE 'music\\_%' ESCAPE '\\') AND sql IS NOT NULL ORDER BY name",
    )
    .all() as { name: string; sql: string }[];
  return Object.fromEntries(
    rows.map((r) => [
      r.name,
      r.sql
        .replace(/\s+/g, ' ')
        .replace(/ IF NOT EXISTS/g, '')
        .trim(),
    ]),
  );
}

describe('search migrations', () => {
  it('002 and 007 import nothing from src/search (frozen text)', () => {
    for (const file of ['002-search.ts', '007-search-speed.ts', '010-search-forgiving.ts']) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const imports = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1] as string);
      assert.deepEqual(
        imports.filter((p) => p !== '../migrations.ts'),
        [],
        file,
      );
    }
  });

  it('a migrated database holds exactly what a rebuild and a bulk load recreate', () => {
    const db = openPrimary(testConfig());
    try {
      const migrated = searchSchema(db);
      assert.ok(Object.keys(migrated).length >= 18, Object.keys(migrated).join(', '));
      assert.doesNotMatch(migrated.music_search_fts ?? '', /porter/);
      rebuildSearchIndex(db);
      assert.deepEqual(searchSchema(db), migrated);
      withSearchIndexSuspended(db, () => {});
      assert.deepEqual(searchSchema(db), migrated);
    } finally {
      db.close();
    }
  });

  it('upgrades a version-8 database to the unstemmed index, re-indexing its rows', () => {
    const config = testConfig();
    const db = openPrimary(config, { skipMigrations: true });
    for (const m of migrations.slice(0, 8)) {
      db.transaction(() => {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      })();
    }
    db.exec(`INSERT INTO chinook_genres (id, name) VALUES (1, 'Rock'); INSERT INTO chinook_media_types (id, name) VALUES (1, 'MPEG');
             INSERT INTO chinook_artists (id, name) VALUES (1, 'The Runners');
             INSERT INTO chinook_albums (id, title, artist_id) VALUES (1, 'Running Wild', 1);
             INSERT INTO chinook_tracks (id, slug, name, album_id, media_type_id, genre_id, milliseconds, unit_price)
             VALUES (1, 'running-1', 'Running On Empty', 1, 1, 1, 1000, 0.99);`);
    // Version 8 stems: "runni" is no prefix of the indexed "run".
    assert.equal(db.prepare(`SELECT count(*) FROM music_search_fts WHERE music_search_fts MATCH '"runni" *'`).pluck().get(), 0);
    const r = migrate(db);
    try {
      assert.equal(r.to, migrations.length);
      assert.equal(db.prepare(`SELECT count(*) FROM music_search_fts WHERE music_search_fts MATCH '"runni" *'`).pluck().get(), 1);
      assert.equal(checkSearchIndex(db).ok, true);
      assert.equal(new SearchService(db).search({ q: 'runni', facets: false }).hits[0]?.id, 1);
    } finally {
      db.close();
    }
  });
});
