// What the forgiving search looks for: every clause of the parsed query (a word, a phrase,
// or words joined by OR) becomes the set of index forms it may stand for, each with a typo
// cost, and those sets become FTS5 expressions.
//
//   typed       also matches                                     typo cost
//   metalica    metalica, metallica (1 edit)                     0 / 1
//   aerosm      aerosm, aerosm* (the last word, still typed)     0
//   dont        dont, "don t" (split: Don't)                     0 / 1
//   sand man    sand AND man, or sandman (concatenation)         0 / 1
//   "a b"       the phrase only; quotes turn forgiveness off
//
// Every user token still reaches MATCH only as a double-quoted string (see query.ts).
import type { ParsedQuery, Term } from './query.ts';
import type { FtsColumn } from './schema.ts';
import { fold } from './text.ts';
import { typoBudget, type VocabularySnapshot } from './vocabulary.ts';

/** One form a clause may match in a row. */
export interface Alternative {
  /** Folded tokens; two or more must stand next to each other (a phrase). */
  tokens: string[];
  /** The last token is a prefix. */
  prefix: boolean;
  /** Edits (a first-letter edit counts 2), or 1 for a split. */
  typos: number;
  /** Orders alternatives of equal typos (see Derivation.penalty); 0 for all but typo derivations. */
  penalty: number;
  /** The word as typed (not a completion, typo, split or concatenation). */
  exact: boolean;
  field?: FtsColumn | undefined;
}

export interface Clause {
  /** The clause as the user wrote it, in our query syntax (for correctedQuery). */
  typed: string;
  alternatives: Alternative[];
  /** Rows it may match, as the vocabulary counts (the sum over its alternatives; a prefix counts every row). */
  rows: number;
  /** One of its alternatives is a single word the vocabulary holds: it matches some row for sure. */
  known: boolean;
}

/** Two neighbouring clauses written as one index term ("sand man" → sandman). Costs one typo. */
export interface Concatenation {
  first: number;
  term: string;
  field?: FtsColumn | undefined;
}

export interface SearchPlan {
  clauses: Clause[];
  concatenations: Concatenation[];
  not: Term[];
}

/** Most completions of the word being typed listed as words; more go to FTS5 as a prefix query. */
const MAX_COMPLETIONS = 12;

/** Longest word read as an acronym when it has no other reading at all. */
const MAX_ACRONYM = 10;

/** Shortest word given one more edit than its budget when it means nothing otherwise ("quen" → queen). */
const MIN_RELAXED = 4;

/** Shortest last word read as a prefix: one letter would expand to a large share of the vocabulary (suggestions cover it). */
export const MIN_PREFIX = 2;

/**
 * Beside other words, a one-letter last word is a prefix too ("marvin g" is Marvin Gaye, not
 * "Martin" beside the word "g"), on catalogs up to this many rows. The index keeps prefix
 * tables for two and three letters only, so FTS5 merges the doclists of every term with that
 * first letter: "marvin" AND "g" * took 0.33 ms on Chinook (3,503 rows), "love" AND "s" *
 * 154 ms on the 1M synthetic catalog against 3.6 ms for "se" *.
 */
export const ONE_LETTER_PREFIX_MAX_ROWS = 50_000;

const fieldName = (f: FtsColumn) => (f === 'name' ? 'track' : f);

function typedText(t: Term): string {
  const body = t.quoted || t.tokens.length > 1 ? `"${t.tokens.join(' ')}"` : (t.tokens[0] as string);
  return `${t.field ? `${fieldName(t.field)}:` : ''}${body}${t.prefix ? '*' : ''}`;
}

