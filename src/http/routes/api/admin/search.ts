// /api/admin/search/stats: what the search index holds (rebuild and optimize are jobs: ops.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { searchStats } from '../../../../search/index.ts';
import { adminErrorReplies } from '../../../admin-auth.ts';
import { Nullable } from '../../../schemas.ts';

export const adminSearchRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
