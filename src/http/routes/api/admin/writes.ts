// /api/admin/writes: this worker's group-commit queue (batches, waits, commit time) and how far
// the deferred indexes trail the plays and activity logs.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminErrorReplies } from '../../../admin-auth.ts';
import { WriteStatsSchema } from './ops-schemas.ts';

export const adminWriteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { writes, store, db } = app.ctx;
  app.get(
    '/stats',
    {
      schema: {
        tags: ['system'],
        summary: "This worker's write queue (batches, operations, failures, busy retries, mean batch, queue wait, commit time) and deferred index lag",
        response: {
          200: WriteStatsSchema,
          ...adminErrorReplies,
        },
      },
    },
    async () => ({
      pid: process.pid,
      queue: writes.stats(),
      deferredIndexes: { foldedRows: store.deferredIndexes.folded, lag: store.deferredIndexes.lag(db) },
    }),
  );
};
