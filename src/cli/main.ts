#!/usr/bin/env node
// `chinook`: serve, import, migrate, doctor (and the maintenance commands of later modules).
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, type ConfigOverrides, loadConfig } from '../config.ts';
import { BackupError, IntegrityError, migrate, openPrimary, StorageOpenError } from '../db/index.ts';
import {
  formatCounts,
  importOfficial,
  loadSynthetic,
  resolveSource,
  SourceNotFoundError,
  SYNTHETIC_DEFAULT_SEED,
  SYNTHETIC_MAX_TRACKS,
} from '../importer/index.ts';
import { registerBackupCommands } from './backup.ts';
import { registerCacheCommands } from './cache.ts';
import { registerDoctorCommand } from './doctor.ts';
import { registerEvalCommands } from './eval.ts';
import { createProgress } from './progress.ts';
import { registerSearchCommands } from './search.ts';
import { registerUserCommands } from './users.ts';
import { registerVectorCommands } from './vectors.ts';

const int = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};

interface GlobalOpts {
  db?: string;
}

function configFrom(cmd: Command, extra: ConfigOverrides = {}) {
  const globals = cmd.optsWithGlobals<GlobalOpts>();
  return loadConfig({ dbPath: globals.db, ...extra });
}

export function buildCli(): Command {
  const program = new Command('chinook')
    .description('Chinook music store: SQLite catalog, search, similarity and a JSON API')
    .option('--db <path>', 'primary database file (env CHINOOK_DB, default data/chinook.sqlite)')
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('serve')
    .description('start the HTTP server (imports Chinook first if the database is empty)')
    .option('-p, --port <port>', 'port (env PORT, default 3000)', int('port', 0, 65535))
    .option('-H, --host <host>', 'address to listen on (env HOST, default localhost)')
    .option('--no-auto-import', 'do not import Chinook into an empty database')
    .option(
      '-w, --workers <n>',
      'worker processes (env CHINOOK_WORKERS, default 1); each accepts its own connections (CHINOOK_CLUSTER_ACCEPT=primary: the primary hands them out round-robin)',
      int('workers', 1, 64),
    )
    .action(async (opts: { port?: number; host?: string; autoImport: boolean; workers?: number }, cmd: Command) => {
      const overrides: ConfigOverrides = { port: opts.port, host: opts.host, workers: opts.workers };
      if (opts.autoImport === false) overrides.autoImport = false;
      const config = configFrom(cmd, overrides);
      // Loaded on demand: the HTTP stack is most of the CLI's start-up time, and the other commands never need it.
      const { serve } = await import('./serve.ts');
      await serve(config);
    });

  program
    .command('import')
    .description('import the official Chinook v1.4.5 database (or a synthetic one) into the primary database')
    .option('--source <path>', 'Chinook_Sqlite.sqlite to read (env CHINOOK_SOURCE)')
    .option('--synthetic', 'generate a deterministic Chinook-shaped catalog instead (offline, any size)')
    .option('--tracks <n>', `synthetic: number of tracks, 1 to ${SYNTHETIC_MAX_TRACKS} (default 10000)`, int('--tracks', 1, SYNTHETIC_MAX_TRACKS))
    .option(
      '--seed <n>',
      `synthetic: random seed; the same seed and --tracks give the same catalog (default ${SYNTHETIC_DEFAULT_SEED})`,
      int('--seed', 0, 0xffffffff),
    )
    .option('-f, --force', 'replace a catalog that is already there')
    .option('-q, --quiet', 'no progress output')
    .action(async (opts: { source?: string; synthetic?: boolean; tracks?: number; seed?: number; force?: boolean; quiet?: boolean }, cmd: Command) => {
      if (opts.synthetic && opts.source !== undefined) {
        cmd.error('error: --source and --synthetic cannot be used together: --source imports the official Chinook file, --synthetic generates a catalog');
      }
      if (!opts.synthetic && (opts.tracks !== undefined || opts.seed !== undefined)) {
        cmd.error('error: --tracks and --seed only apply to a synthetic catalog (add --synthetic)');
      }
      if (opts.synthetic) {
        const { importSynthetic } = await loadSynthetic();
        const db = openPrimary(configFrom(cmd));
        try {
          const progress = createProgress('synthetic', { quiet: opts.quiet });
          const tracks = opts.tracks ?? 10_000;
          const seed = opts.seed ?? SYNTHETIC_DEFAULT_SEED;
          const result = importSynthetic(db, { tracks, seed, force: opts.force ?? false, onProgress: (d, t, l) => progress.update(d, t, l) });
          progress.stop();
          if (result.skipped) {
            console.log(`Catalog already imported (${formatCounts(result.counts)}). Use --force to replace it.`);
          } else {
            console.log(`Generated a synthetic catalog (seed ${seed}) in ${result.ms.toFixed(0)} ms:`);
            console.log(`  ${formatCounts(result.counts)}`);
          }
        } finally {
          db.close();
        }
        return;
      }
      const config = configFrom(cmd, { source: opts.source });
      const source = await resolveSource({ flag: opts.source, env: process.env.CHINOOK_SOURCE, log: (l) => console.error(l) });
      const db = openPrimary(config);
      try {
        const progress = createProgress('import', { quiet: opts.quiet });
        const result = importOfficial(db, source.path, { force: opts.force ?? false, onProgress: (d, t, l) => progress.update(d, t, l) });
        progress.stop();
        if (result.skipped) {
          console.log(`Catalog already imported (${formatCounts(result.counts)}). Use --force to import again.`);
        } else {
          console.log(`Imported from ${source.path}${source.verified ? ' (SHA-256 verified)' : ''} in ${result.ms.toFixed(0)} ms:`);
          console.log(`  ${formatCounts(result.counts)}`);
        }
      } finally {
        db.close();
      }
    });

  program
    .command('migrate')
    .description('apply pending schema migrations (also done on every start)')
    .action((_opts: unknown, cmd: Command) => {
      const config = configFrom(cmd);
      const db = openPrimary(config, { skipMigrations: true });
      try {
        const r = migrate(db);
        console.log(r.applied.length ? `Migrated ${r.from} → ${r.to}: ${r.applied.join(', ')}` : `Schema is up to date (version ${r.to}).`);
      } finally {
        db.close();
      }
    });

  registerDoctorCommand(program, configFrom);
  registerBackupCommands(program, configFrom);
  registerCacheCommands(program);
  registerVectorCommands(program);
  registerEvalCommands(program);
  registerSearchCommands(program);
  registerUserCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof SourceNotFoundError ||
      err instanceof StorageOpenError ||
      err instanceof IntegrityError ||
      err instanceof BackupError
    ) {
      console.error(err.message);
      process.exitCode = 2;
      return;
    }
    console.error(err instanceof Error ? `error: ${err.message}` : err);
    process.exitCode = 1;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) await main(process.argv);
