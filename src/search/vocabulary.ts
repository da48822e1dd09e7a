// The index vocabulary (unstemmed, diacritic-folded: what fts5vocab lists for the main FTS5
// table), held in memory to derive what a typed word may also mean: terms within its typo
// budget, whether it starts some term, and where it splits into two terms ("dont" → don + t).
//
// Typo budget as Meilisearch has it: 0 for words of 1–4 letters, 1 for 5–8, 2 for 9+, edits
// counted as optimal string alignment (a swap of neighbours is one edit). As in Meilisearch an
// edit of the first letter costs two in the ranking (people rarely get the first letter wrong,
// so "lover" ranks Lover before Cover), but unlike there it still matches within the budget:
// the generated evaluation edits uniform positions, and refusing first letters left 2.5 % of
// one-edit queries with no result at all.
import type { Db, Stmt } from '../db/index.ts';

export function typoBudget(word: string): number {
  const n = [...word].length;
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

// Three rows of the edit-distance table, reused: allocating them per comparison was a third
// of the derivation time. Terms are short; longer ones grow the rows once.
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours),
 * giving up as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  if (n + 1 > (rows[0] as Int32Array).length) rows = rows.map(() => new Int32Array(2 * (n + 1)));
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    const aPrev = i > 1 ? a.charCodeAt(i - 2) : -1;
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      let v = (prev[j - 1] as number) + (ai === bj ? 0 : 1);
      const del = (prev[j] as number) + 1;
      if (del < v) v = del;
      const ins = (cur[j - 1] as number) + 1;
      if (ins < v) v = ins;
      if (j > 1 && ai === b.charCodeAt(j - 2) && aPrev === bj) {
        const swap = (prev2[j - 2] as number) + 1;
        if (swap < v) v = swap;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n] as number;
}

/** Typo cost of reading `typed` as `term`: edits, plus one more when the first letter differs; Infinity past `max` edits. */
export function typoCost(typed: string, term: string, max: number): number {
  const d = editDistance(typed, term, max);
  if (d > max) return Number.POSITIVE_INFINITY;
  return d + (d > 0 && typed[0] !== term[0] ? 1 : 0);
}

// Letters present, as bits. An edit changes at most two of them (a substitution drops one
// letter and adds another), so two words within d edits differ in at most 2d bits: one XOR
// and a popcount discard ~95 % of a length bucket before the edit distance runs.
function letterMask(word: string): number {
  let m = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    m |= 1 << (c >= 97 && c <= 122 ? c - 97 : 26 + (c % 6));
  }
  return m;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export interface Derivation {
  term: string;
  typos: number;
  /**
   * Below one edit: orders derivations of equal cost as a noisy-channel speller would. A word
   * the typed one starts (plural, suffix: "master" → masters) is likelier than another edit
   * (+0.2 otherwise), and a word in more documents likelier than a rare one (up to +0.25 on
   * a log scale): "zepelin" reads Zeppelin (114 tracks) before Zepelim (1).
   */
  penalty: number;
}

/** Most derivations kept per word (by cost, then by documents): a 5-letter word rarely has more than 10. */
const MAX_DERIVATIONS = 24;

/** Words whose derivations are kept per snapshot (~1 KB each). */
const TYPO_CACHE_ENTRIES = 5000;

/** Longest word also read as an acronym's letters (longer ones only when nothing else fits, see plan.ts). */
const MAX_ACRONYM = 5;

interface Bucket {
  terms: string[];
  masks: Int32Array;
}

/** One read of the vocabulary. */
export class VocabularySnapshot {
  private readonly docs = new Map<string, number>();
  private readonly sorted: string[];
  private readonly byLength = new Map<number, Bucket>();
  /** Derivations already worked out (words repeat: as-you-type sends every prefix, people retype). */
  private readonly typoCache = new Map<string, Derivation[]>();

  /** Rows in the index and their mean length in tokens (bm25's N and avgdl). */
  readonly rows: number;
  readonly meanTokens: number;

