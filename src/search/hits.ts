// The page: the hits' details (from the candidate cache), highlights from where the clauses
// matched, and the facets' names.
import type { Stmt } from '../db/index.ts';
import type { CachedDoc } from './doc-cache.ts';
import { markSpans } from './highlight.ts';
import { type Matcher, markedSpans, type Occurrence } from './match.ts';
import type { FacetCombo } from './statements.ts';
import type { Facets, FacetValue, SearchHit } from './types.ts';

export interface PageRow {
  id: number;
  score: number;
  /** Where the clauses matched, when the ranking already worked it out (hybrid rows from the vector side have not). */
  occurrences?: Occurrence[] | undefined;
}

function marked(doc: CachedDoc, occurrences: Occurrence[], col: number, original: string | null): string | null {
  return original === null ? null : markSpans(original, markedSpans(doc, occurrences, col));
}

/** Hits in page order from the cached rows; rows deleted since the candidate pass are left out. */
export function hydrate(page: PageRow[], docs: Map<number, CachedDoc>, matcher: Matcher): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const p of page) {
    const doc = docs.get(p.id);
    if (!doc) continue;
    const d = doc.details;
    const occ = p.occurrences ?? matcher.occurrences(doc);
    hits.push({
      id: d.id,
      name: d.name,
      album: d.album,
      albumId: d.albumId,
      artist: d.artist,
      artistId: d.artistId,
      genre: d.genre,
      genreId: d.genreId,
      mediaTypeId: d.mediaTypeId,
      composer: d.composer,
      unitPrice: d.unitPrice,
      milliseconds: d.milliseconds,
      score: Math.round(p.score * 1e6) / 1e6,
      highlight: {
        name: marked(doc, occ, 0, d.name) as string,
        album: marked(doc, occ, 1, d.album),
        artist: marked(doc, occ, 2, d.artist),
        composer: marked(doc, occ, 4, d.composer),
      },
    });
  }
  return hits;
}

/** Facet values from the (genre, media type, artist) match counts: genre and media type complete, artist top 10. */
export function facetsOf(combos: FacetCombo[], names: { genre: Stmt; mediaType: Stmt; artist: Stmt }): Facets {
  const count = (key: 'genreId' | 'mediaTypeId' | 'artistId') => {
    const m = new Map<number, number>();
    for (const c of combos) {
      const v = c[key];
      if (v !== null) m.set(v, (m.get(v) ?? 0) + c.n);
    }
    return [...m].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  };
  const named = (stmt: Stmt, counts: [number, number][]): FacetValue[] => {
    if (counts.length === 0) return [];
    const byId = new Map((stmt.all(JSON.stringify(counts.map((c) => c[0]))) as { id: number; name: string }[]).map((r) => [r.id, r.name]));
    return counts.map(([id, n]) => ({ id, name: byId.get(id) ?? '', count: n }));
  };
  return {
    genre: named(names.genre, count('genreId')),
    mediaType: named(names.mediaType, count('mediaTypeId')),
    artist: named(names.artist, count('artistId').slice(0, 10)),
  };
}

export const NO_FACETS: Facets = { genre: [], mediaType: [], artist: [] };
