// Rebuild, optimize, stats and integrity check of the search index, and the bulk-load
// switch the importers use.
import type { Db } from '../db/index.ts';
import { createTriggers, dropTriggers, FTS, fillIndex, getState, type RebuildProgress, SUGGEST, setState, TRIGGER_NAMES, triggersPresent } from './schema.ts';
import { fillSuggestPrefixes } from './suggest.ts';

export interface RebuildResult {
  tracks: number;
  ms: number;
}

/** Rebuilds both indexes from the catalog in one transaction; readers keep the old index until COMMIT. */
export function rebuildSearchIndex(db: Db, onProgress?: RebuildProgress): RebuildResult {
  const started = performance.now();
  const run = () => {
    const r = fillIndex(db, onProgress);
    fillSuggestPrefixes(db);
    createTriggers(db);
    return r;
  };
  const { tracks } = db.inTransaction ? run() : db.transaction(run).immediate();
  return { tracks, ms: performance.now() - started };
}

/**
 * Runs a bulk load with the index triggers off, then rebuilds the index once. Per-row
 * triggers cost a join and an FTS insert per track; one bulk fill is several times faster
 * and leaves fewer, larger segments. Everything happens in one transaction, so no other
 * connection ever sees the triggers missing.
 */
export function withSearchIndexSuspended<T>(db: Db, fn: () => T, onProgress?: RebuildProgress): T {
  const run = () => {
    dropTriggers(db);
    const result = fn();
    fillIndex(db, onProgress);
    fillSuggestPrefixes(db);
    createTriggers(db);
    return result;
  };
  return db.inTransaction ? run() : db.transaction(run).immediate();
}

/** Merges all segments into one b-tree: fewer pages to visit per query after a bulk load. */
export function optimizeSearchIndex(db: Db): { ms: number } {
  const started = performance.now();
  db.transaction(() => {
    db.exec(`INSERT INTO ${FTS} (${FTS}) VALUES ('optimize')`);
    db.exec(`INSERT INTO ${SUGGEST} (${SUGGEST}) VALUES ('optimize')`);
    setState(db, 'last_optimize', new Date().toISOString());
  }).immediate();
  return { ms: performance.now() - started };
}

export interface SearchStats {
  totalTracks: number;
  indexedTracks: number;
  coveragePercent: number;
  indexBytes: number;
  suggestEntries: number;
  suggestBytes: number;
  vocabularyTerms: number;
  triggers: { present: number; expected: number };
  lastRebuild: string | null;
  lastOptimize: string | null;
}

function tableBytes(db: Db, prefix: string): number {
  try {
    const row = db.prepare("SELECT COALESCE(sum(pgsize), 0) AS n FROM dbstat WHERE name LIKE ? ESCAPE '\\'").get(`${prefix.replace(/_/g, '\\_')}\\_%`) as {
      n: number;
    };
    return row.n;
  } catch {
    // dbstat is a compile-time option; better-sqlite3 ships it, other builds may not.
    return 0;
  }
}

export function searchStats(db: Db): SearchStats {
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const totalTracks = count('SELECT count(*) AS n FROM chinook_tracks');
  // Tracks whose row is in the index: a join, so stale rows of deleted tracks do not count.
  const indexedTracks = count(`SELECT count(*) AS n FROM chinook_tracks t WHERE EXISTS (SELECT 1 FROM ${FTS} f WHERE f.rowid = t.id)`);
  return {
    totalTracks,
    indexedTracks,
    coveragePercent: totalTracks === 0 ? 100 : Math.round((indexedTracks / totalTracks) * 10000) / 100,
    indexBytes: tableBytes(db, FTS),
    suggestEntries: count(`SELECT count(*) AS n FROM ${SUGGEST}`),
    suggestBytes: tableBytes(db, SUGGEST),
    vocabularyTerms: count('SELECT count(*) AS n FROM music_search_vocab'),
    triggers: { present: triggersPresent(db), expected: TRIGGER_NAMES.length },
    lastRebuild: getState(db, 'last_rebuild'),
    lastOptimize: getState(db, 'last_optimize'),
  };
}

export interface CheckResult {
  ok: boolean;
  problems: string[];
}

/**
 * FTS5's integrity-check (index vs its own content) plus what FTS5 cannot know: that the
 * content matches the catalog, row for row and column for column.
 */
export function checkSearchIndex(db: Db): CheckResult {
  const problems: string[] = [];
  for (const table of [FTS, SUGGEST]) {
    try {
      db.exec(`INSERT INTO ${table} (${table}, rank) VALUES ('integrity-check', 1)`);
    } catch (err) {
      problems.push(`${table}: ${(err as Error).message}`);
    }
  }
  const mismatched = db
    .prepare(
      `SELECT count(*) AS n FROM (
         SELECT t.id, t.name, COALESCE(al.title, '') AS album, COALESCE(ar.name, '') AS artist, COALESCE(g.name, '') AS genre, COALESCE(t.composer, '') AS composer
         FROM chinook_tracks t
         LEFT JOIN chinook_albums al ON al.id = t.album_id
         LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
         LEFT JOIN chinook_genres g ON g.id = t.genre_id
         EXCEPT SELECT rowid, name, album, artist, genre, composer FROM ${FTS}
       )`,
    )
    .get() as { n: number };
  if (mismatched.n > 0) problems.push(`${mismatched.n} track(s) missing from the index or indexed with stale text`);
  const orphans = db.prepare(`SELECT count(*) AS n FROM ${FTS} f WHERE NOT EXISTS (SELECT 1 FROM chinook_tracks t WHERE t.id = f.rowid)`).get() as {
    n: number;
  };
  if (orphans.n > 0) problems.push(`${orphans.n} indexed row(s) for tracks that no longer exist`);
  const suggestExpected = db
    .prepare('SELECT (SELECT count(*) FROM chinook_tracks) + (SELECT count(*) FROM chinook_albums) + (SELECT count(*) FROM chinook_artists) AS n')
    .get() as { n: number };
  const suggestActual = db.prepare(`SELECT count(*) AS n FROM ${SUGGEST}`).get() as { n: number };
  if (suggestExpected.n !== suggestActual.n) problems.push(`suggestion index has ${suggestActual.n} entries, expected ${suggestExpected.n}`);
  const present = triggersPresent(db);
  if (present !== TRIGGER_NAMES.length) problems.push(`${present} of ${TRIGGER_NAMES.length} index triggers present (run \`chinook search rebuild\`)`);
  return { ok: problems.length === 0, problems };
}
