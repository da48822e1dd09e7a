// /api/admin/vectors: what the similarity spaces hold, and upkeep of the 24-hour similarity
// cache. Building spaces takes minutes at scale, so it stays on the CLI (`chinook vectors build`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminErrorReplies } from '../../../admin-auth.ts';
import { VectorStatsSchema } from './ops-schemas.ts';

const Removed = Type.Object({ removed: Type.Integer() });

export const adminVectorRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { similarity, cache, catalog } = app.ctx;

  app.get(
    '/stats',
    {
      schema: {
        tags: ['system'],
        summary: 'Vector spaces (provider, dimensions, tracks, build time), coverage of the catalog, similarity cache rows, in-memory copy',
        response: {
          200: VectorStatsSchema,
          ...adminErrorReplies,
        },
      },
    },
    async () => {
      const totalTracks = catalog.tracks.count();
      const vectorRows = similarity.store.count();
      return {
        totalTracks,
        vectorRows,
        coveragePercent: totalTracks ? Math.round((10000 * vectorRows) / totalTracks) / 100 : 0,
        spaces: similarity.store.spaces(),
        similarityCache: similarity.cache.stats(),
        vectorMemory: similarity.vectorMemory(),
      };
    },
  );

  app.post(
    '/similarity-cache/prune',
    {
      schema: {
        tags: ['system'],
        summary: 'Delete similarity cache rows older than 24 hours',
        response: { 200: Removed, ...adminErrorReplies },
      },
    },
    async () => ({ removed: similarity.cache.prune() }),
  );

  app.delete(
    '/similarity-cache',
    {
      schema: {
        tags: ['system'],
        summary: 'Empty the similarity cache (and cached /similar and recommendation replies in every worker)',
        response: { 200: Removed, ...adminErrorReplies },
      },
    },
    async () => {
      const removed = similarity.cache.clear();
      await cache.bus.flush(['recommendations']);
      return { removed };
    },
  );
};
