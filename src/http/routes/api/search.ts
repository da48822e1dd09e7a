// /api/search and /api/search/suggest: schemas here, work in src/search.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { MAX_QUERY_LENGTH, SEARCH_SORTS } from '../../../search/index.ts';
import { ErrorReply, errorReplies, SearchReply } from '../../schemas.ts';

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

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { cached } = app.ctx;

  app.get(
    '/api/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text search over tracks, albums, artists, genres and composers, with facets and highlights',
        querystring: SearchQuery,
        response: { 200: SearchReply, ...errorReplies, 409: ErrorReply },
      },
    },
    // Already JSON: a string with a JSON content type goes out without another serialisation.
    async (req, reply) => (reply as FastifyReply).type('application/json; charset=utf-8').send(await cached.search(req.query)),
  );

  app.get(
    '/api/search/suggest',
    {
      schema: {
        tags: ['search'],
        summary:
          'As-you-type suggestions (tracks, albums, artists): names starting with the text, most popular first, then forgiving matches (typos, words of several names)',
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
                artist: Type.Optional(Type.String({ description: 'the artist of a track or an album' })),
              }),
            ),
          }),
          ...errorReplies,
        },
      },
    },
    async (req, reply) => (reply as FastifyReply).type('application/json; charset=utf-8').send(await cached.suggest(req.query.q, req.query.limit)),
  );
};
