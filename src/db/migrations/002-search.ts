// Full-text search: FTS5 index, suggestion index and the triggers that keep both in step
// with the catalog; rows already present are indexed here.
//
// Frozen: this is the schema as version 2 shipped it (porter-stemmed index, triggers without
// the suggestion generation of 007). Later versions change it in their own migrations; the
// live definitions are in src/search/schema.ts. Nothing here may import from src/search.
import type { Migration } from '../migrations.ts';

/** One row per track, the text the index held for it at version 2. */
const SOURCE = `
  SELECT t.id, t.name, COALESCE(al.title, ''), COALESCE(ar.name, ''), COALESCE(g.name, ''), COALESCE(t.composer, '')
  FROM chinook_tracks t
  LEFT JOIN chinook_albums al ON al.id = t.album_id
  LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
  LEFT JOIN chinook_genres g ON g.id = t.genre_id`;
const insertTrack = (where: string) => `INSERT INTO music_search_fts (rowid, name, album, artist, genre, composer) ${SOURCE} WHERE ${where};`;
const reindexTracks = (where: string) =>
  `DELETE FROM music_search_fts WHERE rowid IN (SELECT t.id FROM chinook_tracks t WHERE ${where}); ${insertTrack(where)}`;

// Suggestion rowids: id * 4 + 1 (track), 2 (album), 3 (artist).
const TRIGGERS = [
  `CREATE TRIGGER search_tracks_ai AFTER INSERT ON chinook_tracks BEGIN
     ${insertTrack('t.id = new.id')}
     INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 1, new.name);
   END`,
  `CREATE TRIGGER search_tracks_au AFTER UPDATE OF id, name, album_id, genre_id, composer ON chinook_tracks BEGIN
     DELETE FROM music_search_fts WHERE rowid = old.id;
     ${insertTrack('t.id = new.id')}
     DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 1;
     INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 1, new.name);
   END`,
  `CREATE TRIGGER search_tracks_ad AFTER DELETE ON chinook_tracks BEGIN
     DELETE FROM music_search_fts WHERE rowid = old.id;
     DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 1;
   END`,
  `CREATE TRIGGER search_albums_ai AFTER INSERT ON chinook_albums BEGIN
     ${reindexTracks('t.album_id = new.id')}
     INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 2, new.title);
   END`,
  `CREATE TRIGGER search_albums_au AFTER UPDATE OF id, title, artist_id ON chinook_albums BEGIN
     ${reindexTracks('t.album_id IN (old.id, new.id)')}
     DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 2;
     INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 2, new.title);
   END`,
  `CREATE TRIGGER search_albums_ad AFTER DELETE ON chinook_albums BEGIN
     ${reindexTracks('t.album_id = old.id')}
     DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 2;
   END`,
  `CREATE TRIGGER search_artists_ai AFTER INSERT ON chinook_artists BEGIN
     ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id = new.id)')}
     INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 3, new.name);
   END`,
  `CREATE TRIGGER search_artists_au AFTER UPDATE OF id, name ON chinook_artists BEGIN
     ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id IN (old.id, new.id))')}
     DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 3;
     INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 3, new.name);
   END`,
  `CREATE TRIGGER search_artists_ad AFTER DELETE ON chinook_artists BEGIN
     ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id = old.id)')}
     DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 3;
   END`,
  `CREATE TRIGGER search_genres_ai AFTER INSERT ON chinook_genres BEGIN ${reindexTracks('t.genre_id = new.id')} END`,
  `CREATE TRIGGER search_genres_au AFTER UPDATE OF id, name ON chinook_genres BEGIN ${reindexTracks('t.genre_id IN (old.id, new.id)')} END`,
  `CREATE TRIGGER search_genres_ad AFTER DELETE ON chinook_genres BEGIN ${reindexTracks('t.genre_id = old.id')} END`,
];

export const searchSchema: Migration = {
  version: 2,
  name: '002-search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE music_search_fts USING fts5(
        name, album, artist, genre, composer,
        tokenize = 'porter unicode61 remove_diacritics 2',
        prefix = '2 3'
      );
      INSERT INTO music_search_fts (music_search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 8.0, 1.5, 2.0)');
      CREATE VIRTUAL TABLE music_suggest_fts USING fts5(
        text,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
      );
      CREATE VIRTUAL TABLE music_search_vocab USING fts5vocab(music_search_fts, 'row');
      CREATE TABLE search_index_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      -- Popularity (units sold) per matched track is one seek in this covering index.
      CREATE INDEX IF NOT EXISTS idx_invoice_lines_track_quantity ON chinook_invoice_lines(track_id, quantity);
    `);
    for (const sql of TRIGGERS) db.exec(sql);
    // Rows already in the catalog (an import before this version).
    db.exec(`
      INSERT INTO music_search_fts (rowid, name, album, artist, genre, composer) ${SOURCE};
      INSERT INTO music_suggest_fts (rowid, text) SELECT id * 4 + 1, name FROM chinook_tracks;
      INSERT INTO music_suggest_fts (rowid, text) SELECT id * 4 + 2, title FROM chinook_albums;
      INSERT INTO music_suggest_fts (rowid, text) SELECT id * 4 + 3, name FROM chinook_artists;
    `);
    db.prepare("INSERT INTO search_index_state (key, value) VALUES ('last_rebuild', ?)").run(new Date().toISOString());
  },
};
