// `chinook backup FILE` and `chinook restore FILE` (src/db/backup.ts does the work).
import path from 'node:path';
import type { Command } from 'commander';
import type { Config, ConfigOverrides } from '../config.ts';
import { backupDatabase, openPrimary, restoreDatabase } from '../db/index.ts';
import { createProgress } from './progress.ts';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function registerBackupCommands(program: Command, configFrom: (cmd: Command, extra?: ConfigOverrides) => Config): void {
  program
    .command('backup')
    .description('copy the live database into FILE (online: a server may keep serving and writing meanwhile)')
    .argument('<file>', 'where to write the backup (a single self-contained SQLite file)')
    .option('-f, --force', 'replace FILE if it exists')
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, opts: { force?: boolean; quiet?: boolean }, cmd: Command) => {
      const config = configFrom(cmd);
      const progress = createProgress('backup', { quiet: opts.quiet });
      const r = await backupDatabase(config.dbPath, path.resolve(file), {
        force: opts.force ?? false,
        busyTimeoutMs: config.busyTimeoutMs,
        onProgress: (done, total) => progress.update(Math.round(done / 2 ** 20), Math.max(1, Math.round(total / 2 ** 20)), 'MiB'),
      });
      progress.stop();
      console.log(
        `Backed up ${config.dbPath} to ${r.file}: ${mib(r.bytes)}, schema version ${r.schemaVersion}, in ${(r.ms / 1000).toFixed(1)} s (quick_check ok).`,
      );
    });

  program
    .command('restore')
    .description(
      'replace the database with a backup: checks the backup first (integrity_check, schema version), refuses while a server has the file open, keeps the current file aside',
    )
    .argument('<file>', 'a backup made by `chinook backup`')
    .option('-f, --force', 'restore even where it cannot be told whether a server has the database open (non-Linux)')
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, opts: { force?: boolean; quiet?: boolean }, cmd: Command) => {
      const config = configFrom(cmd);
      const progress = createProgress('restore', { quiet: opts.quiet });
      const r = await restoreDatabase(path.resolve(file), config.dbPath, {
        force: opts.force ?? false,
        onProgress: (phase, done, total) => progress.update(done, total, phase),
      });
      progress.stop();
      // Open it once as a server would: migrations bring an older backup up to this version.
      const db = openPrimary(config);
      db.close();
      console.log(`Restored ${config.dbPath} from ${path.resolve(file)} (schema version ${r.schemaVersion}) in ${(r.ms / 1000).toFixed(1)} s.`);
      if (r.previous) console.log(`The file it replaced is kept as ${r.previous} (delete it once you are happy).`);
    });
}
