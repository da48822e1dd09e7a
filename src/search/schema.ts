// The search index's SQL: two FTS5 tables kept in step with the catalog by triggers.
//
// music_search_fts is a regular (self-contained) FTS5 table, rowid = track id, with the
// denormalised text of a track (its album, artist and genre names copied in). A regular
// table costs disk space, but a rename is an ordinary UPDATE: with external content the
// triggers would have to replay every old value exactly or the index silently rots.
// Unstemmed and diacritic-folded (migration 010): typo derivations, prefixes and the JS
// re-reading of candidates (match.ts) all compare the words as written; with porter,
// "osborne" was compared with stems ("osbourn") and "runni*" missed "running" (stem "run").
//
// music_suggest_fts holds only names (tracks, albums, artists), rowid = id * 4 + kind code,
// one namespace for three tables.
//
// These definitions are the current ones, used by rebuilds and bulk loads; the migrations
// that created each version keep their own frozen copy (src/db/migrations/).
//
// search_suggest_prefix holds the answer for every one- and two-letter ASCII prefix (the
// prefixes that match a large share of all names, so ranking them live costs a popularity
// sum per match: 1 ms on Chinook, 130 ms on 1M tracks). The catalog triggers bump
// search_suggest_gen; a list built under an older generation is recomputed on first use.
// The same generation tells the search service its vocabulary and candidate-text caches
// are stale (every trigger, genres included, bumps it).
import type { Db } from '../db/index.ts';

export const FTS = 'music_search_fts';
export const SUGGEST = 'music_suggest_fts';
export const VOCAB = 'music_search_vocab';
export const SUGGEST_PREFIX = 'search_suggest_prefix';
export const SUGGEST_GEN = 'search_suggest_gen';
/** Entries stored per prefix: the suggest route's maximum limit. */
export const SUGGEST_PREFIX_ENTRIES = 20;
/** The prefixes that get a stored list: what unicode61 leaves unchanged, so the typed text is the indexed text. */
export const STORED_PREFIX = /^[a-z0-9]{1,2}$/;

/** Column order of music_search_fts; bm25 weights and highlight() use these positions. */
export const FTS_COLUMNS = ['name', 'album', 'artist', 'genre', 'composer'] as const;
export type FtsColumn = (typeof FTS_COLUMNS)[number];

export const SUGGEST_KIND = { track: 1, album: 2, artist: 3 } as const;

/** bm25 weights by column: track name and artist above album above genre and composer. */
export const COLUMN_WEIGHTS = { name: 10, album: 4, artist: 8, genre: 1.5, composer: 2 } as const;

// Stored in the table's config, so `ORDER BY rank` uses it and FTS5 can sort inside the index.
const configureRank = `INSERT INTO ${FTS} (${FTS}, rank) VALUES ('rank', 'bm25(${FTS_COLUMNS.map((c) => COLUMN_WEIGHTS[c].toFixed(1)).join(', ')})')`;

const createFts = `
  CREATE VIRTUAL TABLE ${FTS} USING fts5(
    name, album, artist, genre, composer,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
  )`;

const createSuggest = `
  CREATE VIRTUAL TABLE ${SUGGEST} USING fts5(
    text,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
  )`;

/** One row per track, exactly what the main index holds for it. */
const sourceSelect = `
  SELECT t.id, t.name, COALESCE(al.title, ''), COALESCE(ar.name, ''), COALESCE(g.name, ''), COALESCE(t.composer, '')
  FROM chinook_tracks t
  LEFT JOIN chinook_albums al ON al.id = t.album_id
  LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
  LEFT JOIN chinook_genres g ON g.id = t.genre_id`;

const insertTrack = (where: string) => `INSERT INTO ${FTS} (rowid, name, album, artist, genre, composer) ${sourceSelect} WHERE ${where};`;
const reindexTracks = (where: string) => `DELETE FROM ${FTS} WHERE rowid IN (SELECT t.id FROM chinook_tracks t WHERE ${where}); ${insertTrack(where)}`;

const k = SUGGEST_KIND;

/** Any change to indexed text (and to what an album's or artist's popularity sums over). */
const bumpGen = `UPDATE ${SUGGEST_GEN} SET gen = gen + 1 WHERE id = 1;`;

