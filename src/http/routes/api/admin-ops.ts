// What the dashboard needs beyond the existing admin stats: the primary database (files,
// pragmas, row counts, last checkpoint), request rate and latency percentiles, and
// maintenance jobs (search index rebuild/optimize, vectors rebuild) that run off the request
// in a worker thread and report progress for polling. `GET /metrics` is the Prometheus text.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DatabaseStatsReader } from '../../../db/index.ts';
import { JobRunner, type TaskName } from '../../../jobs/index.ts';
import { metricsText } from '../../cluster-metrics.ts';
import { NoQuery } from '../../schemas.ts';
import { adminErrorReplies, adminGuard } from './admin-auth.ts';
import { DatabaseStatsSchema, JobSchema, MetricsSummarySchema } from './admin-ops-schemas.ts';

const CHECKPOINT_STATS_TIMEOUT_MS = 1_000;

export const adminOpsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config, search, cache } = app.ctx;
  const guard = adminGuard(config.adminToken);
  const database = new DatabaseStatsReader(db);
  const jobs = new JobRunner(
    {
      dbPath: db.name,
      pageSize: config.pageSize,
      cacheSizeKiB: config.cacheSizeKiB,
      mmapSize: config.mmapSize,
      busyTimeoutMs: config.busyTimeoutMs,
      walAutocheckpoint: config.walAutocheckpoint,
    },
    async (task) => {
      // The work committed on another connection: what this process cached from before is stale.
      if (task.startsWith('search')) {
        search.invalidateVocabulary();
        await cache.bus.flush(['search']);
      } else await cache.bus.flush(['recommendations']);
    },
  );
  app.addHook('onClose', async () => jobs.stop());

  app.get(
    '/metrics',
    {
      preHandler: guard,
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

  await app.register(adminApiRoutes, { prefix: '/api/admin', jobs, database });
};

const adminApiRoutes: FastifyPluginAsyncTypebox<{ jobs: JobRunner; database: DatabaseStatsReader }> = async (admin, { jobs, database }) => {
  admin.addHook('preHandler', adminGuard(admin.ctx.config.adminToken));

  admin.get(
    '/database/stats',
    {
      schema: {
        tags: ['system'],
        summary: 'Primary database: file and WAL size, pages, pragmas read back, row counts, last checkpoint',
        querystring: NoQuery,
        response: {
          200: DatabaseStatsSchema,
          ...adminErrorReplies,
        },
      },
    },
    async () => {
      // The checkpointer answers from its thread; a stopped thread must not hang the dashboard.
      const timeout = new Promise<null>((resolve) => {
        setTimeout(() => resolve(null), CHECKPOINT_STATS_TIMEOUT_MS).unref();
      });
      return { ...database.read(), checkpoints: await Promise.race([admin.ctx.checkpoints(), timeout]) };
    },
  );

  admin.get(
    '/metrics/summary',
    {
      schema: {
        tags: ['system'],
        summary: "This worker's request rate and latency percentiles: per 2 s interval, over the window, and per route",
        querystring: Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 15, default: 5 }) }, { additionalProperties: false }),
        response: {
          200: MetricsSummarySchema,
          ...adminErrorReplies,
        },
      },
    },
    async (req) => {
      const summary = await admin.metrics.summary(req.query.minutes);
      return { pid: process.pid, ...summary };
    },
  );

  const starter = (task: TaskName, summary: string) =>
    admin.post(
      `/${task.replace('-', '/')}`,
      { schema: { tags: ['system'], summary, querystring: NoQuery, response: { 202: JobSchema, ...adminErrorReplies, 409: adminErrorReplies[400] } } },
      async (_req, reply) => reply.status(202).send(jobs.start(task)),
    );
  starter('search-rebuild', 'Rebuild the search and suggestion indexes in the background; poll the job for progress');
  starter('search-optimize', 'Merge the search index segments in the background');
  starter('vectors-rebuild', 'Recompute every similarity space in the background; poll the job for progress');

  admin.get(
    '/jobs',
    {
      schema: {
        tags: ['system'],
        summary: 'Maintenance jobs of this worker, newest first',
        querystring: NoQuery,
        response: { 200: Type.Object({ items: Type.Array(JobSchema) }), ...adminErrorReplies },
      },
    },
    async () => ({ items: jobs.list() }),
  );
  admin.get(
    '/jobs/:id',
    {
      schema: {
        tags: ['system'],
        summary: 'One maintenance job: state and progress',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: NoQuery,
        response: { 200: JobSchema, ...adminErrorReplies },
      },
    },
    async (req) => jobs.get(req.params.id),
  );
};
