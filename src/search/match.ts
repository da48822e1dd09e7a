// Which clause matched where in a candidate row, and the ranking features that follows.
// FTS5 says a row matches and gives bm25; it cannot say which alternative of which clause
// matched, in which column, at which position. So the candidate rows are re-read here (their
// tokens cached, text.ts cuts them as the index does) and every clause's occurrences found.
import { bm25, inverseDocumentFrequency, WEIGHTS } from './bm25.ts';
import type { Alternative, Clause, SearchPlan } from './plan.ts';
import { FTS_COLUMNS, type FtsColumn } from './schema.ts';
import { type Token, tokens } from './text.ts';
import type { VocabularySnapshot } from './vocabulary.ts';

/** A candidate's indexed text, in FTS column order (name, album, artist, genre, composer), and its tokens. */
export interface DocText {
  id: number;
  text: string[];
  tokens: Token[][];
}

/** A string as given, or an equal one already held (doc-cache.ts keeps one copy of each). */
export type Intern = (s: string) => string;

/**
 * The row's tokens, each term through `intern`, in arrays of their exact size (an array grown by
 * push keeps room for 16 more elements). Both for the search's row cache: see doc-cache.ts.
 */
export function docText(id: number, text: string[], intern: Intern = (s) => s): DocText {
  return {
    id,
    text,
    tokens: text.map((t) => {
      const cut = tokens(t);
      for (const token of cut) token.term = intern(token.term);
      return cut.slice();
    }),
  };
}

export interface Occurrence {
  clause: number;
  /** Which alternative (FTS5 phrase) matched: bm25 counts hits per phrase. */
  alt: number;
  col: number;
  pos: number;
  len: number;
  typos: number;
  penalty: number;
  /** Matched as typed: not a prefix completion, not a typo, split or concatenation. */
  exact: boolean;
  /** The second clause of a concatenation ("sand man" → sandman): the same token as the first's. */
  joined?: boolean;
}

export interface Features {
  /** Clauses matched. */
  words: number;
  /** Which clauses matched, the first clause as the highest bit: dropping later words first ranks higher. */
  order: number;
  typos: number;
  /** Sum of the matched derivations' penalties (below one typo each: which typo reading is likelier). */
  penalty: number;
  proximity: number;
  attribute: number;
  exact: number;
  /** bm25 of the row for the query's phrases, as FTS5 would compute it. */
  bm25: number;
  /** Per clause, its cheapest occurrence (undefined when the clause did not match). */
  best: (Occurrence | undefined)[];
  occurrences: Occurrence[];
}

const COL = Object.fromEntries(FTS_COLUMNS.map((c, i) => [c, i])) as Record<FtsColumn, number>;

// Attribute classes, best first: a column the matched words fill entirely ("queen" = the
// artist Queen) ranks above a column they only appear in ("Killer Queen"), then title > artist
// > album > composer. Genre comes last whole or not: "rock" is the genre of 1 297 tracks.
const FULL = [0, 2, 1, 8, 3];
const PARTIAL = [4, 6, 5, 8, 7];
const CROSS_COLUMN = 8;
/** Positions tracked per column for coverage; a longer column (none in Chinook) counts as never filled. */
const MAX_POSITIONS = 256;
const MAX_GAP = 7;

interface Single {
  clause: number;
  alt: number;
  typos: number;
  penalty: number;
  exact: boolean;
  col: number | undefined;
}
interface Prefix {
  clause: number;
  alt: number;
  prefix: string;
  col: number | undefined;
}
interface Phrase {
  clause: number;
  alt: number;
  tokens: string[];
  prefix: boolean;
  typos: number;
  col: number | undefined;
}

