// A generated evaluation nobody can tune by hand: queries made from the catalog with a seeded
// noise model, and relevance read from the data.
//
// Every query starts from a track drawn uniformly from the catalog (seeded). Its kind says what
// is typed: the title, the artist, the album, the composer, artist + title or title + artist;
// the noise kinds take one of the first five (not composer) and damage it the way people do:
// the last word cut short (to 3 letters or more), the last word just begun (its first one or
// two letters, after at least one whole word: the results page follows the text as typed),
// one random edit in a word of 5+ letters, two in a word of 9+,
// accents stripped, apostrophes and punctuation removed, one extra word that is not in the
// catalog (from a word pool the caller gives: `chinook eval search` uses the synthetic catalog
// generator's English word lists), two words swapped. Edits are uniform over positions, first
// letters included.
//
// Relevant: for title-based queries the generating track and its copies (same folded name and
// artist); for artist, album and composer queries every track of that artist, album (same
// folded title and artist) or composer credit.
import type { Db } from '../../db/index.ts';
import { stripMarks, terms } from '../text.ts';

export const BASE_KINDS = ['title', 'artist', 'album', 'composer', 'artist+title', 'title+artist'] as const;
export const NOISE_KINDS = ['cut', 'begun', 'typo1', 'typo2', 'accents', 'punctuation', 'extra', 'swap'] as const;
export const QUERY_KINDS = [...BASE_KINDS, ...NOISE_KINDS] as const;
export type BaseKind = (typeof BASE_KINDS)[number];
export type QueryKind = (typeof QUERY_KINDS)[number];

export interface EvalQuery {
  kind: QueryKind;
  base: BaseKind;
  q: string;
  trackId: number;
  relevant: number[];
}

interface TrackRow {
  id: number;
  name: string;
  album: string | null;
  artist: string | null;
  composer: string | null;
}

/** A small seeded generator (mulberry32 over a per-stream seed): the same seed and stream, the same queries. */
export class Rng {
  private state: number;

  constructor(seed: number, stream: string) {
    let h = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
    this.state = h;
  }

  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }
}

const key = (text: string | null) => (text === null ? '' : terms(text).join(' '));

/** The catalog as the generator needs it: tracks and the relevance groups they belong to. */
export class EvalCatalog {
  readonly tracks: TrackRow[];
  private readonly groups = new Map<string, number[]>();
  /** Folded words anywhere in the catalog's searchable text (an extra word must be none of them). */
  readonly vocabulary = new Set<string>();

  constructor(db: Db) {
    this.tracks = db
      .prepare(`
        SELECT t.id, t.name, al.title AS album, ar.name AS artist, t.composer, g.name AS genre
        FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id
        LEFT JOIN chinook_artists ar ON ar.id = al.artist_id LEFT JOIN chinook_genres g ON g.id = t.genre_id
        ORDER BY t.id`)
      .all() as (TrackRow & { genre: string | null })[];
    for (const t of this.tracks as (TrackRow & { genre: string | null })[]) {
      for (const g of this.groupKeys(t)) {
        const list = this.groups.get(g) ?? [];
        list.push(t.id);
        this.groups.set(g, list);
      }
      for (const text of [t.name, t.album, t.artist, t.composer, t.genre]) for (const w of terms(text ?? '')) this.vocabulary.add(w);
    }
  }

  private groupKeys(t: TrackRow): string[] {
    const artist = key(t.artist);
    const out = [`track|${key(t.name)}|${artist}`, `artist|${artist}`, `album|${key(t.album)}|${artist}`];
    if (t.composer) out.push(`composer|${key(t.composer)}`);
    return out;
  }

  relevant(t: TrackRow, base: BaseKind): number[] {
    const artist = key(t.artist);
    const k =
      base === 'artist'
        ? `artist|${artist}`
        : base === 'album'
          ? `album|${key(t.album)}|${artist}`
          : base === 'composer'
            ? `composer|${key(t.composer)}`
            : `track|${key(t.name)}|${artist}`;
    return this.groups.get(k) ?? [t.id];
  }
}

