import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parseWeights } from '../../../recommend/recommender.ts';
import { errorReplies } from '../../schemas.ts';

const RecommendationsQuery = Type.Object(
  {
    customerId: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'defaults to the logged-in user (purchases of the linked customer + plays)' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    weights: Type.Optional(Type.String({ maxLength: 200, description: 'e.g. audio:0.4,lyric:0.3,genre:0.2,collaborative:0.1 (scaled to sum to 1)' })),
  },
  { additionalProperties: false },
);

const Weights = Type.Object({ audio: Type.Number(), lyric: Type.Number(), genre: Type.Number(), collaborative: Type.Number() });

const RecommendationsReply = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      artist: Type.Union([Type.String(), Type.Null()]),
      score: Type.Number(),
      reasons: Type.Array(Type.Object({ strategy: Type.String(), becauseOfTrackId: Type.Optional(Type.Integer()) })),
    }),
  ),
  strategyWeights: Weights,
});

export const recommendationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { recommender } = app.ctx;
  app.get(
    '/recommendations',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Hybrid recommendations for a customer or the logged-in user (purchases and plays; popular tracks on a cold start)',
        querystring: RecommendationsQuery,
        response: { 200: RecommendationsReply, ...errorReplies },
      },
    },
    async (req) => {
      const subject = req.query.customerId !== undefined ? { customerId: req.query.customerId } : { userId: req.auth?.user.id ?? null };
      return recommender.recommend(subject, { limit: req.query.limit, weights: parseWeights(req.query.weights) });
    },
  );
};
