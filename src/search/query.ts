// Our query language, parsed by hand into a tree and emitted as an FTS5 expression in
// which every user token is a double-quoted string. FTS5 keywords, operators and
// punctuation typed by a user can therefore never reach MATCH as syntax: the worst a
// string can do is be refused with a 400 that says why.
//
//   metallica one          words, ANDed
//   "enter sandman"        phrase
//   sand*                  prefix (also after a phrase: "enter sand"*)
//   iron OR steel          alternatives (bind tighter than the implicit AND)
//   -live  NOT live        exclusion
//   artist:metallica  album:"black album"  track: genre: composer:   field scopes
import { ApiError } from '../errors.ts';
import type { FtsColumn } from './schema.ts';

export const MAX_QUERY_LENGTH = 500;
export const MAX_TERMS = 32;

export const FIELD_SCOPES: Record<string, FtsColumn> = {
  artist: 'artist',
  album: 'album',
  track: 'name',
  name: 'name',
  song: 'name',
  genre: 'genre',
  composer: 'composer',
};

export interface Term {
  /** Normalised tokens (lower case, as the tokenizer will see them); several make a phrase. */
  tokens: string[];
  prefix: boolean;
  /** The user wrote it in quotes. */
  quoted: boolean;
  field?: FtsColumn | undefined;
  /**
   * The last word of the input, still being typed: no space after it, not in quotes, no `*`.
   * The forgiving search also reads it as a prefix ("aerosm" → Aerosmith).
   */
  open?: boolean;
}

export interface ParsedQuery {
  /** ANDed clauses; each clause is one term or several ORed ones. */
  must: Term[][];
  not: Term[];
}

export class QueryError extends ApiError {
  constructor(message: string, details?: unknown) {
    super(400, 'invalid_query', message, details);
  }
}

// Letters, digits and private-use characters make tokens, as in unicode61; combining marks
// stay attached to their letter (remove_diacritics strips them later).
const TOKEN = /[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{M}\p{Co}]*/gu;
const CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

export function tokenize(text: string): string[] {
  return (text.normalize('NFC').toLowerCase().match(TOKEN) ?? []).slice(0, MAX_TERMS + 1);
}

const TRAILING_SPACE = /[\s\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]$/u;

type Lexeme =
  | { type: 'word'; text: string; neg: boolean; field?: FtsColumn }
  | { type: 'phrase'; text: string; prefix: boolean; neg: boolean; field?: FtsColumn }
  | { type: 'or' };

function lex(input: string): Lexeme[] {
  const s = input.replace(CONTROL, ' ');
  const out: Lexeme[] = [];
  let i = 0;
  let neg = false;
  let field: FtsColumn | undefined;
  const isSpace = (c: string | undefined) => c === undefined || /\s/u.test(c);
  while (i < s.length) {
    const c = s[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const close = s.indexOf('"', i + 1);
      if (close === -1) {
        // A stray quote is punctuation: the rest are plain words.
        i++;
        continue;
      }
      const prefix = s[close + 1] === '*';
      out.push({ type: 'phrase', text: s.slice(i + 1, close), prefix, neg, field });
      neg = false;
      field = undefined;
      i = close + (prefix ? 2 : 1);
      continue;
    }
    let j = i;
    while (j < s.length && !isSpace(s[j]) && s[j] !== '"') j++;
    let word = s.slice(i, j);
    i = j;
    if (word === 'OR') {
      out.push({ type: 'or' });
      continue;
    }
    if (word === 'AND') continue;
    if (word === 'NOT') {
      neg = true;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      neg = true;
      word = word.slice(1);
    }
    const scope = /^([a-z]+):(.*)$/i.exec(word);
    if (scope) {
      const col = FIELD_SCOPES[(scope[1] as string).toLowerCase()];
      if (col) {
        field = col;
        word = scope[2] as string;
        if (word === '') continue; // applies to the next word or phrase
      }
    }
    out.push({ type: 'word', text: word, neg, field });
    neg = false;
    field = undefined;
  }
  return out;
}

