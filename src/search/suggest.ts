// As-you-type suggestions: names of tracks, albums and artists whose words start with the
// typed prefix, most popular first (units sold, plus plays for a track: the track_popularity view).
//
// Ranking live costs a popularity sum per match, and a one- or two-letter prefix matches a
// large share of all names (Chinook "m": ~1 ms; 1M tracks: ~130 ms). Those prefixes are
// therefore answered from search_suggest_prefix, filled for every [a-z0-9]{1,2} prefix when
// the index is rebuilt. The catalog triggers bump search_suggest_gen inside the writing
// transaction, so a list built before any track/album/artist insert, rename, move or delete
// is never served: it is recomputed live on first use and stored again. Sales and plays do
// not bump the generation (a trigger on the play path would cost every play); a list older
// than `maxAgeMs` is recomputed too, which bounds how stale its popularity order gets.
//
// A prefix of names alone says nothing for a misspelled word ("metalica") or words of two
// names ("metallica enter"): SearchService.suggest then fills the list forgivingly, names read
// through the search plan's typo, split and completion forms (`namesExpr`), then the search's
// best tracks.
import type { Db, Stmt } from '../db/index.ts';
import type { SearchPlan } from './plan.ts';
import { TRACK_POPULARITY } from './popularity.ts';
import { tokenize } from './query.ts';
import { STORED_PREFIX, SUGGEST, SUGGEST_GEN, SUGGEST_KIND, SUGGEST_PREFIX, SUGGEST_PREFIX_ENTRIES } from './schema.ts';

export interface Suggestion {
  text: string;
  type: 'track' | 'album' | 'artist';
  id: number;
  /** The artist of a track or an album (two tracks may share a name: Enter Sandman by Metallica and by Apocalyptica). */
  artist?: string;
}

/** A stored list's entry, with the artist of a track or an album (migration 013 made older lists stale). */
type Entry = [kind: number, id: number, text: string, artist?: string];

const k = SUGGEST_KIND;
const KINDS: Record<number, Suggestion['type']> = { [k.track]: 'track', [k.album]: 'album', [k.artist]: 'artist' };

/**
 * Popularity of the suggestion with rowid `r` (id * 4 + kind): a track's score (units sold +
 * plays), an album's or artist's units sold over its tracks, all from the one popularity view.
 */
const livePopularity = (r: string) => `
  CASE ${r} % 4
    WHEN ${k.track} THEN (SELECT p.score FROM ${TRACK_POPULARITY} p WHERE p.track_id = ${r} / 4)
    WHEN ${k.album} THEN (SELECT COALESCE(sum(p.units_sold), 0) FROM chinook_tracks t JOIN ${TRACK_POPULARITY} p ON p.track_id = t.id WHERE t.album_id = ${r} / 4)
    ELSE (SELECT COALESCE(sum(p.units_sold), 0) FROM chinook_albums al JOIN chinook_tracks t ON t.album_id = al.id JOIN ${TRACK_POPULARITY} p ON p.track_id = t.id WHERE al.artist_id = ${r} / 4)
  END`;

/** Shared by the live query and the bulk fill, so both order ties the same way. */
const ORDER = 'pop DESC, length(s.text), s.rowid';

/**
 * The list a ranking keeps, with the artist of each track and album. The ranking is
 * MATERIALIZED so that the artist is read for the rows kept, not for every match before the
 * sort (a flattened query would run the lookup per match: Chinook "m" matches ~700 names).
 */
const withArtist = (ranking: string) => `
  WITH s AS MATERIALIZED (${ranking})
  SELECT s.rowid % 4 AS kind, s.rowid / 4 AS id, s.text,
    CASE s.rowid % 4
      WHEN ${k.track} THEN (SELECT ar.name FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id JOIN chinook_artists ar ON ar.id = al.artist_id WHERE t.id = s.rowid / 4)
      WHEN ${k.album} THEN (SELECT ar.name FROM chinook_albums al JOIN chinook_artists ar ON ar.id = al.artist_id WHERE al.id = s.rowid / 4)
    END AS artist
  FROM s ORDER BY ${ORDER}`;

const liveSql = withArtist(`
  SELECT s.rowid, s.text, ${livePopularity('s.rowid')} AS pop
  FROM ${SUGGEST} s WHERE ${SUGGEST} MATCH ?
  ORDER BY ${ORDER}
  LIMIT ?`);