/** A plan compiled for scanning tokens: one map lookup per token for the single-word forms. */
export class Matcher {
  private readonly singles = new Map<string, Single[]>();
  private readonly prefixes: Prefix[] = [];
  private readonly phrases: Phrase[] = [];
  private readonly concats = new Map<string, { first: number; alt: number; col: number | undefined }>();
  /** IDF of every alternative, by alternative number. */
  private readonly idf: number[] = [];
  private readonly meanTokens: number;
  private readonly freq: Float64Array;
  /** Per column, tokens no clause covered (0: the matched words fill the column). */
  private readonly covered = new Int32Array(FTS_COLUMNS.length);
  /** Token positions covered in this row, MAX_POSITIONS per column. */
  private readonly seen = new Uint8Array(FTS_COLUMNS.length * MAX_POSITIONS);
  readonly clauses: number;

  constructor(plan: SearchPlan, vocab: VocabularySnapshot) {
    this.clauses = plan.clauses.length;
    this.meanTokens = vocab.meanTokens;
    // Rows holding an alternative, as the vocabulary counts them (a phrase: its rarest word; a
    // prefix: half the rows, it stands for many words).
    const hits = (a: Alternative) => (a.prefix ? vocab.rows / 2 : Math.max(1, Math.min(...a.tokens.map((t) => vocab.documents(t) || 1))));
    plan.clauses.forEach((c: Clause, clause) => {
      for (const a of c.alternatives) {
        const alt = this.idf.push(inverseDocumentFrequency(vocab.rows, hits(a))) - 1;
        const col = a.field === undefined ? undefined : COL[a.field];
        if (a.tokens.length > 1) this.phrases.push({ clause, alt, tokens: a.tokens, prefix: a.prefix, typos: a.typos, col });
        else if (a.prefix) this.prefixes.push({ clause, alt, prefix: a.tokens[0] as string, col });
        else {
          const term = a.tokens[0] as string;
          const list = this.singles.get(term) ?? [];
          list.push({ clause, alt, typos: a.typos, penalty: a.penalty, exact: a.exact, col });
          this.singles.set(term, list);
        }
      }
    });
    for (const c of plan.concatenations) {
      const alt = this.idf.push(inverseDocumentFrequency(vocab.rows, Math.max(1, vocab.documents(c.term)))) - 1;
      this.concats.set(c.term, { first: c.first, alt, col: c.field === undefined ? undefined : COL[c.field] });
    }
    this.freq = new Float64Array(this.idf.length);
  }

  occurrences(doc: DocText): Occurrence[] {
    const out: Occurrence[] = [];
    const { singles, prefixes, phrases, concats } = this;
    // Plain loops and no per-token allocation: this runs for every token of every candidate
    // row (~40 tokens a row, 140 rows for a composer), the largest part of a search's JS time.
    const scanConcats = concats.size > 0;
    for (let col = 0; col < doc.tokens.length; col++) {
      const toks = doc.tokens[col] as Token[];
      for (let pos = 0; pos < toks.length; pos++) {
        const term = (toks[pos] as Token).term;
        const found = singles.get(term);
        if (found !== undefined) {
          for (const s of found) {
            if (s.col === undefined || s.col === col)
              out.push({ clause: s.clause, alt: s.alt, col, pos, len: 1, typos: s.typos, penalty: s.penalty, exact: s.exact });
          }
        }
        for (let k = 0; k < prefixes.length; k++) {
          const p = prefixes[k] as Prefix;
          if ((p.col === undefined || p.col === col) && term.startsWith(p.prefix))
            out.push({ clause: p.clause, alt: p.alt, col, pos, len: 1, typos: 0, penalty: 0, exact: false });
        }
        for (let k = 0; k < phrases.length; k++) {
          const ph = phrases[k] as Phrase;
          if ((ph.col === undefined || ph.col === col) && phraseAt(toks, pos, ph)) {
            out.push({ clause: ph.clause, alt: ph.alt, col, pos, len: ph.tokens.length, typos: ph.typos, penalty: 0, exact: ph.typos === 0 && !ph.prefix });
          }
        }
        if (!scanConcats) continue;
        const concat = concats.get(term);
        if (concat && (concat.col === undefined || concat.col === col)) {
          out.push({ clause: concat.first, alt: concat.alt, col, pos, len: 1, typos: 1, penalty: 0, exact: false });
          out.push({ clause: concat.first + 1, alt: concat.alt, col, pos, len: 1, typos: 0, penalty: 0, exact: false, joined: true });
        }
      }
    }
    return out;
  }

