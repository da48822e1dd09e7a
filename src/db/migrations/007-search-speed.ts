// Search speed: stored suggestion lists for one- and two-letter prefixes, invalidated by a
// generation the catalog triggers bump (so the track, album and artist triggers are recreated
// with that bump), and the lists filled once.
//
// Frozen: the schema and the fill as version 7 shipped them; the live definitions are in
// src/search/. Nothing here may import from src/search.
import type { Migration } from '../migrations.ts';

const SOURCE = `
  SELECT t.id, t.name, COALESCE(al.title, ''), COALESCE(ar.name, ''), COALESCE(g.name, ''), COALESCE(t.composer, '')
  FROM chinook_tracks t
  LEFT JOIN chinook_albums al ON al.id = t.album_id
  LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
  LEFT JOIN chinook_genres g ON g.id = t.genre_id`;
const insertTrack = (where: string) => `INSERT INTO music_search_fts (rowid, name, album, artist, genre, composer) ${SOURCE} WHERE ${where};`;
const reindexTracks = (where: string) =>
  `DELETE FROM music_search_fts WHERE rowid IN (SELECT t.id FROM chinook_tracks t WHERE ${where}); ${insertTrack(where)}`;
const BUMP = 'UPDATE search_suggest_gen SET gen = gen + 1 WHERE id = 1;';

// Suggestion rowids: id * 4 + 1 (track), 2 (album), 3 (artist). The genre triggers stay as version 2 made them.
const TRIGGERS: [name: string, sql: string][] = [
  [
    'search_tracks_ai',
    `AFTER INSERT ON chinook_tracks BEGIN
       ${insertTrack('t.id = new.id')}
       INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 1, new.name);
       ${BUMP}
     END`,
  ],
  [
    'search_tracks_au',
    `AFTER UPDATE OF id, name, album_id, genre_id, composer ON chinook_tracks BEGIN
       DELETE FROM music_search_fts WHERE rowid = old.id;
       ${insertTrack('t.id = new.id')}
       DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 1;
       INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 1, new.name);
       ${BUMP}
     END`,
  ],
  [
    'search_tracks_ad',
    `AFTER DELETE ON chinook_tracks BEGIN
       DELETE FROM music_search_fts WHERE rowid = old.id;
       DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 1;
       ${BUMP}
     END`,
  ],
  [
    'search_albums_ai',
    `AFTER INSERT ON chinook_albums BEGIN
       ${reindexTracks('t.album_id = new.id')}
       INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 2, new.title);
       ${BUMP}
     END`,
  ],
  [
    'search_albums_au',
    `AFTER UPDATE OF id, title, artist_id ON chinook_albums BEGIN
       ${reindexTracks('t.album_id IN (old.id, new.id)')}
       DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 2;
       INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 2, new.title);
       ${BUMP}
     END`,
  ],
  [
    'search_albums_ad',
    `AFTER DELETE ON chinook_albums BEGIN
       ${reindexTracks('t.album_id = old.id')}
       DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 2;
       ${BUMP}
     END`,
  ],
  [
    'search_artists_ai',
    `AFTER INSERT ON chinook_artists BEGIN
       ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id = new.id)')}
       INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 3, new.name);
       ${BUMP}
     END`,
  ],
  [
    'search_artists_au',
    `AFTER UPDATE OF id, name ON chinook_artists BEGIN
       ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id IN (old.id, new.id))')}
       DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 3;
       INSERT INTO music_suggest_fts (rowid, text) VALUES (new.id * 4 + 3, new.name);
       ${BUMP}
     END`,
  ],
  [
    'search_artists_ad',
    `AFTER DELETE ON chinook_artists BEGIN
       ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id = old.id)')}
       DELETE FROM music_suggest_fts WHERE rowid = old.id * 4 + 3;
       ${BUMP}
     END`,
  ],
];

/** Every [a-z0-9]{1,2} prefix. */
function prefixes(): string[] {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const out: string[] = [];
  for (const a of chars) {
    out.push(a);
    for (const b of chars) out.push(a + b);
  }
  return out;
}

export const searchSpeedSchema: Migration = {
  version: 7,
  name: '007-search-speed',
  up(db) {
    db.exec(`
      -- entries: JSON [[kind, id, text], …], best first, at most 20.
      CREATE TABLE IF NOT EXISTS search_suggest_prefix (
        prefix TEXT PRIMARY KEY,
        gen INTEGER NOT NULL,
        built_at INTEGER NOT NULL,
        entries TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS search_suggest_gen (id INTEGER PRIMARY KEY CHECK (id = 1), gen INTEGER NOT NULL);
      INSERT OR IGNORE INTO search_suggest_gen (id, gen) VALUES (1, 0);
    `);
    for (const [name, body] of TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${name}; CREATE TRIGGER ${name} ${body}`);

    // The lists: popularity (units sold, plus plays for a track) summed once per name, then the best 20 names per prefix.
    db.exec(`
      CREATE TEMP TABLE search_suggest_pop (rowid INTEGER PRIMARY KEY, pop INTEGER NOT NULL);
      WITH sold AS (SELECT track_id, sum(quantity) AS n FROM chinook_invoice_lines GROUP BY track_id),
           played AS (SELECT track_id, plays AS n FROM track_play_counts),
           track AS (SELECT t.id, t.album_id, COALESCE(s.n, 0) AS sold, COALESCE(s.n, 0) + COALESCE(p.n, 0) AS pop
                     FROM chinook_tracks t LEFT JOIN sold s ON s.track_id = t.id LEFT JOIN played p ON p.track_id = t.id)
      INSERT INTO temp.search_suggest_pop (rowid, pop)
        SELECT id * 4 + 1, pop FROM track WHERE pop > 0
        UNION ALL
        SELECT album_id * 4 + 2, sum(sold) FROM track WHERE album_id IS NOT NULL GROUP BY album_id HAVING sum(sold) > 0
        UNION ALL
        SELECT al.artist_id * 4 + 3, sum(t.sold) FROM track t JOIN chinook_albums al ON al.id = t.album_id
        WHERE al.artist_id IS NOT NULL GROUP BY al.artist_id HAVING sum(t.sold) > 0;
    `);
    const top = db.prepare(`
      SELECT s.rowid % 4 AS kind, s.rowid / 4 AS id, s.text
      FROM music_suggest_fts s LEFT JOIN temp.search_suggest_pop p ON p.rowid = s.rowid
      WHERE music_suggest_fts MATCH ?
      ORDER BY COALESCE(p.pop, 0) DESC, length(s.text), s.rowid
      LIMIT 20`);
    const store = db.prepare('INSERT INTO search_suggest_prefix (prefix, gen, built_at, entries) VALUES (?, 0, ?, ?)');
    const now = Date.now();
    db.exec('DELETE FROM search_suggest_prefix');
    for (const prefix of prefixes()) {
      const rows = top.all(`"${prefix}" *`) as { kind: number; id: number; text: string }[];
      store.run(prefix, now, JSON.stringify(rows.map((r) => [r.kind, r.id, r.text])));
    }
    db.exec('DROP TABLE temp.search_suggest_pop');
  },
};