function toTerm(lx: Exclude<Lexeme, { type: 'or' }>): Term | null {
  let text = lx.text;
  let prefix = lx.type === 'phrase' ? lx.prefix : false;
  if (lx.type === 'word' && /[\p{L}\p{N}\p{M}\p{Co}]\*+$/u.test(text)) {
    prefix = true;
    text = text.replace(/\*+$/, '');
  }
  const tokens = tokenize(text);
  if (tokens.length === 0) return null;
  if (tokens.length > MAX_TERMS) throw new QueryError(`A phrase may hold at most ${MAX_TERMS} words`);
  return { tokens, prefix, quoted: lx.type === 'phrase', field: lx.field };
}

export function parseQuery(input: string): ParsedQuery {
  if (input.length > MAX_QUERY_LENGTH) throw new QueryError(`The query is longer than ${MAX_QUERY_LENGTH} characters`);
  const must: Term[][] = [];
  const not: Term[] = [];
  let joinNext = false;
  let lastWasPositive = false;
  const lexemes = lex(input);
  const last = lexemes.at(-1);
  for (const lx of lexemes) {
    if (lx.type === 'or') {
      // OR only joins two positive terms; anywhere else it is ignored.
      joinNext = lastWasPositive;
      continue;
    }
    const term = toTerm(lx);
    if (!term) continue;
    if (lx === last && lx.type === 'word' && !lx.neg && !term.prefix && !TRAILING_SPACE.test(input)) term.open = true;
    if (lx.neg) {
      not.push(term);
      joinNext = false;
      lastWasPositive = false;
      continue;
    }
    if (joinNext && must.length > 0) (must[must.length - 1] as Term[]).push(term);
    else must.push([term]);
    joinNext = false;
    lastWasPositive = true;
  }
  const count = must.reduce((n, c) => n + c.length, 0) + not.length;
  if (count > MAX_TERMS) throw new QueryError(`A query may hold at most ${MAX_TERMS} terms, this one has ${count}`);
  if (must.length === 0) {
    if (not.length > 0) throw new QueryError('The query only excludes words: add at least one word to look for');
    throw new QueryError('The query has no letters or digits to search for');
  }
  return { must, not };
}

export function termFts(t: Term): string {
  const phrase = `"${t.tokens.join(' ')}"`;
  // A prefix is matched against index stems: porter keeps most prefixes intact, but a word
  // whose stem is shorter than what was typed ("runni*" vs "run") is missed. Suggestions use
  // an unstemmed index for that reason.
  const body = t.prefix ? `${phrase} *` : phrase;
  return t.field ? `${t.field} : ${body}` : body;
}

/** The FTS5 MATCH expression: every token is quoted, so the grammar is ours alone. */
export function toFts(q: ParsedQuery): string {
  const clauses = q.must.map((alts) => (alts.length === 1 ? termFts(alts[0] as Term) : `(${alts.map(termFts).join(' OR ')})`));
  const positive = clauses.length === 1 ? (clauses[0] as string) : clauses.join(' AND ');
  if (q.not.length === 0) return positive;
  return `(${positive}) NOT (${q.not.map(termFts).join(' OR ')})`;
}

const fieldName = (f: FtsColumn) => (f === 'name' ? 'track' : f);

function renderTerm(t: Term): string {
  const body = t.quoted || t.tokens.length > 1 ? `"${t.tokens.join(' ')}"` : (t.tokens[0] as string);
  return `${t.field ? `${fieldName(t.field)}:` : ''}${body}${t.prefix ? '*' : ''}`;
}

/** The query written back in our own syntax (for correctedQuery). */
export function renderQuery(q: ParsedQuery): string {
  const parts = q.must.map((alts) => alts.map(renderTerm).join(' OR '));
  for (const t of q.not) parts.push(`-${renderTerm(t)}`);
  return parts.join(' ');
}

/** Plain words only (no operators, scopes, prefixes or exclusions): text an exact name match can be compared with. */
export function plainText(q: ParsedQuery): string | null {
  if (q.not.length > 0 || q.must.some((alts) => alts.length > 1 || alts.some((t) => t.prefix || t.field))) return null;
  return q.must.map((alts) => (alts[0] as Term).tokens.join(' ')).join(' ');
}
