// `chinook serve`: prepare the database (migrate, import when empty) and listen.
import cluster from 'node:cluster';
import { relayCacheMessages } from '../cache/bus.ts';
import type { Config } from '../config.ts';
import { createContext } from '../context.ts';
import { openPrimary } from '../db/connection.ts';
import { buildApp } from '../http/app.ts';
import { importOfficial } from '../importer/official.ts';
import { resolveSource } from '../importer/source.ts';
import { catalogIsEmpty, formatCounts } from '../importer/tables.ts';
import { createProgress } from './progress.ts';
import { ensureVectorsOnStart } from './vectors.ts';

/** Imports the official catalog into an empty database; returns whether it did. */
export async function ensureCatalog(config: Config): Promise<boolean> {
  const db = openPrimary(config);
  try {
    if (!catalogIsEmpty(db) || !config.autoImport) return false;
    console.error('Empty database: importing the Chinook catalog first.');
    const source = await resolveSource({ env: config.source, log: (l) => console.error(l) });
    const progress = createProgress('import');
    const result = importOfficial(db, source.path, { onProgress: (d, t, l) => progress.update(d, t, l) });
    progress.stop();
    console.error(`Imported ${formatCounts(result.counts)} in ${result.ms.toFixed(0)} ms.`);
    return true;
  } finally {
    // Vectors follow the catalog: built on the first start after an import (a no-op when current).
    ensureVectorsOnStart(db);
    db.close();
  }
}

export async function serve(config: Config): Promise<void> {
  if (cluster.isPrimary && config.workers > 1) return servePrimary(config);
  if (cluster.isPrimary) await ensureCatalog(config);
  const ctx = createContext(config);
  const app = await buildApp(ctx);
  if (cluster.isWorker) {
    // Lets a client (and the cross-worker test) see which worker answered.
    const pid = String(process.pid);
    app.addHook('onRequest', (_req, reply, done) => {
      reply.header('x-worker-id', pid);
      done();
    });
  }
  if (config.cachePreload) {
    const warm = await ctx.preload();
    app.log.info(warm, 'cache preloaded');
    const vectors = ctx.similarity.warmVectors();
    app.log.info({ vectors }, vectors ? 'vectors loaded into memory' : 'vectors not held in memory (none built yet, or over CHINOOK_VECTOR_MEMORY_MIB)');
  }
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await ctx.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
}

/**
 * The cluster primary: imports if needed, forks the workers (each opens the primary database
 * and its own cache), relays cache invalidations between them and replaces a worker that dies.
 */
async function servePrimary(config: Config): Promise<void> {
  await ensureCatalog(config);
  relayCacheMessages(cluster);
  let stopping = false;
  const started = Date.now();
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`worker ${worker.process.pid} exited (${signal ?? code})`);
    // A worker dying during start-up is a configuration problem; forking again would loop.
    if (Date.now() - started < 5000) {
      console.error('a worker failed while starting; stopping');
      process.exit(1);
    }
    cluster.fork();
  });
  const shutdown = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    setTimeout(() => process.exit(0), 5000);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