/**
 * The names that match every clause of a forgiving search plan in one of its forms (the word,
 * its typo derivations, splits, the completions of the word being typed), as an FTS5
 * expression over the names index. Fields are dropped: that index has one column. Null when
 * the plan has no clause. Tokens reach MATCH double-quoted, as everywhere (query.ts).
 */
export function namesExpr(plan: SearchPlan, lastOpen: boolean): string | null {
  const parts = plan.clauses.map((c, i) => {
    const forms = new Set(c.alternatives.map((a) => `"${a.tokens.join(' ')}"${a.prefix ? ' *' : ''}`));
    // The word being typed is a prefix here at any length: the search reads one letter as a
    // word (plan.ts, MIN_PREFIX), but beside the other words a name must hold, "peral j" is
    // Pearl Jam. The generated evaluation's typo-and-prefix kind: hit@8 81.3 → 93.0 % (seed 18),
    // 79.0 → 90.8 % on seed 7, every other kind within 0.2 %.
    const typed = c.alternatives[0];
    if (lastOpen && i === plan.clauses.length - 1 && typed?.exact) forms.add(`"${typed.tokens.join(' ')}" *`);
    return forms.size === 1 ? ([...forms][0] as string) : `(${[...forms].join(' OR ')})`;
  });
  return parts.length === 0 ? null : parts.join(' AND ');
}

/** The FTS5 expression: earlier words whole, the last one as a prefix. */
function suggestExpr(tokens: string[]): string {
  const last = tokens.length - 1;
  return tokens.map((t, i) => (i === last ? `"${t}" *` : `"${t}"`)).join(' ');
}

const PREFIX_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function storedPrefixes(): string[] {
  const out: string[] = [];
  for (const a of PREFIX_CHARS) {
    out.push(a);
    for (const b of PREFIX_CHARS) out.push(a + b);
  }
  return out;
}

/**
 * Recomputes every stored prefix list in one pass. Popularity is summed once per name into a
 * temp table (three passes over the popularity view) instead of once per match per prefix. Runs in the caller's
 * transaction when there is one.
 */
export function fillSuggestPrefixes(db: Db): { prefixes: number; ms: number } {
  const started = performance.now();
  const gen = (db.prepare(`SELECT gen FROM ${SUGGEST_GEN} WHERE id = 1`).pluck().get() as number | undefined) ?? 0;
  db.exec(`
    DROP TABLE IF EXISTS temp.search_suggest_pop;
    CREATE TEMP TABLE search_suggest_pop (rowid INTEGER PRIMARY KEY, pop INTEGER NOT NULL);
    WITH track AS (SELECT t.id, t.album_id, p.units_sold AS sold, p.score AS pop FROM chinook_tracks t JOIN ${TRACK_POPULARITY} p ON p.track_id = t.id)
    INSERT INTO temp.search_suggest_pop (rowid, pop)
      SELECT id * 4 + ${k.track}, pop FROM track WHERE pop > 0
      UNION ALL
      SELECT album_id * 4 + ${k.album}, sum(sold) FROM track WHERE album_id IS NOT NULL GROUP BY album_id HAVING sum(sold) > 0
      UNION ALL
      SELECT al.artist_id * 4 + ${k.artist}, sum(t.sold) FROM track t JOIN chinook_albums al ON al.id = t.album_id
      WHERE al.artist_id IS NOT NULL GROUP BY al.artist_id HAVING sum(t.sold) > 0;
  `);
  const top = db.prepare(
    withArtist(`
    SELECT s.rowid, s.text, COALESCE(p.pop, 0) AS pop
    FROM ${SUGGEST} s LEFT JOIN temp.search_suggest_pop p ON p.rowid = s.rowid
    WHERE ${SUGGEST} MATCH ?
    ORDER BY ${ORDER}
    LIMIT ${SUGGEST_PREFIX_ENTRIES}`),
  );
  const store = db.prepare(`INSERT INTO ${SUGGEST_PREFIX} (prefix, gen, built_at, entries) VALUES (?, ?, ?, ?)`);
  const now = Date.now();
  db.exec(`DELETE FROM ${SUGGEST_PREFIX}`);
  const prefixes = storedPrefixes();
  for (const prefix of prefixes) {
    store.run(prefix, gen, now, encode(top.all(suggestExpr([prefix])) as Row[]));
  }
  db.exec('DROP TABLE temp.search_suggest_pop');
  return { prefixes: prefixes.length, ms: performance.now() - started };
}

