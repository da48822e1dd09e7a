import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { replyWithEntry } from '../../../cache/index.ts';
import { errorReplies, IdParams } from '../../schemas.ts';

const SimilarQuery = Type.Object(
  {
    space: Type.Union([Type.Literal('audio'), Type.Literal('lyric'), Type.Literal('metadata'), Type.Literal('blend')], {
      default: 'blend',
      description: 'audio (listens-alike), lyric (text), metadata, or blend of the three',
    }),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
    maxPerAlbum: Type.Integer({
      minimum: 1,
      maximum: 50,
      default: 3,
      description: 'at most this many tracks of one album in each run of 10 results (50: no limit); copies of one song always collapse',
    }),
  },
  { additionalProperties: false },
);

const SimilarReply = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      artist: Type.Union([Type.String(), Type.Null()]),
      album: Type.Union([Type.String(), Type.Null()]),
      genre: Type.Union([Type.String(), Type.Null()]),
      similarity: Type.Number({ description: '1 − cosine distance, in [−1, 1]' }),
    }),
  ),
});

export const similarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { cached } = app.ctx;
  app.get(
    '/api/tracks/:id/similar',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Tracks most similar to this one in a vector space (the track itself and copies of one song excluded, albums spread out)',
        params: IdParams,
        querystring: SimilarQuery,
        response: { 200: SimilarReply, ...errorReplies, 409: errorReplies[404] },
      },
    },
    (req, reply) =>
      replyWithEntry(
        req,
        reply,
        cached.similar({ trackId: req.params.id, space: req.query.space, limit: req.query.limit, maxPerAlbum: req.query.maxPerAlbum }),
      ),
  );
};
