import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { replyWithEntry } from '../../../cache/index.ts';
import { trackSorts } from '../../../catalog/index.ts';
import { Cursor, errorReplies, IdParams, Limit, NoQuery, pageOf, TrackSchema } from '../../schemas.ts';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Price = Type.Number({ minimum: 0, maximum: 1e6 });
const Duration = Type.Integer({ minimum: 0, maximum: 1e10 });

export const TrackListQuery = Type.Object(
  {
    limit: Limit,
    cursor: Type.Optional(Cursor),
    sort: Type.Optional(
      Type.Union(
        Object.keys(trackSorts).map((k) => Type.Literal(k as keyof typeof trackSorts)),
        { description: 'name, -name, price, -price, duration, -duration, newest, id (default)' },
      ),
    ),
    genreId: Type.Optional(Id),
    artistId: Type.Optional(Id),
    albumId: Type.Optional(Id),
    mediaTypeId: Type.Optional(Id),
    minPrice: Type.Optional(Price),
    maxPrice: Type.Optional(Price),
    minDurationMs: Type.Optional(Duration),
    maxDurationMs: Type.Optional(Duration),
  },
  { additionalProperties: false },
);

export const trackRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cached = app.ctx.cached.catalog;

  app.get(
    '/api/tracks',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Tracks, filtered and sorted, keyset-paginated',
        querystring: TrackListQuery,
        response: { 200: pageOf(TrackSchema), ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.tracks(req.query)),
  );

  app.get(
    '/api/tracks/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One track with artist, album, genre and media type names',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: TrackSchema, ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.track(req.params.id)),
  );

  app.get(
    '/api/tracks/by-slug/:slug',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One track by its URL slug',
        params: Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200, pattern: '^[a-z0-9-]+$' }) }),
        querystring: NoQuery,
        response: { 200: TrackSchema, ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.trackBySlug(req.params.slug)),
  );
};
