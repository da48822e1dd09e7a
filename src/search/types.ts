// The search service's request and reply, shared by the service, the cache wrapper and the route.

export interface SearchFilters {
  genreId?: number | undefined;
  mediaTypeId?: number | undefined;
  artistId?: number | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  minDurationMs?: number | undefined;
  maxDurationMs?: number | undefined;
}

export const SEARCH_SORTS = ['relevance', 'price', '-price', 'duration', '-duration', 'name'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
export const SEARCH_MODES = ['keyword', 'hybrid'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface SearchRequest extends SearchFilters {
  q: string;
  sort?: SearchSort | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** Opaque `nextCursor` of a previous reply to the same question: the next page. */
  cursor?: string | undefined;
  mode?: SearchMode | undefined;
  /** Facet counts cost one more pass over the matches; off for as-you-type result lists. */
  facets?: boolean | undefined;
}

export interface SearchHit {
  id: number;
  name: string;
  album: string | null;
  albumId: number | null;
  artist: string | null;
  artistId: number | null;
  genre: string | null;
  genreId: number | null;
  mediaTypeId: number;
  composer: string | null;
  unitPrice: number;
  milliseconds: number;
  score: number;
  highlight: { name: string; album: string | null; artist: string | null; composer: string | null };
}

export interface FacetValue {
  id: number;
  name: string;
  count: number;
}

export interface Facets {
  genre: FacetValue[];
  mediaType: FacetValue[];
  artist: FacetValue[];
}

export interface SearchResult {
  hits: SearchHit[];
  total: number;
  facets: Facets;
  /** The query as effectively run, when a word was corrected or dropped ("showing results for …"). */
  correctedQuery?: string;
  /** Words of the query the first hit does not contain (they matched nothing, or nothing together with the rest). */
  droppedWords: string[];
  /** Opaque cursor for the next page, null on the last one. */
  nextCursor: string | null;
  mode: SearchMode;
  tookMs: number;
}

/**
 * Where hybrid search plugs in: the vectors module implements this (nearest tracks in the
 * lyric/text embedding space, best first) and calls SearchService.setVectorRetriever.
 */
export interface VectorRetriever {
  readonly name: string;
  nearestTracks(query: string, k: number): number[];
}
