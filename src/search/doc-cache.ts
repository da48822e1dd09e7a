// Candidate rows, kept between searches: their catalog details (what a hit shows) and their
// indexed text cut into tokens. Re-reading and re-tokenizing the same rows was most of a
// Chinook search's time; from here a candidate costs a map lookup. Every change to what the
// rows hold bumps search_suggest_gen in the writing transaction (the search triggers; price,
// duration and media type included since migration 010), and the cache is emptied when that
// generation moves, so it never serves a row older than the catalog.
import type { Stmt } from '../db/index.ts';
import { type DocText, docText } from './match.ts';
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

function cachedDoc(r: DetailRow): CachedDoc {
  const [id, name, album, albumId, artist, artistId, genre, genreId, mediaTypeId, composer, unitPrice, milliseconds] = r;
  const details: Details = { id, name, album, albumId, artist, artistId, genre, genreId, mediaTypeId, composer, unitPrice, milliseconds };
  // The indexed text of the row, in FTS column order (null names index as '').
  return { ...docText(id, [name, album ?? '', artist ?? '', genre ?? '', composer ?? '']), details };
}

export class DocCache {
  private readonly docs = new Map<number, CachedDoc>();
  private gen = -1;

  /** `maxEntries` bounds memory on large catalogs (~2 KB a row): Chinook fits whole. */
  constructor(
    private readonly rows: Stmt,
    private readonly maxEntries = 20_000,
  ) {}

  get(ids: number[], gen: number): Map<number, CachedDoc> {
    if (gen !== this.gen) {
      this.docs.clear();
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
      const d = cachedDoc(row);
      out.set(d.id, d);
      if (this.docs.size >= this.maxEntries) this.docs.delete(this.docs.keys().next().value as number);
      this.docs.set(d.id, d);
    }
    return out;
  }
}