function baseText(t: TrackRow, base: BaseKind): string | null {
  switch (base) {
    case 'title':
      return t.name;
    case 'artist':
      return t.artist;
    case 'album':
      return t.album;
    case 'composer':
      return t.composer;
    case 'artist+title':
      return t.artist === null ? null : `${t.artist} ${t.name}`;
    case 'title+artist':
      return t.artist === null ? null : `${t.name} ${t.artist}`;
  }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const words = (text: string) => text.split(/\s+/).filter((w) => w.length > 0);
const letterCount = (w: string) => (w.match(/\p{L}/gu) ?? []).length;

/** One random edit (insert, delete, substitute, swap neighbours) at a uniform position. */
export function randomEdit(word: string, rng: Rng): string {
  const chars = [...word];
  const op = rng.int(0, 3);
  if (op === 0) {
    chars.splice(rng.int(0, chars.length), 0, rng.pick([...LETTERS]));
  } else if (op === 1) {
    chars.splice(rng.int(0, chars.length - 1), 1);
  } else if (op === 2) {
    const i = rng.int(0, chars.length - 1);
    const current = (chars[i] as string).toLowerCase();
    chars[i] = rng.pick([...LETTERS].filter((c) => c !== current));
  } else {
    const i = rng.int(0, chars.length - 2);
    [chars[i], chars[i + 1]] = [chars[i + 1] as string, chars[i] as string];
  }
  return chars.join('');
}

/** Damages `text` as `kind` says; null when the text offers nothing for it (the caller draws again). */
function applyNoise(kind: QueryKind, text: string, rng: Rng, extraWords: string[]): string | null {
  const ws = words(text);
  switch (kind) {
    case 'cut': {
      const last = ws.at(-1) as string;
      const n = [...last].length;
      if (n < 4) return null;
      ws[ws.length - 1] = [...last].slice(0, rng.int(3, n - 1)).join('');
      return ws.join(' ');
    }
    case 'begun': {
      const last = ws.at(-1) as string;
      const n = [...last].length;
      if (ws.length < 2 || n < 2 || letterCount(last) === 0) return null;
      ws[ws.length - 1] = [...last].slice(0, rng.int(1, Math.min(2, n - 1))).join('');
      return ws.join(' ');
    }
    case 'typo1':
    case 'typo2': {
      const min = kind === 'typo1' ? 5 : 9;
      const candidates = ws.map((w, i) => [w, i] as const).filter(([w]) => letterCount(w) >= min);
      if (candidates.length === 0) return null;
      const [w, i] = rng.pick(candidates);
      let edited = randomEdit(w, rng);
      if (kind === 'typo2') edited = randomEdit(edited, rng);
      if (edited.toLowerCase() === w.toLowerCase()) return null;
      ws[i] = edited;
      return ws.join(' ');
    }
    case 'accents': {
      const stripped = stripMarks(text);
      return stripped === text ? null : stripped;
    }
    case 'punctuation': {
      const removed = text
        .replace(/[^\p{L}\p{N}\p{M}\s]/gu, '')
        .replace(/\s+/g, ' ')
        .trim();
      return removed === text || removed === '' ? null : removed;
    }
    case 'extra': {
      ws.splice(rng.int(0, ws.length), 0, rng.pick(extraWords));
      return ws.join(' ');
    }
    case 'swap': {
      if (ws.length < 2) return null;
      const i = rng.int(0, ws.length - 2);
      const j = rng.int(i + 1, ws.length - 1);
      if ((ws[i] as string).toLowerCase() === (ws[j] as string).toLowerCase()) return null;
      [ws[i], ws[j]] = [ws[j] as string, ws[i] as string];
      return ws.join(' ');
    }
    default:
      return text;
  }
}

export interface GenerateOptions {
  perKind: number;
  seed: number;
  /** English words for the `extra` kind; those the catalog holds are left out. */
  wordPool: readonly string[];
  kinds?: readonly QueryKind[];
}

/** `perKind` queries of every kind, the same ones for the same catalog and seed. */
export function generateQueries(catalog: EvalCatalog, options: GenerateOptions): EvalQuery[] {
  // Extra words: words of the pool this catalog never uses.
  const extraWords = [...new Set(options.wordPool)]
    .filter((w) => /^[A-Za-z]{3,}$/.test(w) && !catalog.vocabulary.has(w.toLowerCase()))
    .map((w) => w.toLowerCase())
    .sort();
  const out: EvalQuery[] = [];
  if (catalog.tracks.length === 0) return out;
  if (extraWords.length === 0 && (options.kinds ?? QUERY_KINDS).includes('extra')) throw new Error('the word pool has no word the catalog lacks');
  for (const kind of options.kinds ?? QUERY_KINDS) {
    // One stream per kind: adding a kind does not change the others' queries.
    const rng = new Rng(options.seed, `search-eval:${kind}`);
    const noiseBases = BASE_KINDS.filter((b) => b !== 'composer');
    let made = 0;
    for (let attempt = 0; made < options.perKind && attempt < options.perKind * 200; attempt++) {
      const t = rng.pick(catalog.tracks);
      const base: BaseKind = (BASE_KINDS as readonly string[]).includes(kind) ? (kind as BaseKind) : rng.pick(noiseBases);
      const text = baseText(t, base);
      if (text === null || terms(text).length === 0) continue;
      const q = applyNoise(kind, text, rng, extraWords);
      if (q === null || terms(q).length === 0) continue;
      out.push({ kind, base, q, trackId: t.id, relevant: catalog.relevant(t, base) });
      made++;
    }
  }
  return out;
}
