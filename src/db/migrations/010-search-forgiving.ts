// Forgiving search: the main index without the porter stemmer, so typo derivations, prefixes
// and the ranking's re-reading of candidates compare words as written ("osborne" was compared
// with the stem "osbourn", and "runni*" missed "running", stem "run"); its fts5vocab table is
// the unstemmed, diacritic-folded vocabulary the typo derivations come from. The genre
// triggers now bump the search generation too, and so does a change of a track's price,
// duration or media type: the search service caches the rows it ranks and shows, and drops
// them when the generation moves.
//
// Frozen: this is the schema as version 10 ships it; the live definitions are in
// src/search/schema.ts (test/db/search-migrations.test.ts holds the two equal). Nothing here
// may import from src/search.
import type { Migration } from '../migrations.ts';

const SOURCE = `
  SELECT t.id, t.name, COALESCE(al.title, ''), COALESCE(ar.name, ''), COALESCE(g.name, ''), COALESCE(t.composer, '')
  FROM chinook_tracks t
  LEFT JOIN chinook_albums al ON al.id = t.album_id
  LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
  LEFT JOIN chinook_genres g ON g.id = t.genre_id`;
const reindexTracks = (where: string) =>
  `DELETE FROM music_search_fts WHERE rowid IN (SELECT t.id FROM chinook_tracks t WHERE ${where}); INSERT INTO music_search_fts (rowid, name, album, artist, genre, composer) ${SOURCE} WHERE ${where};`;
const BUMP = 'UPDATE search_suggest_gen SET gen = gen + 1 WHERE id = 1;';

const TRIGGERS: [name: string, sql: string][] = [
  ['search_tracks_details_au', `AFTER UPDATE OF unit_price, milliseconds, media_type_id ON chinook_tracks BEGIN ${BUMP} END`],
  ['search_genres_ai', `AFTER INSERT ON chinook_genres BEGIN ${reindexTracks('t.genre_id = new.id')} ${BUMP} END`],
  ['search_genres_au', `AFTER UPDATE OF id, name ON chinook_genres BEGIN ${reindexTracks('t.genre_id IN (old.id, new.id)')} ${BUMP} END`],
  ['search_genres_ad', `AFTER DELETE ON chinook_genres BEGIN ${reindexTracks('t.genre_id = old.id')} ${BUMP} END`],
];

export const searchForgivingSchema: Migration = {
  version: 10,
  name: '010-search-forgiving',
  up(db) {
    db.exec(`
      DROP TABLE IF EXISTS music_search_vocab;
      DROP TABLE IF EXISTS music_search_fts;
      CREATE VIRTUAL TABLE music_search_fts USING fts5(
        name, album, artist, genre, composer,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
      );
      INSERT INTO music_search_fts (music_search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 8.0, 1.5, 2.0)');
      CREATE VIRTUAL TABLE music_search_vocab USING fts5vocab(music_search_fts, 'row');
      INSERT INTO music_search_fts (rowid, name, album, artist, genre, composer) ${SOURCE};
      ${BUMP}
    `);
    for (const [name, body] of TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${name}; CREATE TRIGGER ${name} ${body}`);
    db.prepare("INSERT INTO search_index_state (key, value) VALUES ('last_rebuild', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
      new Date().toISOString(),
    );
  },
};
