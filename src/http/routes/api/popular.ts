// GET /api/tracks/popular: the storefront's "popular now" shelf for visitors, ranked by the
// store's popularity (units sold + plays), each track with the counts that put it there.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sendEntry } from '../../../cache/http.ts';
import { errorReplies, TrackSchema } from '../../schemas.ts';

// The ranking moves with every play; a minute of staleness costs one query a minute.
const TTL_SECONDS = 60;

export const popularRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, catalog, cache } = app.ctx;
  const compute = (limit: number) => ({
    items: store.popularity.topTracks(limit).map((p) => ({ ...catalog.tracks.get(p.id), popularity: p.score })),
  });
  app.get(
    '/tracks/popular',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Most popular tracks (units sold + plays), most popular first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ ...TrackSchema.properties, popularity: Type.Integer({ description: 'units sold + plays' }) })),
          }),
          ...errorReplies,
        },
      },
    },
    async (req, reply) => {
      const { limit } = req.query;
      if (!cache.cache) return compute(limit);
      const entry = await cache.cache.rememberJson(`popular:tracks:${limit}`, { tags: ['popular'], ttlSeconds: TTL_SECONDS }, () => compute(limit));
      return sendEntry(req, reply, entry);
    },
  );
};
