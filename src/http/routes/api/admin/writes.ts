// /api/admin/writes: this worker's group-commit queue (batches, waits, commit time) and how far
// the deferred indexes trail the plays and activity logs.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminErrorReplies } from '../../../admin-auth.ts';

export const adminWriteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { writes, store, db } = app.ctx;
  app.get(
    '/stats',
    {
      schema: {
        tags: ['system'],
        summary: "This worker's write queue (batches, operations, failures, busy retries, mean batch, queue wait, commit time) and deferred index lag",
        response: {
          200: Type.Object({
            pid: Type.Integer(),
            queue: Type.Object({
              batches: Type.Integer(),
              operations: Type.Integer(),
              failedOperations: Type.Integer(),
              busyRetries: Type.Integer(),
              pending: Type.Integer(),
              maxBatchSeen: Type.Integer(),
              meanBatchSize: Type.Number(),
              meanQueueWaitMs: Type.Number(),
              meanCommitMs: Type.Number(),
            }),
            deferredIndexes: Type.Object({
              foldedRows: Type.Integer(),
              lag: Type.Array(Type.Object({ name: Type.String(), upto: Type.Integer(), last: Type.Integer(), behind: Type.Integer() })),
            }),
          }),
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
