// Candidate rows' indexed text, cut into tokens, kept between searches: re-reading and
// re-tokenizing the same rows was most of a Chinook search's time (100 candidates: ~150 µs
// of SQL and ~200 µs of tokenizing; from this cache ~10 µs). Every change to indexed text
// bumps search_suggest_gen in the writing transaction (the search triggers), and the cache
// is emptied when that generation moves, so it never serves text older than the index.
import type { Stmt } from '../db/connection.ts';
import { type DocText, docText } from './match.ts';

type TextRow = [id: number, name: string, album: string, artist: string, genre: string, composer: string];

export class DocCache {
  private readonly docs = new Map<number, DocText>();
  private gen = -1;

  /** `maxEntries` bounds memory on large catalogs (~2 KB a row): Chinook fits whole. */
  constructor(
    private readonly texts: Stmt,
    private readonly maxEntries = 20_000,
  ) {}

  get(ids: number[], gen: number): Map<number, DocText> {
    if (gen !== this.gen) {
      this.docs.clear();
      this.gen = gen;
    }
    const out = new Map<number, DocText>();
    const missing: number[] = [];
    for (const id of ids) {
      const d = this.docs.get(id);
      if (d) out.set(id, d);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    for (const row of this.texts.all(JSON.stringify(missing)) as TextRow[]) {
      const d = docText(row[0], row.slice(1) as string[]);
      out.set(d.id, d);
      if (this.docs.size >= this.maxEntries) this.docs.delete(this.docs.keys().next().value as number);
      this.docs.set(d.id, d);
    }
    return out;
  }
}
