// GET /api/tracks/popular: the storefront's "popular now" shelf for visitors, ranked by the
// store's popularity (units sold + plays), each track with the counts that put it there.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { replyWithEntry } from '../../../cache/index.ts';
import { errorReplies, TrackSchema } from '../../schemas.ts';

export const popularRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { cached } = app.ctx;
  app.get(
    '/api/tracks/popular',
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
    (req, reply) => replyWithEntry(req, reply, cached.popularTracks(req.query.limit)),
  );
};