function alternativesOf(t: Term, vocab: VocabularySnapshot, minPrefix: number): Alternative[] {
  const field = t.field;
  const tokens = t.tokens.map(fold);
  const exact: Alternative = { tokens, prefix: t.prefix, typos: 0, penalty: 0, exact: !t.prefix, field };
  // Quotes and an explicit `*` say the user means exactly this.
  if (t.quoted || t.prefix) return [exact];
  const out = [exact];
  const last = tokens.at(-1) as string;
  if (t.open && last.length >= minPrefix) {
    // A handful of completions are cheaper to match as words than as an FTS5 prefix query,
    // which merges the doclists of every term in the range (Chinook "sandm*": ~150 µs vs ~35 µs).
    const completions = tokens.length === 1 ? vocab.completions(last, MAX_COMPLETIONS) : null;
    if (completions) for (const c of completions) out.push({ tokens: [c], prefix: false, typos: 0, penalty: 0, exact: false, field });
    else out.push({ tokens, prefix: true, typos: 0, penalty: 0, exact: false, field });
  }
  if (tokens.length === 1) {
    let typos = vocab.typos(last);
    const splits = vocab.splits(last);
    // A word that means nothing in the catalog, even with its typo budget, would be dropped:
    // one more edit first ("woderfum" → wonderful: two edits in a word typed with 8 letters).
    if (typos.length === 0 && splits.length === 0 && !vocab.has(last) && !(t.open && vocab.hasPrefix(last)) && last.length >= MIN_RELAXED) {
      typos = vocab.typos(last, Math.min(2, typoBudget(last) + 1));
      // Still nothing: a longer acronym ("androtaz" → A.N.D.R.O.T.A.Z.).
      const letters = typos.length === 0 && last.length <= MAX_ACRONYM ? vocab.acronym(last) : null;
      if (letters) splits.push(letters);
    }
    for (const d of typos) out.push({ tokens: [d.term], prefix: false, typos: d.typos, penalty: d.penalty, exact: false, field });
    for (const parts of splits) out.push({ tokens: parts, prefix: false, typos: 1, penalty: 0, exact: false, field });
  }
  return out;
}

const isPlainWord = (t: Term | undefined): t is Term => t !== undefined && !t.quoted && !t.prefix && t.tokens.length === 1;

/**
 * Words joined by inner punctuation ("ac/dc", "can't", "principiando/decolagem") become one
 * clause per word, each forgiven on its own; proximity still ranks them best side by side.
 * Quoted phrases, OR groups and an explicit `*` stay as written.
 */
function separateWords(must: Term[][]): Term[][] {
  return must.flatMap((alts) => {
    const t = alts[0] as Term;
    if (alts.length > 1 || t.quoted || t.prefix || t.tokens.length === 1) return [alts];
    return t.tokens.map((token, i) => [{ tokens: [token], prefix: false, quoted: false, field: t.field, open: t.open === true && i === t.tokens.length - 1 }]);
  });
}

export function buildPlan(parsed: ParsedQuery, vocab: VocabularySnapshot): SearchPlan {
  const q = { must: separateWords(parsed.must), not: parsed.not };
  const minPrefix = q.must.length >= 2 && vocab.rows <= ONE_LETTER_PREFIX_MAX_ROWS ? 1 : MIN_PREFIX;
  const clauses = q.must.map((alts) => ({
    typed: alts.map(typedText).join(' OR '),
    alternatives: alts.flatMap((t) => alternativesOf(t, vocab, minPrefix)),
    rows: 0,
    known: false,
  }));
  for (const c of clauses) {
    c.rows = c.alternatives.reduce((sum, a) => sum + (a.prefix ? vocab.rows : Math.min(...a.tokens.map((t) => vocab.documents(t)))), 0);
    c.known = c.alternatives.some((a) => a.tokens.length === 1 && !a.prefix && !a.field && vocab.documents(a.tokens[0] as string) > 0);
  }
  const concatenations: Concatenation[] = [];
  for (let i = 0; i + 1 < q.must.length; i++) {
    const a = q.must[i] as Term[];
    const b = q.must[i + 1] as Term[];
    if (a.length !== 1 || b.length !== 1 || !isPlainWord(a[0]) || !isPlainWord(b[0]) || a[0].field !== b[0].field) continue;
    const term = fold((a[0].tokens[0] as string) + (b[0].tokens[0] as string));
    if (vocab.has(term)) concatenations.push({ first: i, term, field: a[0].field });
  }
  return { clauses, concatenations, not: q.not };
}

