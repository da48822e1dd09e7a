import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sendEntry } from '../../../cache/index.ts';
import { Continuations, MAX_SEED_TRACKS, parseWeights, RECOMMENDATIONS_CACHE_CONTROL, STRATEGIES } from '../../../recommend/index.ts';
import { adminErrorReplies, adminGuard } from '../../admin-auth.ts';
import { ErrorReply, errorReplies, Nullable } from '../../schemas.ts';

export const MaxPerAlbum = Type.Integer({
  minimum: 1,
  maximum: 100,
  default: 3,
  description: 'at most this many tracks of one album in each run of 10 results (100: no limit); copies of one song always collapse',
});

const ReasonSchema = Type.Object({
  strategy: Type.String({ description: `${STRATEGIES.join(', ')} or popular` }),
  becauseOfTrackId: Type.Optional(Type.Integer({ description: 'the seed track this reason is about' })),
  becauseOfTrackName: Type.Optional(Type.String()),
  text: Type.String({ description: 'one line for a page, e.g. “Often in playlists with “Enter Sandman””' }),
});

/** One suggested track: recommendations, playlist continuations and "from these tracks" all answer with it. */
export const SuggestionSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  artist: Nullable(Type.String()),
  album: Nullable(Type.String()),
  genre: Nullable(Type.String()),
  score: Type.Number({ description: 'Σ of each strategy’s weight × its normalised score (0 for a popular fill)' }),
  reasons: Type.Array(ReasonSchema, { description: 'strongest first' }),
});

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
    weights: Type.Optional(
      Type.String({ maxLength: 300, description: `e.g. audio:0.3,album:0.2,artist:0.15 (strategies: ${STRATEGIES.join(', ')}; scaled to sum to 1)` }),
    ),
    maxPerAlbum: MaxPerAlbum,
  },
  { additionalProperties: false },
);

const RecommendationsReply = Type.Object({
  items: Type.Array(SuggestionSchema),
  strategyWeights: Type.Object(Object.fromEntries(STRATEGIES.map((s) => [s, Type.Number()]))),
});

const FromTracksBody = Type.Object(
  {
    trackIds: Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), {
      minItems: 1,
      maxItems: MAX_SEED_TRACKS,
      description: 'the seed tracks, in any order (the order never changes the answer; repeats are ignored)',
    }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    maxPerAlbum: Type.Optional(MaxPerAlbum),
  },
  { additionalProperties: false },
);

export const recommendationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { recommender } = app.ctx;
  const continuations = new Continuations(recommender);
  // Reasons name the tracks a customer bought or played: only an admin may ask for someone else's.
  const adminOnly = adminGuard(app.ctx.config.adminToken);
  app.get(
    '/api/recommendations',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Recommendations from the whole listening profile (purchases and plays, recency-weighted), with reasons; popular tracks on a cold start',
        querystring: RecommendationsQuery,
        response: { 200: RecommendationsReply, ...errorReplies, ...adminErrorReplies },
      },
    },
    async (req, reply) => {
      if (req.query.customerId !== undefined) await adminOnly(req);
      const subject = req.query.customerId !== undefined ? { customerId: req.query.customerId } : { userId: req.auth?.user.id ?? null };
      const options = { limit: req.query.limit, weights: parseWeights(req.query.weights), maxPerAlbum: req.query.maxPerAlbum };
      return sendEntry(req, reply, await app.ctx.cached.recommendations(subject, options), RECOMMENDATIONS_CACHE_CONTROL);
    },
  );

  app.post(
    '/api/recommendations/from-tracks',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Tracks like these (no account needed): the seeds and copies of their songs never come back',
        body: FromTracksBody,
        response: { 200: Type.Object({ items: Type.Array(SuggestionSchema) }), ...errorReplies, 403: ErrorReply, 413: ErrorReply, 415: ErrorReply },
      },
    },
    async (req) => continuations.fromTracks(req.body.trackIds, { limit: req.body.limit ?? 20, maxPerAlbum: req.body.maxPerAlbum }),
  );
};
