import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sqliteVersions } from '../../db/connection.ts';
import { currentVersion } from '../../db/migrations.ts';

const pkgVersion = '0.1.0';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.ctx;
  const versions = sqliteVersions(db);
  const trackCount = db.prepare('SELECT count(*) AS n FROM chinook_tracks');
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
    async () => ({
      status: 'ok' as const,
      version: pkgVersion,
      uptimeSeconds: Math.round(process.uptime()),
      pid: process.pid,
      database: {
        path: db.name,
        sqlite: versions.sqlite,
        sqliteVec: versions.sqliteVec,
        journalMode: String(db.pragma('journal_mode', { simple: true })),
        schemaVersion: currentVersion(db),
        tracks: (trackCount.get() as { n: number }).n,
      },
    }),
  );
};
