// A generated evaluation of the as-you-type suggestions, made like the search's (generate.ts):
// queries drawn from the catalog with a seeded noise model, the target read from the data.
//
// Each query is the search box's text at the moment a list is shown: a name (a track's title,
// its artist or its album, drawn from a uniformly drawn track) typed so far, cut after a
// uniform number of characters, at least three.
//
//   prefix         the name cut short, as typed ("enter sandm")
//   prefix-typo    the same, with one random edit in a word of 5+ letters already typed whole
//   typo           the whole name with one random edit in a word of 5+ letters ("metalica")
//   accents        the name cut short with its accents left out ("antonio carlos j")
//   artist+title   the artist's name, then the title cut short ("metallica enter sa")
//
// The target is the suggestion a person means: the track (or a copy of it: same folded title
// and artist), the artist, or the album (same folded title and artist). A list scores by the
// target's place among the first eight (the box shows eight): hit@8 and MRR@8.
import type { Db } from '../../db/index.ts';
import type { SearchService } from '../service.ts';
import { Suggester, type Suggestion } from '../suggest.ts';
import { stripMarks, terms } from '../text.ts';
import { Rng, randomEdit } from './generate.ts';
import { percentile } from './score.ts';

export const SUGGEST_KINDS = ['prefix', 'prefix-typo', 'typo', 'accents', 'artist+title'] as const;
export type SuggestKind = (typeof SUGGEST_KINDS)[number];
type Target = 'track' | 'artist' | 'album';

export interface SuggestQuery {
  kind: SuggestKind;
  target: Target;
  q: string;
  /** Ids of the target's type that count as the target (copies included). */
  relevant: number[];
}

interface Row {
  id: number;
  name: string;
  albumId: number;
  album: string;
  artistId: number;
  artist: string;
}

const fold = (text: string) => terms(text).join(' ');

/** Tracks with their album and artist, and which ids count as the same name. */
class SuggestCatalog {
  readonly rows: Row[];
  private readonly groups = new Map<string, number[]>();

  constructor(db: Db) {
    this.rows = db
      .prepare(`
        SELECT t.id, t.name, al.id AS albumId, al.title AS album, ar.id AS artistId, ar.name AS artist
        FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id JOIN chinook_artists ar ON ar.id = al.artist_id
        ORDER BY t.id`)
      .all() as Row[];
    const seen = new Set<string>();
    for (const r of this.rows) {
      for (const [key, id] of [
        [`track|${fold(r.name)}|${fold(r.artist)}`, r.id],
        [`album|${fold(r.album)}|${fold(r.artist)}`, r.albumId],
        [`artist|${fold(r.artist)}`, r.artistId],
      ] as const) {
        if (seen.has(`${key}#${id}`)) continue;
        seen.add(`${key}#${id}`);
        const list = this.groups.get(key) ?? [];
        list.push(id);
        this.groups.set(key, list);
      }
    }
  }

  relevant(r: Row, target: Target): number[] {
    const key =
      target === 'track'
        ? `track|${fold(r.name)}|${fold(r.artist)}`
        : target === 'album'
          ? `album|${fold(r.album)}|${fold(r.artist)}`
          : `artist|${fold(r.artist)}`;
    return this.groups.get(key) ?? [];
  }
}

const nameOf = (r: Row, target: Target) => (target === 'track' ? r.name : target === 'album' ? r.album : r.artist);

/** `text` cut after a uniform number of characters from 3 to its length; null when shorter than 4. */
function cut(text: string, rng: Rng): string | null {
  const chars = [...text.trim()];
  if (chars.length < 4) return null;
  return chars.slice(0, rng.int(3, chars.length)).join('');
}

/** One random edit in a word of 5+ letters among the words typed whole (all but a last word still being typed). */
function typoIn(text: string, rng: Rng, lastIsWhole: boolean): string | null {
  const ws = text.split(/\s+/).filter((w) => w.length > 0);
  const whole = lastIsWhole ? ws.length : ws.length - 1;
  const candidates: number[] = [];
  for (let i = 0; i < whole; i++) if ((ws[i]?.match(/\p{L}/gu) ?? []).length >= 5) candidates.push(i);
  if (candidates.length === 0) return null;
  const i = rng.pick(candidates);
  const edited = randomEdit(ws[i] as string, rng);
  if (edited.toLowerCase() === (ws[i] as string).toLowerCase()) return null;
  ws[i] = edited;
  return ws.join(' ');
}

function make(kind: SuggestKind, r: Row, target: Target, rng: Rng): string | null {
  const name = nameOf(r, target);
  switch (kind) {
    case 'prefix':
      return cut(name, rng);
    case 'prefix-typo': {
      const typed = cut(name, rng);
      return typed === null ? null : typoIn(typed, rng, typed.length === name.trim().length);
    }
    case 'typo':
      return typoIn(name, rng, true);
    case 'accents': {
      const stripped = stripMarks(name);
      return stripped === name ? null : cut(stripped, rng);
    }
    case 'artist+title': {
      const title = cut(r.name, rng);
      return title === null ? null : `${r.artist} ${title}`;
    }
  }
}

