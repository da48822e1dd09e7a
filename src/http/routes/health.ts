// /health (anonymous: status and version; admins: database facts), /health/live (the process
// answers) and /health/ready (it can read and write the primary; 503 when it cannot).
import fs from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { readPragmas, sqliteVersions } from '../../db/connection.ts';
import { currentVersion } from '../../db/migrations.ts';
import { Readiness } from '../../db/readiness.ts';
import { adminCheck } from './api/admin-auth.ts';

const pkgVersion = '0.1.0';

const Status = Type.Union([Type.Literal('ok'), Type.Literal('degraded')]);
const Fault = Type.Object({ kind: Type.String(), code: Type.String(), message: Type.String(), at: Type.String() });
const StorageState = Type.Object({
  status: Status,
  since: Type.Optional(Type.String()),
  fault: Type.Optional(Fault),
  faults: Type.Integer(),
});
const Check = Type.Object({ ok: Type.Boolean(), ms: Type.Number(), error: Type.Optional(Type.String()) });
const ReadyReply = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Object({ read: Check, write: Check }),
  storage: StorageState,
});

const fileBytes = (file: string) => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, storage, writes, config } = app.ctx;
  const versions = sqliteVersions(db);
  const readiness = new Readiness(db, writes, storage);
  const isAdmin = adminCheck(config.adminToken);
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
        summary: 'Status and version; admins also get the database facts (path, pid, pragmas, versions, counts, storage state)',
        response: {
          200: Type.Object({
            status: Status,
            version: Type.String(),
            uptimeSeconds: Type.Optional(Type.Number()),
            pid: Type.Optional(Type.Integer()),
            node: Type.Optional(Type.String()),
            database: Type.Optional(
              Type.Object({
                path: Type.String(),
                sqlite: Type.String(),
                sqliteVec: Type.String(),
                journalMode: Type.String(),
                schemaVersion: Type.Integer(),
                tracks: Type.Integer(),
                fileBytes: Type.Integer(),
                walBytes: Type.Integer(),
                pragmas: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
            storage: Type.Optional(StorageState),
          }),
        },
      },
    },
    async (request) => {
      const status = storage.degraded ? ('degraded' as const) : ('ok' as const);
      // Paths, pids and versions help an attacker more than a visitor: admins only.
      if (!(await isAdmin(request))) return { status, version: pkgVersion };
      return {
        status,
        version: pkgVersion,
        uptimeSeconds: Math.round(process.uptime()),
        pid: process.pid,
        node: process.version,
        database: {
          path: db.name,
          sqlite: versions.sqlite,
          sqliteVec: versions.sqliteVec,
          journalMode: String(db.pragma('journal_mode', { simple: true })),
          schemaVersion: currentVersion(db),
          tracks: trackCount(),
          fileBytes: fileBytes(db.name),
          walBytes: fileBytes(`${db.name}-wal`),
          pragmas: readPragmas(db),
        },
        storage: storage.state(),
      };
    },
  );

  app.get(
    '/health/live',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process answers (restart it if this fails)',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: the primary database can be read and written (a one-row write); 503 while storage is failing',
        response: { 200: ReadyReply, 503: ReadyReply },
      },
    },
    async (_request, reply) => {
      const report = await readiness.check();
      if (report.status !== 'ready') reply.header('retry-after', '5').status(503);
      return report;
    },
  );
};