interface Row {
  kind: number;
  id: number;
  text: string;
  artist: string | null;
}

const encode = (rows: Row[]) => JSON.stringify(rows.map((r): Entry => (r.artist === null ? [r.kind, r.id, r.text] : [r.kind, r.id, r.text, r.artist])));
const suggestion = (kind: number, id: number, text: string, artist: string | null | undefined): Suggestion => {
  const s: Suggestion = { text, type: KINDS[kind] as Suggestion['type'], id };
  if (artist != null) s.artist = artist;
  return s;
};
const toSuggestion = (r: Row): Suggestion => suggestion(r.kind, r.id, r.text, r.artist);

export interface SuggesterOptions {
  /** A stored list older than this is recomputed (popularity drifts with sales and plays). */
  maxAgeMs?: number;
}

export class Suggester {
  private readonly live: Stmt;
  private readonly stored: Stmt;
  private readonly store: Stmt;
  private readonly maxAgeMs: number;

  constructor(
    private readonly db: Db,
    options: SuggesterOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.live = db.prepare(liveSql);
    this.stored = db.prepare(`
      SELECT g.gen, p.entries, p.gen = g.gen AND p.built_at > @since AS fresh
      FROM ${SUGGEST_GEN} g LEFT JOIN ${SUGGEST_PREFIX} p ON p.prefix = @prefix
      WHERE g.id = 1`);
    this.store = db.prepare(`INSERT OR REPLACE INTO ${SUGGEST_PREFIX} (prefix, gen, built_at, entries) VALUES (?, ?, ?, ?)`);
  }

  /** Names matching an FTS5 expression over the names index (`namesExpr`), most popular first. */
  matching(expr: string, limit: number): Suggestion[] {
    return (this.live.all(expr, limit) as Row[]).map(toSuggestion);
  }

  suggest(input: string, limit = 8): Suggestion[] {
    const tokens = tokenize(input).slice(0, 8);
    if (tokens.length === 0) return [];
    const only = tokens.length === 1 ? (tokens[0] as string) : null;
    if (only === null || !STORED_PREFIX.test(only) || limit > SUGGEST_PREFIX_ENTRIES) return this.suggestLive(input, limit);
    const row = this.stored.get({ prefix: only, since: Date.now() - this.maxAgeMs }) as { gen: number; entries: string | null; fresh: number | null };
    if (row.fresh === 1 && row.entries !== null) {
      const entries = JSON.parse(row.entries) as Entry[];
      return entries.slice(0, limit).map(([kind, id, text, artist]) => suggestion(kind, id, text, artist));
    }
    const rows = this.live.all(suggestExpr(tokens), SUGGEST_PREFIX_ENTRIES) as Row[];
    // The generation read before the live query: a write committed in between makes this
    // list look older than it is (recomputed once more), never newer.
    this.tryStore(only, row.gen, encode(rows));
    return rows.slice(0, limit).map(toSuggestion);
  }

  /** Always ranks live, without the stored lists: the reference the stored lists must equal. */
  suggestLive(input: string, limit = 8): Suggestion[] {
    const tokens = tokenize(input).slice(0, 8);
    if (tokens.length === 0) return [];
    return (this.live.all(suggestExpr(tokens), limit) as Row[]).map(toSuggestion);
  }

  /**
   * Stores a recomputed list if the database lets us at once. A read must not wait behind the
   * write queue's transaction (busy timeout 0), and a read-only connection cannot store at
   * all; either way the answer is still right, only the next call recomputes again.
   */
  private tryStore(prefix: string, gen: number, entries: string): void {
    const busy = this.db.pragma('busy_timeout', { simple: true }) as number;
    try {
      this.db.pragma('busy_timeout = 0');
      this.store.run(prefix, gen, Date.now(), entries);
    } catch {
      // SQLITE_BUSY or SQLITE_READONLY: see above.
    } finally {
      this.db.pragma(`busy_timeout = ${busy}`);
    }
  }
}
