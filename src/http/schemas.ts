// Schemas shared by several routes; a route's own schemas live beside it.
import { Type } from 'typebox';

export const ErrorReply = Type.Object(
  { error: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) },
  { $id: 'ErrorReply', description: 'Every 4xx/5xx reply' },
);

export const errorReplies = {
  400: ErrorReply,
  404: ErrorReply,
} as const;

/** For routes without query parameters: an unknown one is a client mistake (400), not silently ignored. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'page size (1–100)' });
// Room for the last row's sort value: a 500-character name (the longest an edit allows)
// is up to ~4 KB once JSON-escaped and base64-encoded.
export const Cursor = Type.String({ minLength: 1, maxLength: 8192, description: 'nextCursor of the previous page' });
export const ReportLimit = Type.Integer({ minimum: 1, maximum: 100, default: 10 });

/** `T | null` (Chinook has nullable album, genre, composer …). */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const TrackSchema = Type.Object({
  id: Type.Integer(),
  publicId: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  albumId: Nullable(Type.Integer()),
  album: Nullable(Type.String()),
  artistId: Nullable(Type.Integer()),
  artist: Nullable(Type.String()),
  genreId: Nullable(Type.Integer()),
  genre: Nullable(Type.String()),
  mediaTypeId: Type.Integer(),
  mediaType: Type.String(),
  composer: Nullable(Type.String()),
  milliseconds: Type.Integer(),
  bytes: Nullable(Type.Integer()),
  unitPrice: Type.Number(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** GET /api/me/library: a bought track, what a row shows, and the order that bought it last. */
export const LibraryTrackSchema = Type.Object({
  ...Type.Pick(TrackSchema, ['id', 'slug', 'name', 'albumId', 'album', 'artistId', 'artist', 'milliseconds', 'unitPrice']).properties,
  orderId: Type.Integer(),
  boughtAt: Type.String(),
});

export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const AlbumSummarySchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  artistId: Type.Integer(),
  artist: Type.String(),
  releaseDate: Nullable(Type.String()),
  trackCount: Type.Integer(),
});

export const CountedSchema = Type.Object({ id: Type.Integer(), name: Type.String(), trackCount: Type.Integer() });

/** One facet value of a search: an id, its name and how many matches carry it. */
export const FacetSchema = Type.Object({ id: Type.Integer(), name: Type.String(), count: Type.Integer() });

/** GET /api/search's reply (also the storefront's type for it). */
export const SearchReply = Type.Object({
  hits: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      album: Nullable(Type.String()),
      albumId: Nullable(Type.Integer()),
      artist: Nullable(Type.String()),
      artistId: Nullable(Type.Integer()),
      genre: Nullable(Type.String()),
      genreId: Nullable(Type.Integer()),
      mediaTypeId: Type.Integer(),
      composer: Nullable(Type.String()),
      unitPrice: Type.Number(),
      milliseconds: Type.Integer(),
      score: Type.Number({ description: 'relevance (negated bm25; higher is better); RRF score in hybrid mode' }),
      highlight: Type.Object({
        name: Type.String(),
        album: Nullable(Type.String()),
        artist: Nullable(Type.String()),
        composer: Nullable(Type.String()),
      }),
    }),
  ),
  total: Type.Integer(),
  facets: Type.Object({ genre: Type.Array(FacetSchema), mediaType: Type.Array(FacetSchema), artist: Type.Array(FacetSchema, { description: 'top 10' }) }),
  correctedQuery: Type.Optional(
    Type.String({ description: 'the query as effectively run, present when a word was corrected or dropped ("showing results for …")' }),
  ),
  droppedWords: Type.Array(Type.String(), { description: 'words of the query the first hit does not contain; empty when none' }),
  nextCursor: Nullable(Type.String({ description: 'opaque cursor for the next page (pass as cursor); null on the last page' })),
  mode: Type.Union([Type.Literal('keyword'), Type.Literal('hybrid')]),
  cached: Type.Boolean(),
  tookMs: Type.Number(),
});