/** Triggers run inside the writing transaction, so the index never lags a commit. */
const triggers: [name: string, sql: string][] = [
  [
    'search_tracks_ai',
    `AFTER INSERT ON chinook_tracks BEGIN
       ${insertTrack('t.id = new.id')}
       INSERT INTO ${SUGGEST} (rowid, text) VALUES (new.id * 4 + ${k.track}, new.name);
       ${bumpGen}
     END`,
  ],
  [
    'search_tracks_au',
    `AFTER UPDATE OF id, name, album_id, genre_id, composer ON chinook_tracks BEGIN
       DELETE FROM ${FTS} WHERE rowid = old.id;
       ${insertTrack('t.id = new.id')}
       DELETE FROM ${SUGGEST} WHERE rowid = old.id * 4 + ${k.track};
       INSERT INTO ${SUGGEST} (rowid, text) VALUES (new.id * 4 + ${k.track}, new.name);
       ${bumpGen}
     END`,
  ],
  [
    'search_tracks_ad',
    `AFTER DELETE ON chinook_tracks BEGIN
       DELETE FROM ${FTS} WHERE rowid = old.id;
       DELETE FROM ${SUGGEST} WHERE rowid = old.id * 4 + ${k.track};
       ${bumpGen}
     END`,
  ],
  [
    'search_albums_ai',
    // Normally no track points at a new album yet; with foreign_keys off one may.
    `AFTER INSERT ON chinook_albums BEGIN
       ${reindexTracks('t.album_id = new.id')}
       INSERT INTO ${SUGGEST} (rowid, text) VALUES (new.id * 4 + ${k.album}, new.title);
       ${bumpGen}
     END`,
  ],
  [
    'search_albums_au',
    `AFTER UPDATE OF id, title, artist_id ON chinook_albums BEGIN
       ${reindexTracks('t.album_id IN (old.id, new.id)')}
       DELETE FROM ${SUGGEST} WHERE rowid = old.id * 4 + ${k.album};
       INSERT INTO ${SUGGEST} (rowid, text) VALUES (new.id * 4 + ${k.album}, new.title);
       ${bumpGen}
     END`,
  ],
  [
    'search_albums_ad',
    `AFTER DELETE ON chinook_albums BEGIN
       ${reindexTracks('t.album_id = old.id')}
       DELETE FROM ${SUGGEST} WHERE rowid = old.id * 4 + ${k.album};
       ${bumpGen}
     END`,
  ],
  [
    'search_artists_ai',
    `AFTER INSERT ON chinook_artists BEGIN
       ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id = new.id)')}
       INSERT INTO ${SUGGEST} (rowid, text) VALUES (new.id * 4 + ${k.artist}, new.name);
       ${bumpGen}
     END`,
  ],
  [
    'search_artists_au',
    `AFTER UPDATE OF id, name ON chinook_artists BEGIN
       ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id IN (old.id, new.id))')}
       DELETE FROM ${SUGGEST} WHERE rowid = old.id * 4 + ${k.artist};
       INSERT INTO ${SUGGEST} (rowid, text) VALUES (new.id * 4 + ${k.artist}, new.name);
       ${bumpGen}
     END`,
  ],
  [
    'search_artists_ad',
    `AFTER DELETE ON chinook_artists BEGIN
       ${reindexTracks('t.album_id IN (SELECT id FROM chinook_albums WHERE artist_id = old.id)')}
       DELETE FROM ${SUGGEST} WHERE rowid = old.id * 4 + ${k.artist};
       ${bumpGen}
     END`,
  ],
  // Not indexed text, but what a hit shows: the search service's row cache follows the generation.
  ['search_tracks_details_au', `AFTER UPDATE OF unit_price, milliseconds, media_type_id ON chinook_tracks BEGIN ${bumpGen} END`],
  ['search_genres_ai', `AFTER INSERT ON chinook_genres BEGIN ${reindexTracks('t.genre_id = new.id')} ${bumpGen} END`],
  ['search_genres_au', `AFTER UPDATE OF id, name ON chinook_genres BEGIN ${reindexTracks('t.genre_id IN (old.id, new.id)')} ${bumpGen} END`],
  ['search_genres_ad', `AFTER DELETE ON chinook_genres BEGIN ${reindexTracks('t.genre_id = old.id')} ${bumpGen} END`],
];

export const TRIGGER_NAMES = triggers.map(([name]) => name);

export function createTriggers(db: Db): void {
  for (const [name, body] of triggers) db.exec(`CREATE TRIGGER IF NOT EXISTS ${name} ${body}`);
}

export function dropTriggers(db: Db): void {
  for (const name of TRIGGER_NAMES) db.exec(`DROP TRIGGER IF EXISTS ${name}`);
}

export function triggersPresent(db: Db): number {
  const placeholders = TRIGGER_NAMES.map(() => '?').join(',');
  return (db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger' AND name IN (${placeholders})`).get(...TRIGGER_NAMES) as { n: number }).n;
}

export type RebuildProgress = (done: number, total: number, label: string) => void;

const BATCH = 50_000;

/**
 * Drops and refills both FTS tables from the catalog. Dropping is what makes this fast:
 * deleting every row of a regular FTS5 table reads each row back to unindex it. The caller
 * provides the transaction (so readers see the old index until COMMIT).
 */
export function fillIndex(db: Db, onProgress?: RebuildProgress): { tracks: number } {
  db.exec(`DROP TABLE IF EXISTS ${VOCAB}; DROP TABLE IF EXISTS ${FTS}; DROP TABLE IF EXISTS ${SUGGEST};`);
  db.exec(`${createFts}; ${configureRank}; ${createSuggest}; CREATE VIRTUAL TABLE ${VOCAB} USING fts5vocab(${FTS}, 'row');`);
  const bounds = db.prepare('SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM chinook_tracks').get() as {
    n: number;
    lo: number | null;
    hi: number | null;
  };
  const insertRange = db.prepare(`INSERT INTO ${FTS} (rowid, name, album, artist, genre, composer) ${sourceSelect} WHERE t.id BETWEEN ? AND ?`);
  const suggestRange = db.prepare(`INSERT INTO ${SUGGEST} (rowid, text) SELECT id * 4 + ${k.track}, name FROM chinook_tracks WHERE id BETWEEN ? AND ?`);
  let done = 0;
  onProgress?.(0, bounds.n, 'tracks');
  if (bounds.lo !== null && bounds.hi !== null) {
    for (let lo = bounds.lo; lo <= bounds.hi; lo += BATCH) {
      const hi = lo + BATCH - 1;
      done += insertRange.run(lo, hi).changes;
      suggestRange.run(lo, hi);
      onProgress?.(done, bounds.n, 'tracks');
    }
  }
  db.exec(`
    INSERT INTO ${SUGGEST} (rowid, text) SELECT id * 4 + ${k.album}, title FROM chinook_albums;
    INSERT INTO ${SUGGEST} (rowid, text) SELECT id * 4 + ${k.artist}, name FROM chinook_artists;
  `);
  setState(db, 'last_rebuild', new Date().toISOString());
  return { tracks: done };
}

export function setState(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO search_index_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function getState(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM search_index_state WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}
