import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parseWeights } from '../../../recommend/index.ts';
import { errorReplies } from '../../schemas.ts';
import { adminErrorReplies, adminGuard } from './admin-auth.ts';

const RecommendationsQuery = Type.Object(
  {
    customerId: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'admins only (a customer’s purchases are private); without it, the logged-in user’s own (purchases + plays), or popular tracks',
      }),
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
  // Reasons name the tracks a customer bought or played: only an admin may ask for someone else's.
  const adminOnly = adminGuard(app.ctx.config.adminToken);
  app.get(
    '/recommendations',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Hybrid recommendations for a customer or the logged-in user (purchases and plays; popular tracks on a cold start)',
        querystring: RecommendationsQuery,
        response: { 200: RecommendationsReply, ...errorReplies, ...adminErrorReplies },
      },
    },
    async (req) => {
      if (req.query.customerId !== undefined) await adminOnly(req);
      const subject = req.query.customerId !== undefined ? { customerId: req.query.customerId } : { userId: req.auth?.user.id ?? null };
      return recommender.recommend(subject, { limit: req.query.limit, weights: parseWeights(req.query.weights) });
    },
  );
};
