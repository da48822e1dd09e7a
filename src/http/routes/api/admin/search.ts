// /api/admin/search/stats: what the search index holds (rebuild and optimize are jobs: ops.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { searchStats } from '../../../../search/index.ts';
import { adminErrorReplies } from '../../../admin-auth.ts';
import { SearchStatsSchema } from './ops-schemas.ts';

export const adminSearchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/stats',
    {
      schema: {
        tags: ['system'],
        summary: 'Search index: tracks vs indexed tracks, coverage, size, vocabulary, triggers, last rebuild',
        response: {
          200: SearchStatsSchema,
          ...adminErrorReplies,
        },
      },
    },
    async () => searchStats(app.ctx.db),
  );
};
