import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sqliteVersions } from '../../db/connection.ts';
import { currentVersion } from '../../db/migrations.ts';

const pkgVersion = '0.1.0';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.ctx;
  const versions = sqliteVersions(db);
  const countTracks = db.prepare('SELECT count(*) AS n FROM chinook_tracks');
  // count(*) walks an index: fine once, not on every probe of a 1M-track catalog under load.
  let tracks = { n: 0, at: Number.NEGATIVE_INFINITY };
  const trackCount = () => {
    if (performance.now() - tracks.at > 10_000) tracks = { n: (countTracks.get() as { n: number }).n, at: performance.now() };
    return tracks.n;
  };
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
        tracks: trackCount(),
      },
    }),
  );
};