  constructor(rows: Iterable<{ term: string; doc: number; cnt: number }>, indexedRows: number) {
    const lists = new Map<number, string[]>();
    let tokens = 0;
    for (const { term, doc, cnt } of rows) {
      tokens += cnt;
      this.docs.set(term, doc);
      const list = lists.get(term.length) ?? [];
      list.push(term);
      lists.set(term.length, list);
    }
    this.sorted = [...this.docs.keys()].sort();
    this.rows = indexedRows;
    this.meanTokens = indexedRows > 0 ? tokens / indexedRows : 1;
    for (const [len, list] of lists) this.byLength.set(len, { terms: list, masks: Int32Array.from(list, letterMask) });
  }

  get size(): number {
    return this.docs.size;
  }

  has(term: string): boolean {
    return this.docs.has(term);
  }

  /** Documents holding `term` (0 when it is not in the vocabulary). */
  documents(term: string): number {
    return this.docs.get(term) ?? 0;
  }

  private lowerBound(prefix: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether some term starts with `prefix`. */
  hasPrefix(prefix: string): boolean {
    const i = this.lowerBound(prefix);
    return i < this.sorted.length && (this.sorted[i] as string).startsWith(prefix);
  }

  /** The terms longer than `prefix` that start with it, or null when there are more than `max`. */
  completions(prefix: string, max: number): string[] | null {
    const out: string[] = [];
    for (let i = this.lowerBound(prefix); i < this.sorted.length && (this.sorted[i] as string).startsWith(prefix); i++) {
      if (this.sorted[i] === prefix) continue;
      if (out.length === max) return null;
      out.push(this.sorted[i] as string);
    }
    return out;
  }

  /** Terms other than `word` within `max` edits (its typo budget unless given), cheapest first. */
  typos(word: string, max = typoBudget(word)): Derivation[] {
    if (max === 0) return [];
    const key = `${max}:${word}`;
    const cached = this.typoCache.get(key);
    if (cached) return cached;
    const found = this.scanTypos(word, max);
    if (this.typoCache.size >= TYPO_CACHE_ENTRIES) this.typoCache.delete(this.typoCache.keys().next().value as string);
    this.typoCache.set(key, found);
    return found;
  }

  private scanTypos(word: string, max: number): Derivation[] {
    const mask = letterMask(word);
    const found: Derivation[] = [];
    for (let len = word.length - max; len <= word.length + max; len++) {
      const bucket = this.byLength.get(len);
      if (!bucket) continue;
      const { terms, masks } = bucket;
      for (let i = 0; i < terms.length; i++) {
        if (popcount((masks[i] as number) ^ mask) > 2 * max) continue;
        const term = terms[i] as string;
        const cost = typoCost(word, term, max);
        if (cost > 0 && cost !== Number.POSITIVE_INFINITY) found.push({ term, typos: cost, penalty: 0 });
      }
    }
    const most = Math.log1p(Math.max(1, ...found.map((d) => this.documents(d.term))));
    for (const d of found) d.penalty = (d.term.startsWith(word) ? 0 : 0.2) + 0.25 * (1 - Math.log1p(this.documents(d.term)) / most);
    found.sort((a, b) => a.typos - b.typos || a.penalty - b.penalty || (a.term < b.term ? -1 : 1));
    return found.slice(0, MAX_DERIVATIONS);
  }

  /**
   * How to read a word the vocabulary does not hold as terms written together (each reading
   * is a phrase): the best cut in two, as Meilisearch splits ("dont" → don + t, "acdc" → ac + dc:
   * the cut whose rarer half is in the most documents; only the second half may be one letter,
   * a contraction's "t" or "s"); else the best cut in three ("paudearara" → pau + de + arara,
   * parts of 2+ letters); and for up to five letters its letters (an acronym typed without dots:
   * "rem" → R.E.M.). A word in the vocabulary is taken as written: splitting it anyway
   * read "pearl" as "p e a r l", a phrase of five common letters that is slow and matches junk.
   */
  splits(word: string): string[][] {
    if (word.length < 3 || this.docs.has(word)) return [];
    const best = (cuts: Iterable<string[]>): string[] | null => {
      let found: string[] | null = null;
      let most = 0;
      for (const parts of cuts) {
        const docs = Math.min(...parts.map((p) => this.documents(p)));
        if (docs > most) {
          found = parts;
          most = docs;
        }
      }
      return found;
    };
    const two = best(
      (function* () {
        for (let i = 2; i < word.length; i++) yield [word.slice(0, i), word.slice(i)];
      })(),
    );
    const out = two ? [two] : [];
    const docs = this.docs;
    const three = best(
      (function* () {
        for (let i = 2; i + 4 <= word.length; i++) {
          if (!docs.has(word.slice(0, i))) continue;
          for (let j = i + 2; j + 2 <= word.length; j++) yield [word.slice(0, i), word.slice(i, j), word.slice(j)];
        }
      })(),
    );
    if (three && !two) out.push(three);
    const letters = word.length <= MAX_ACRONYM ? this.acronym(word) : null;
    if (letters) out.push(letters);
    return out;
  }

  /** The word as an acronym typed without dots (every letter a term): "androtaz" → A.N.D.R.O.T.A.Z. */
  acronym(word: string): string[] | null {
    const letters = [...word];
    return letters.every((l) => this.docs.has(l)) ? letters : null;
  }
}

export interface VocabularyOptions {
  /** A reload may cost at most this share of the time between reloads (default 1/20). */
  reloadShare?: number;
}

/**
 * The vocabulary of the main index, re-read when the catalog text changed (the search
 * triggers bump `search_suggest_gen`), but no more often than 20× the last read took: Chinook
 * (5 394 terms) reads in 11–20 ms on the loaded test host, so it follows writes within ~0.3 s;
 * 1M synthetic tracks read in 1.2 s, so at most every ~25 s. Until then a brand-new word is still found when typed exactly
 * (the word itself always goes to FTS5), only not yet as a typo correction target.
 */
export class Vocabulary {
  private snapshot: VocabularySnapshot | null = null;
  private gen = -1;
  private seen = -1;
  private loadedAt = -Infinity;
  private loadMs = 0;
  private readonly genStmt: Stmt;
  private readonly readStmt: Stmt;
  private readonly countStmt: Stmt;
  private readonly reloadShare: number;

