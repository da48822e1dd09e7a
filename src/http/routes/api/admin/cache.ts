// /api/admin/cache: stats and flush (by tag or whole), in every worker.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../../../errors.ts';
import { adminErrorReplies } from '../../../admin-auth.ts';
import { CacheStatsSchema } from './ops-schemas.ts';

const Tag = Type.String({ minLength: 1, maxLength: 200 });

export const adminCacheRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const layer = app.ctx.cache;
  layer.setLogger(app.log.child({ module: 'cache' }));

  const disabled = () => new ApiError(409, 'cache_disabled', 'The cache is switched off (CHINOOK_CACHE=off).');

  app.get(
    '/stats',
    {
      schema: {
        tags: ['system'],
        summary: "This worker's cache: entries, bytes, hits, misses, hit rate, evictions and expirations per table",
        response: {
          200: CacheStatsSchema,
          ...adminErrorReplies,
          409: adminErrorReplies[400],
        },
      },
    },
    async () => {
      if (!layer.cache) throw disabled();
      return { pid: process.pid, ...layer.cache.stats(), rssBytes: process.memoryUsage.rss() };
    },
  );

  app.post(
    '/flush',
    {
      schema: {
        tags: ['system'],
        summary: 'Empty the cache in every worker, or only the entries carrying the given tags (e.g. "track:1", "search")',
        body: Type.Object({ tags: Type.Optional(Type.Array(Tag, { minItems: 1, maxItems: 1000 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ removed: Type.Integer(), workers: Type.Integer() }), ...adminErrorReplies, 409: adminErrorReplies[400] },
      },
      // A bare POST (no body at all) means "flush everything".
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
    },
    async (req) => {
      if (!layer.cache) throw disabled();
      return layer.bus.flush(req.body.tags);
    },
  );
};
