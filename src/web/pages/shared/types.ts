// Shapes of the JSON API replies the pages read (see /docs for the full schemas).
import type { Static } from 'typebox';
import type {
  AlbumSummarySchema,
  CountedSchema,
  FacetSchema,
  LibraryTrackSchema,
  SearchReply as SearchReplySchema,
  TrackSchema,
} from '../../../http/schemas.ts';

// The catalog shapes come from the API's own schemas (types only: nothing of the server is
// bundled); the rest are written out here as the replies document them.
export type Track = Static<typeof TrackSchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type AlbumSummary = Static<typeof AlbumSummarySchema>;

export interface Album extends AlbumSummary {
  durationMs: number;
  tracks: Track[];
}

export interface ArtistSummary {
  id: number;
  name: string;
  albumCount: number;
}

export interface Artist extends ArtistSummary {
  albums: AlbumSummary[];
}

export type Counted = Static<typeof CountedSchema>;

export interface Playlist extends Counted {
  tracks: Page<Track>;
}

export type SearchReply = Static<typeof SearchReplySchema>;
export type SearchHit = SearchReply['hits'][number];
export type Facet = Static<typeof FacetSchema>;

export interface Suggestion {
  text: string;
  type: 'track' | 'album' | 'artist';
  id: number;
  /** The artist of a track or an album. */
  artist?: string;
}

export interface User {
  id: number;
  email: string;
  displayName: string;
  role: 'customer' | 'admin';
  customerId: number | null;
}

export interface SessionReply {
  user: User | null;
  csrfToken: string | null;
}

export interface Reason {
  strategy: string;
  becauseOfTrackId?: number;
  /** Richer reasons (newer servers): a sentence to show as is. */
  text?: string;
}

export interface Recommendation {
  id: number;
  name: string;
  artist: string | null;
  score: number;
  reasons: Reason[];
}

export interface PopularTrack extends Track {
  /** Units sold + plays. */
  popularity: number;
}

export interface SimilarTrack {
  id: number;
  name: string;
  artist: string | null;
  album: string | null;
  genre: string | null;
  similarity: number;
}

export interface OrderSummary {
  id: number;
  customerId: number;
  invoiceDate: string;
  total: number;
}

export interface Order extends OrderSummary {
  lines: { trackId: number; name: string; unitPrice: number; quantity: number }[];
}

/** GET /api/me/library: a bought track, with the order that bought it last. */
export type LibraryTrack = Static<typeof LibraryTrackSchema>;

export interface Play {
  id: number;
  trackId: number;
  name: string;
  artist: string | null;
  msPlayed: number | null;
  playedAt: string;
}