  constructor(db: Db, vocabTable: string, options: VocabularyOptions = {}) {
    this.genStmt = db.prepare('SELECT gen FROM search_suggest_gen WHERE id = 1').pluck();
    this.readStmt = db.prepare(`SELECT term, doc, cnt FROM ${vocabTable}`);
    this.countStmt = db.prepare('SELECT count(*) FROM chinook_tracks').pluck();
    this.reloadShare = options.reloadShare ?? 1 / 20;
  }

  /** Forget the snapshot (after a rebuild): the next call reads the vocabulary again. */
  invalidate(): void {
    this.snapshot = null;
  }

  current(): VocabularySnapshot {
    const gen = (this.genStmt.get() as number | undefined) ?? 0;
    this.seen = gen;
    const now = performance.now();
    if (this.snapshot === null || (gen !== this.gen && now - this.loadedAt >= this.loadMs / this.reloadShare)) {
      const started = performance.now();
      this.snapshot = new VocabularySnapshot(this.readStmt.iterate() as Iterable<{ term: string; doc: number; cnt: number }>, this.countStmt.get() as number);
      this.gen = gen;
      this.loadedAt = performance.now();
      this.loadMs = this.loadedAt - started;
    }
    return this.snapshot;
  }

  /** The catalog text generation read by the last current() (the candidate cache follows it). */
  get generation(): number {
    return this.seen;
  }
}
