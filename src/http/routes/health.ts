import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { health } = app.ctx;
  app.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and database facts',
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            version: Type.String(),
            uptimeSeconds: Type.Number(),
            pid: Type.Integer(),
            database: Type.Object({
              path: Type.String(),
              sqlite: Type.String(),
              sqliteVec: Type.String(),
              journalMode: Type.String(),
              schemaVersion: Type.Integer(),
              tracks: Type.Integer(),
            }),
          }),
        },
      },
    },
    async () => health.report(),
  );
};
