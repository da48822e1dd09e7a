// `chinook serve`: prepare the database (migrate, import when empty) and listen.
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import fs from 'node:fs';
import { relayCacheMessages } from '../cache/index.ts';
import type { Config } from '../config.ts';
import { createContext } from '../context.ts';
import { checkIntegrity, IntegrityError, openPrimary, START_CHECK_AUTO_MAX_MIB, type StartCheck, startBackupSchedule, startCheckMode } from '../db/index.ts';
import { buildApp, serveClusterMetrics } from '../http/index.ts';
import { catalogIsEmpty, formatCounts, importOfficial, resolveSource } from '../importer/index.ts';
import { vectorsAreCurrent } from '../vectors/index.ts';
import { acceptOnCopies, serveAcceptCopies } from './cluster-accept.ts';
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

/** The integrity check before serving (CHINOOK_START_CHECK); throws IntegrityError on a damaged file. */
export async function startCheck(config: Config): Promise<void> {
  if (!fs.existsSync(config.dbPath)) return;
  // A file that cannot be opened at all (read-only mount, not a database) is said as such, not as a failed check.
  openPrimary(config, { skipMigrations: true }).close();
  const mode = startCheckMode(config.startCheck as StartCheck, config.dbPath);
  const mib = (fs.statSync(config.dbPath).size / 2 ** 20).toFixed(1);
  if (!mode) {
    if (config.startCheck === 'auto') {
      console.error(
        `Start-up check skipped: ${config.dbPath} is ${mib} MiB (quick_check runs by itself up to ${START_CHECK_AUTO_MAX_MIB} MiB, ~25 ms per MiB); run \`chinook doctor --integrity\` or set CHINOOK_START_CHECK=quick.`,
      );
    }
    return;
  }
  const result = await checkIntegrity(config.dbPath, { mode, maxProblems: 20, busyTimeoutMs: config.busyTimeoutMs });
  if (!result.ok) throw new IntegrityError(config.dbPath, result);
  console.error(`${mode === 'quick' ? 'quick_check' : 'integrity_check'} ok: ${mib} MiB in ${result.ms.toFixed(0)} ms.`);
}

const LISTEN_BACKLOG = 4096;

// Set in the child process that prepares the database for a first start (see prepareDatabase).
const PREPARE_ONLY_ENV = 'CHINOOK_SERVE_PREPARE_ONLY';

/** Whether starting has heavy work to do: an import into an empty database, or vectors to (re)build. */
function needsPreparation(config: Config): boolean {
  const db = openPrimary(config);
  try {
    return catalogIsEmpty(db) ? config.autoImport : !vectorsAreCurrent(db);
  } finally {
    db.close();
  }
}

/**
 * Imports and builds vectors in a child process when there is work to do, then checks in this
 * one (a no-op by then). Done in this process, the first start grew its V8 heap and malloc
 * arenas by ~60 MB that the server never gave back (232 vs 174 MB RSS after start on Chinook,
 * docs/benchmarks-http.md); a child's memory goes back to the system when it exits. The child
 * is this same program and arguments (tsx or compiled alike), told to prepare and exit.
 */
/**
 * The node flags of the child that prepares the database: the server's, without its heap's cap
 * and growth (`npm start` passes --max-old-space-size and --heap-growing-percent to keep V8's
 * heap small, see package.json). An import or vector build of a large catalog may need more
 * heap, and would pay a full GC every 15 % of growth.
 */
export function prepareExecArgv(execArgv: readonly string[]): string[] {
  return execArgv.filter((a) => !a.startsWith('--max-old-space-size') && !a.startsWith('--heap-growing-percent'));
}

async function prepareDatabase(config: Config): Promise<void> {
  if (process.env[PREPARE_ONLY_ENV] !== '1' && needsPreparation(config) && process.argv[1]) {
    const child = spawn(process.execPath, [...prepareExecArgv(process.execArgv), process.argv[1], ...process.argv.slice(2)], {
      env: { ...process.env, [PREPARE_ONLY_ENV]: '1' },
      stdio: 'inherit',
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`preparing the database failed (exit ${code})`);
  }
  await ensureCatalog(config);
}

export async function serve(config: Config): Promise<void> {
  if (process.env[PREPARE_ONLY_ENV] === '1') {
    await ensureCatalog(config);
    return;
  }
  if (cluster.isPrimary) await startCheck(config);
  if (cluster.isPrimary && config.workers > 1) return servePrimary(config);
  if (cluster.isPrimary) await prepareDatabase(config);
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
    const index = await ctx.similarity.warmIndexFiles();
    if (index)
      app.log.info({ index }, index.skipped ? 'ANN index files not read ahead: they do not fit in free memory' : 'ANN index files read into the page cache');
  }
  let beforeClose = async () => {};
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await beforeClose();
    await app.close();
    await ctx.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // Node's default accept backlog is 511: 1,000 clients connecting at once overflowed it and
  // the kernel dropped their SYNs, so whole groups of connections waited 1 s, 3 s, 7 s for a
  // retry and wrk counted them as timeouts (bench:load, 1,000 connections). Linux caps this at
  // net.core.somaxconn (4096 on current kernels).
  await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  const accepting = await acceptOnCopies(app.server, config.acceptDescriptors - 1, LISTEN_BACKLOG, (err) =>
    app.log.error({ err }, 'accepting on a copy of the listening socket failed'),
  );
  beforeClose = accepting.stop;
  if (accepting.descriptors > 0)
    app.log.info(
      { descriptors: accepting.descriptors },
      `accepting on ${accepting.descriptors} descriptor${accepting.descriptors === 1 ? '' : 's'} of the listening socket`,
    );
  if (cluster.isPrimary) scheduleBackups(config, app.log);
}

/** Periodic backups (CHINOOK_BACKUP_DIR + CHINOOK_BACKUP_EVERY_MINUTES), run by the single process or the cluster primary. */
function scheduleBackups(config: Config, logger: { info(o: object, m: string): void; error(o: object, m: string): void }): void {
  if (!config.backupEveryMinutes || !config.backupDir) return;
  startBackupSchedule({ dbPath: config.dbPath, dir: config.backupDir, everyMs: config.backupEveryMinutes * 60_000, keep: config.backupKeep, logger });
  logger.info({ dir: config.backupDir }, `backups every ${config.backupEveryMinutes} min into ${config.backupDir}, keeping ${config.backupKeep}`);
}

/**
 * The cluster primary: imports if needed, forks the workers (each opens the primary database
 * and its own cache), relays cache invalidations between them and replaces a worker that dies.
 */
async function servePrimary(config: Config): Promise<void> {
  await prepareDatabase(config);
  // Before the first fork, which freezes it: the workers accept from the shared socket (and ask
  // for copies of it when CHINOOK_ACCEPT_DESCRIPTORS > 1), or the primary hands connections out.
  cluster.schedulingPolicy = config.clusterAccept === 'workers' ? cluster.SCHED_NONE : cluster.SCHED_RR;
  serveAcceptCopies(cluster);
  relayCacheMessages(cluster);
  serveClusterMetrics(cluster);
  scheduleBackups(config, { info: (_o, m) => console.error(m), error: (_o, m) => console.error(m) });
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
