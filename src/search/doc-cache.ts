// Candidate rows, kept between searches: their catalog details (what a hit shows) and their
// indexed text cut into tokens. Re-reading and re-tokenizing the same rows was most of a
// Chinook search's time; from here a candidate costs a map lookup. Every change to what the
// rows hold bumps search_suggest_gen in the writing transaction (the search triggers; price,
// duration and media type included since migration 010), and the cache is emptied when that
// generation moves, so it never serves a row older than the catalog.
import type { Stmt } from '../db/index.ts';
import { type DocText, docText, type Intern } from './match.ts';
import type { SearchHit } from './types.ts';

export type Details = Omit<SearchHit, 'score' | 'highlight'>;

export interface CachedDoc extends DocText {
  details: Details;
}

type DetailRow = [
  id: number,
  name: string,
  album: string | null,
  albumId: number | null,
  artist: string | null,
  artistId: number | null,
  genre: string | null,
  genreId: number | null,
  mediaTypeId: number,
  composer: string | null,
  unitPrice: number,
  milliseconds: number,
];

function cachedDoc(r: DetailRow, intern: Intern): CachedDoc {
  const [id, name, albumRead, albumId, artistRead, artistId, genreRead, genreId, mediaTypeId, composerRead, unitPrice, milliseconds] = r;
  const held = (s: string | null) => (s === null ? null : intern(s));
  const [album, artist, genre, composer] = [held(albumRead), held(artistRead), held(genreRead), held(composerRead)];
  const details: Details = { id, name, album, albumId, artist, artistId, genre, genreId, mediaTypeId, composer, unitPrice, milliseconds };
  // The indexed text of the row, in FTS column order (null names index as '').
  return { ...docText(id, [name, album ?? '', artist ?? '', genre ?? '', composer ?? ''], intern), details };
}

/**
 * One copy of each string the cached rows repeat: every read gives each row its own copies of
 * its album, artist and genre names, and Chinook's 45,145 tokens are 5,394 distinct terms. With
 * the exact-size token arrays (match.ts docText), all 3,503 Chinook rows hold 5.8 MiB of heap
 * instead of 8.8 (2.6 → 1.7 KB a row), and a full cache of 20,000 rows of the 1M synthetic
 * catalog 31 MiB instead of 49 (bench/search-doc-cache-memory.ts). A search-heavy server ends
 * up with most rows cached: after the full load mix, these rows were the largest part of what
 * its heap had grown by (4.9 of 7.3 MiB, heap snapshots before and after). Filling costs ~5 %
 * more (90–101 ms for all Chinook rows, against 87–90). Emptied with the rows, or when it holds
 * `max` strings.
 */
class Interner {
  private readonly strings = new Map<string, string>();

  constructor(private readonly max: number) {}

  readonly of = (s: string): string => {
    const held = this.strings.get(s);
    if (held !== undefined) return held;
    if (this.strings.size >= this.max) this.strings.clear();
    this.strings.set(s, s);
    return s;
  };

  clear(): void {
    this.strings.clear();
  }
}

/** Rows the cache holds at most: 31 MiB of heap when full on the 1M synthetic catalog. */
export const DOC_CACHE_ROWS = 20_000;

export class DocCache {
  private readonly docs = new Map<number, CachedDoc>();
  private readonly strings: Interner;
  private gen = -1;

  /** `maxEntries` bounds memory on large catalogs (~1.7 KB a row): Chinook fits whole. */
  constructor(
    private readonly rows: Stmt,
    private readonly maxEntries = DOC_CACHE_ROWS,
  ) {
    // A row has ~13 tokens and 4 names, about half of them new to the table on a large catalog.
    this.strings = new Interner(maxEntries * 8);
  }

  get(ids: number[], gen: number): Map<number, CachedDoc> {
    if (gen !== this.gen) {
      this.docs.clear();
      this.strings.clear();
      this.gen = gen;
    }
    const out = new Map<number, CachedDoc>();
    const missing: number[] = [];
    for (const id of ids) {
      const d = this.docs.get(id);
      if (d) out.set(id, d);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    for (const row of this.rows.all(JSON.stringify(missing)) as DetailRow[]) {
      const d = cachedDoc(row, this.strings.of);
      out.set(d.id, d);
      if (this.docs.size >= this.maxEntries) this.docs.delete(this.docs.keys().next().value as number);
      this.docs.set(d.id, d);
    }
    return out;
  }
}