function alternativeFts(a: Alternative): string {
  const body = `"${a.tokens.join(' ')}"${a.prefix ? ' *' : ''}`;
  return a.field ? `${a.field} : ${body}` : body;
}

/** The clause's alternatives up to `maxTypos`, ORed; null when none qualifies. */
export function clauseFts(c: Clause, maxTypos: number): string | null {
  const seen = new Set<string>();
  for (const a of c.alternatives) if (a.typos <= maxTypos) seen.add(alternativeFts(a));
  if (seen.size === 0) return null;
  return seen.size === 1 ? ([...seen][0] as string) : `(${[...seen].join(' OR ')})`;
}

function notFts(plan: SearchPlan): string {
  return plan.not
    .map((t) => {
      const body = `"${t.tokens.join(' ')}"${t.prefix ? ' *' : ''}`;
      return t.field ? `${t.field} : ${body}` : body;
    })
    .join(' OR ');
}

/** All of `members` (clause indices, ascending), with alternatives up to `maxTypos`; null if one clause has none. */
function conjunction(plan: SearchPlan, members: number[], maxTypos: number): string | null {
  const parts: string[] = [];
  for (let k = 0; k < members.length; k++) {
    const i = members[k] as number;
    const own = clauseFts(plan.clauses[i] as Clause, maxTypos);
    const concat = maxTypos >= 1 && members[k + 1] === i + 1 ? plan.concatenations.find((c) => c.first === i) : undefined;
    if (concat) {
      const next = clauseFts(plan.clauses[i + 1] as Clause, maxTypos);
      const joined = `${concat.field ? `${concat.field} : ` : ''}"${concat.term}"`;
      parts.push(own && next ? `((${own} AND ${next}) OR ${joined})` : joined);
      k++;
      continue;
    }
    if (own === null) return null;
    parts.push(own);
  }
  return parts.length === 1 ? (parts[0] as string) : parts.join(' AND ');
}

function withExclusions(plan: SearchPlan, positive: string): string {
  return plan.not.length === 0 ? positive : `(${positive}) NOT (${notFts(plan)})`;
}

/** Every clause in `members` must match (with alternatives up to `maxTypos`). */
export function allOf(plan: SearchPlan, members: number[], maxTypos = Infinity): string | null {
  const positive = conjunction(plan, members, maxTypos);
  return positive === null ? null : withExclusions(plan, positive);
}

/** Subsets of `members` of size `size`, dropping later clauses first (at most `cap` of them). */
export function subsets(members: number[], size: number, cap: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, chosen: number[]) => {
    if (out.length >= cap) return;
    if (chosen.length === size) {
      out.push(chosen);
      return;
    }
    for (let i = from; i <= members.length - (size - chosen.length); i++) pick(i + 1, [...chosen, members[i] as number]);
  };
  pick(0, []);
  return out;
}

/** At least `size` of `members` must match: the OR of the conjunctions of its subsets. */
export function atLeast(plan: SearchPlan, members: number[], size: number, cap = 16): string | null {
  return eitherOf(plan, subsets(members, size, cap));
}

/** Every clause of one of `sets` must match: the OR of their conjunctions. */
export function eitherOf(plan: SearchPlan, sets: number[][]): string | null {
  const parts = sets.map((s) => conjunction(plan, s, Infinity)).filter((e): e is string => e !== null);
  if (parts.length === 0) return null;
  return withExclusions(plan, parts.length === 1 ? (parts[0] as string) : parts.map((p) => `(${p})`).join(' OR '));
}
