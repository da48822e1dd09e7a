// Words as the index sees them. The FTS5 tokenizer is `unicode61 remove_diacritics 2`:
// letters, digits and private-use characters make tokens, everything else separates them
// ("can't" is `can` + `t`, "AC/DC" is `ac` + `dc`), case is folded, and diacritics are
// removed from Latin letters only ("Antônio" → antonio, but "ø", "ł" and Greek accents stay).
// The ranking and the highlights re-read candidate rows in JS, so this file must cut and
// fold exactly as the tokenizer does; test/search/text.test.ts compares it with FTS5's own
// token list (fts5vocab 'instance') for every row of the Chinook catalog.

/** One token of a text: its folded form and where it sits in the original string. */
export interface Token {
  term: string;
  start: number;
  end: number;
}

// Marks stay attached to the letter before them (remove_diacritics drops them there).
const TOKEN = /[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{M}\p{Co}]*/gu;
const NON_ASCII = /[^ -~\t\n\r]/;
const LATIN_WITH_MARKS = /([A-Za-z])\p{M}+/gu;
const MARKS = /\p{M}+/gu;

/**
 * Lower case, with the diacritics of Latin letters removed (what remove_diacritics 2 does:
 * "ã" → a, "İ" → i); other scripts keep their marks. ASCII skips the Unicode work.
 */
export function fold(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  // NFD splits "ã" into "a" + U+0303; marks after an ASCII letter go, others are recomposed.
  return text.toLowerCase().normalize('NFD').replace(LATIN_WITH_MARKS, '$1').normalize('NFC');
}

/** Folded tokens with their offsets in `text`. */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index;
    out.push({ term: fold(m[0]), start, end: start + m[0].length });
  }
  return out;
}

/** Folded tokens only. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TOKEN)) out.push(fold(m[0]));
  return out;
}

/** Removes every combining mark: the accent-free form a user types ("Titãs" → "Titas"). */
export const stripMarks = (text: string) => text.normalize('NFD').replace(MARKS, '').normalize('NFC');