export interface GenerateSuggestOptions {
  perKind: number;
  seed: number;
}

/** `perKind` queries of every kind, the same ones for the same catalog and seed. */
export function generateSuggestQueries(db: Db, options: GenerateSuggestOptions): SuggestQuery[] {
  const catalog = new SuggestCatalog(db);
  const out: SuggestQuery[] = [];
  if (catalog.rows.length === 0) return out;
  for (const kind of SUGGEST_KINDS) {
    // One stream per kind: adding a kind does not change the others' queries.
    const rng = new Rng(options.seed, `suggest-eval:${kind}`);
    let made = 0;
    for (let attempt = 0; made < options.perKind && attempt < options.perKind * 200; attempt++) {
      const r = rng.pick(catalog.rows);
      const target: Target = kind === 'artist+title' ? 'track' : rng.pick(['track', 'artist', 'album'] as const);
      const q = make(kind, r, target, rng);
      if (q === null || terms(q).length === 0 || q.length > 100) continue;
      out.push({ kind, target, q, relevant: catalog.relevant(r, target) });
      made++;
    }
  }
  return out;
}

export interface SuggestScores {
  queries: number;
  /** Share of queries whose target is among the eight suggestions. */
  hit: number;
  /** Mean of 1 / the target's place (0 when it is not shown). */
  mrr: number;
  /** Share of queries with no suggestion at all. */
  empty: number;
  p50Ms: number;
  p95Ms: number;
}

export interface SuggestReport {
  engine: string;
  overall: SuggestScores;
  byKind: Map<SuggestKind, SuggestScores>;
}

export interface SuggestEngine {
  name: string;
  suggest(q: string): Suggestion[];
}

function scores(rows: { place: number; empty: boolean; ms: number }[]): SuggestScores {
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  const n = Math.max(1, rows.length);
  return {
    queries: rows.length,
    hit: rows.filter((r) => r.place > 0).length / n,
    mrr: rows.reduce((sum, r) => sum + (r.place > 0 ? 1 / r.place : 0), 0) / n,
    empty: rows.filter((r) => r.empty).length / n,
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
  };
}

export function evaluateSuggestions(engine: SuggestEngine, queries: readonly SuggestQuery[]): SuggestReport {
  for (const q of queries.slice(0, 50)) engine.suggest(q.q); // warm-up
  const rows = queries.map((q) => {
    const started = performance.now();
    const list = engine.suggest(q.q).slice(0, 8);
    const ms = performance.now() - started;
    const relevant = new Set(q.relevant);
    const place = list.findIndex((s) => s.type === q.target && relevant.has(s.id)) + 1;
    return { kind: q.kind, place, empty: list.length === 0, ms };
  });
  const byKind = new Map<SuggestKind, SuggestScores>();
  for (const kind of SUGGEST_KINDS) byKind.set(kind, scores(rows.filter((r) => r.kind === kind)));
  return { engine: engine.name, overall: scores(rows), byKind };
}

/** The service's suggestions, and the names-by-prefix list alone (what the box showed before the forgiving fill). */
export function suggestEngines(db: Db, service: SearchService): SuggestEngine[] {
  const names = new Suggester(db);
  return [
    { name: 'names by prefix (before)', suggest: (q) => names.suggestLive(q, 8) },
    { name: 'forgiving (default)', suggest: (q) => service.suggest(q, 8).suggestions },
  ];
}

export const DEFAULT_SUGGEST_PER_KIND = 1000;

export function runSuggestEvaluation(db: Db, service: SearchService, options: { perKind?: number; seed?: number } = {}) {
  const seed = options.seed ?? 18;
  const perKind = options.perKind ?? DEFAULT_SUGGEST_PER_KIND;
  const queries = generateSuggestQueries(db, { perKind, seed });
  return { seed, perKind, queries, reports: suggestEngines(db, service).map((e) => evaluateSuggestions(e, queries)) };
}

/** A Markdown table: hit@8 and MRR@8 per kind for each engine, then the call times. */
export function formatSuggestReports(reports: readonly SuggestReport[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const head = `| kind | queries | ${reports.map((r) => `${r.engine}: hit@8 / MRR@8 / empty`).join(' | ')} |`;
  const sep = `|---|---|${reports.map(() => '---').join('|')}|`;
  const line = (label: string, pick: (r: SuggestReport) => SuggestScores) =>
    `| ${label} | ${pick(reports[0] as SuggestReport).queries} | ${reports
      .map((r) => {
        const s = pick(r);
        return `${pct(s.hit)} / ${s.mrr.toFixed(3)} / ${pct(s.empty)}`;
      })
      .join(' | ')} |`;
  const rows = [...SUGGEST_KINDS.map((k) => line(k, (r) => r.byKind.get(k) as SuggestScores)), line('**all**', (r) => r.overall)];
  const times = reports.map((r) => `${r.engine}: p50 ${r.overall.p50Ms.toFixed(3)} ms, p95 ${r.overall.p95Ms.toFixed(3)} ms`).join('; ');
  return [head, sep, ...rows, '', `Call times in process (${times}).`].join('\n');
}
