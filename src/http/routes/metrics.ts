// GET /metrics: Prometheus text, summed over every cluster worker (cluster-metrics.ts). Admin
// only, like /api/admin, but at the path Prometheus scrapers expect.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminErrorReplies, adminGuard } from '../admin-auth.ts';
import { metricsText } from '../cluster-metrics.ts';
import { NoQuery } from '../schemas.ts';

export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      preHandler: adminGuard(app.ctx.config.adminToken),
      schema: {
        tags: ['system'],
        summary:
          'Prometheus metrics (admin): requests, cache, write queue, WAL and checkpoints, storage, events, search and KNN times, memory; summed over every cluster worker',
        querystring: NoQuery,
        response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: Type.String() } } }, ...adminErrorReplies },
      },
    },
    async (_req, reply) => {
      const { text, contentType, scope } = await metricsText(app.metrics.registry);
      return reply.type(contentType).header('x-metrics-scope', scope).send(text);
    },
  );
};
