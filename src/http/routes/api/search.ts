// /api/search, /api/search/suggest and /api/admin/search/stats: schemas here, work in src/search.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_QUERY_LENGTH, SEARCH_SORTS, searchStats } from '../../../search/index.ts';
import { ErrorReply, errorReplies, Nullable } from '../../schemas.ts';
import { adminErrorReplies, adminGuard } from './admin-auth.ts';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Price = Type.Number({ minimum: 0, maximum: 1e6 });
const Duration = Type.Integer({ minimum: 0, maximum: 1e10 });

export const SearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: MAX_QUERY_LENGTH,
      description:
        'words, forgiven: typos, the last word as a prefix while typing, split or joined words; a word that matches nothing is dropped. ' +
        'Operators: "phrase", prefix*, a OR b, -word / NOT word, artist: album: track: genre: composer:',
    }),
    genreId: Type.Optional(Id),
    mediaTypeId: Type.Optional(Id),
    artistId: Type.Optional(Id),
    minPrice: Type.Optional(Price),
    maxPrice: Type.Optional(Price),
    minDurationMs: Type.Optional(Duration),
    maxDurationMs: Type.Optional(Duration),
    sort: Type.Optional(Type.Union(SEARCH_SORTS.map((s) => Type.Literal(s)))),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000, default: 0 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'nextCursor of the previous page of the same search (instead of offset)' })),
    mode: Type.Optional(
      Type.Union([Type.Literal('keyword'), Type.Literal('hybrid')], {
        description: 'keyword (default) or hybrid: keyword fused with the text-space vectors (needs the vector index)',
      }),
    ),
    facets: Type.Boolean({ default: true, description: 'false skips the facet counts (faster as-you-type lists)' }),
  },
  { additionalProperties: false },
);

const Facet = Type.Object({ id: Type.Integer(), name: Type.String(), count: Type.Integer() });

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
  facets: Type.Object({ genre: Type.Array(Facet), mediaType: Type.Array(Facet), artist: Type.Array(Facet, { description: 'top 10' }) }),
  correctedQuery: Type.Optional(
    Type.String({ description: 'the query as effectively run, present when a word was corrected or dropped ("showing results for …")' }),
  ),
  droppedWords: Type.Array(Type.String(), { description: 'words of the query the first hit does not contain; empty when none' }),
  nextCursor: Nullable(Type.String({ description: 'opaque cursor for the next page (pass as cursor); null on the last page' })),
  mode: Type.Union([Type.Literal('keyword'), Type.Literal('hybrid')]),
  cached: Type.Boolean(),
  tookMs: Type.Number(),
});

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { search, cached } = app.ctx;

  app.get(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text search over tracks, albums, artists, genres and composers, with facets and highlights',
        querystring: SearchQuery,
        response: { 200: SearchReply, ...errorReplies, 409: ErrorReply },
      },
    },
    async (req) => cached.search(req.query),
  );

  app.get(
    '/search/suggest',
    {
      schema: {
        tags: ['search'],
        summary: 'As-you-type suggestions (tracks, albums, artists) from a prefix, most popular first',
        querystring: Type.Object(
          { q: Type.String({ minLength: 1, maxLength: 100 }), limit: Type.Integer({ minimum: 1, maximum: 20, default: 8 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            suggestions: Type.Array(
              Type.Object({
                text: Type.String(),
                type: Type.Union([Type.Literal('track'), Type.Literal('album'), Type.Literal('artist')]),
                id: Type.Integer(),
              }),
            ),
          }),
          ...errorReplies,
        },
      },
    },
    async (req) => search.suggest(req.query.q, req.query.limit),
  );
};

export const adminSearchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', adminGuard(app.ctx.config.adminToken));
  app.get(
    '/stats',
    {
      schema: {
        tags: ['system'],
        summary: 'Search index: tracks vs indexed tracks, coverage, size, vocabulary, triggers, last rebuild',
        response: {
          200: Type.Object({
            totalTracks: Type.Integer(),
            indexedTracks: Type.Integer(),
            coveragePercent: Type.Number(),
            indexBytes: Type.Integer(),
            suggestEntries: Type.Integer(),
            suggestBytes: Type.Integer(),
            vocabularyTerms: Type.Integer(),
            triggers: Type.Object({ present: Type.Integer(), expected: Type.Integer() }),
            lastRebuild: Nullable(Type.String()),
            lastOptimize: Nullable(Type.String()),
          }),
          ...adminErrorReplies,
        },
      },
    },
    async () => searchStats(app.ctx.db),
  );
};