  features(doc: DocText): Features {
    const occurrences = this.occurrences(doc);
    const n = this.clauses;
    const best: (Occurrence | undefined)[] = new Array(n).fill(undefined);
    // Scratch space reused across rows: per-row allocations were a tenth of a search in GC.
    const freq = this.freq.fill(0);
    const covered = this.covered;
    let rowTokens = 0;
    for (let c = 0; c < doc.tokens.length; c++) {
      const len = (doc.tokens[c] as Token[]).length;
      covered[c] = len; // tokens still uncovered in column c
      rowTokens += len;
    }
    const seen = this.seen.fill(0);
    for (const o of occurrences) {
      // A concatenation's second clause shares the first's hit: counted once.
      if (!o.joined) freq[o.alt] = (freq[o.alt] as number) + (WEIGHTS[o.col] as number);
      const b = best[o.clause];
      if (!b || o.typos < b.typos || (o.typos === b.typos && (o.penalty < b.penalty || (o.penalty === b.penalty && o.exact && !b.exact)))) best[o.clause] = o;
      for (let p = o.pos; p < o.pos + o.len && p < MAX_POSITIONS; p++) {
        const key = o.col * MAX_POSITIONS + p;
        if (seen[key] === 0) {
          seen[key] = 1;
          covered[o.col] = (covered[o.col] as number) - 1;
        }
      }
    }
    let words = 0;
    let order = 0;
    let typos = 0;
    let penalty = 0;
    let attribute = 0;
    let exact = 0;
    let proximity = 0;
    let previous = -1;
    for (let i = 0; i < n; i++) {
      const b = best[i];
      if (!b) continue;
      words++;
      order += 2 ** (n - 1 - i);
      typos += b.typos;
      penalty += b.penalty;
      let isExact = false;
      let cls = Number.POSITIVE_INFINITY;
      for (const o of occurrences) {
        if (o.clause !== i) continue;
        if (o.exact) isExact = true;
        const k = ((covered[o.col] as number) === 0 ? FULL[o.col] : PARTIAL[o.col]) as number;
        if (k < cls) cls = k;
      }
      if (isExact) exact++;
      attribute += cls;
      if (previous >= 0) proximity += closest(occurrences, previous, i);
      previous = i;
    }
    return { words, order, typos, penalty, proximity, attribute, exact, bm25: bm25(freq, this.idf, rowTokens, this.meanTokens), best, occurrences };
  }
}

function phraseAt(toks: Token[], pos: number, ph: Phrase): boolean {
  const k = ph.tokens.length;
  if (pos + k > toks.length) return false;
  for (let j = 0; j < k; j++) {
    const term = (toks[pos + j] as Token).term;
    const want = ph.tokens[j] as string;
    if (j === k - 1 && ph.prefix ? !term.startsWith(want) : term !== want) return false;
  }
  return true;
}

/** Meilisearch's proximity between clauses a and b: in order and adjacent cost 1, reversed one more, capped at 7; in different columns 8. */
function closest(occurrences: Occurrence[], a: number, b: number): number {
  let min = CROSS_COLUMN;
  for (const x of occurrences) {
    if (x.clause !== a) continue;
    for (const y of occurrences) {
      if (y.clause !== b || x.col !== y.col) continue;
      const after = y.pos - (x.pos + x.len - 1);
      const d = after >= 1 ? after : Math.abs(x.pos - y.pos) + 1;
      if (d < min) min = Math.min(d, MAX_GAP);
    }
  }
  return min;
}

/** Character spans to mark in column `col`: every occurrence there, merged. */
export function markedSpans(doc: DocText, occurrences: Occurrence[], col: number): [number, number][] {
  const toks = doc.tokens[col] as Token[];
  const spans = occurrences
    .filter((o) => o.col === col)
    .map((o): [number, number] => [(toks[o.pos] as Token).start, (toks[o.pos + o.len - 1] as Token).end])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}
