// Periodic backups with retention, run by `chinook serve` when CHINOOK_BACKUP_DIR and
// CHINOOK_BACKUP_EVERY_MINUTES are set: every N minutes a backup (backup.ts, on a worker thread)
// named chinook-<UTC time>.sqlite, then all but the newest CHINOOK_BACKUP_KEEP of those go.
import fs from 'node:fs';
import path from 'node:path';
import { type BackupResult, backupDatabase } from './backup.ts';

const NAME = /^chinook-\d{8}T\d{6}Z\.sqlite$/;

export interface BackupScheduleLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function backupFileName(at: Date): string {
  return `chinook-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}.sqlite`;
}

/** Deletes all but the newest `keep` scheduled backups in `dir` (other files are left alone); returns the deleted names. */
export function pruneBackups(dir: string, keep: number): string[] {
  const ours = fs
    .readdirSync(dir)
    .filter((f) => NAME.test(f))
    .sort();
  const doomed = ours.slice(0, Math.max(0, ours.length - keep));
  for (const f of doomed) fs.rmSync(path.join(dir, f), { force: true });
  return doomed;
}

/** One scheduled run: a backup, then retention. */
export async function runScheduledBackup(dbPath: string, dir: string, keep: number, now = new Date()): Promise<BackupResult & { pruned: string[] }> {
  fs.mkdirSync(dir, { recursive: true });
  const result = await backupDatabase(dbPath, path.join(dir, backupFileName(now)));
  return { ...result, pruned: pruneBackups(dir, keep) };
}

export function startBackupSchedule(options: { dbPath: string; dir: string; everyMs: number; keep: number; logger: BackupScheduleLogger }): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a backup slower than the interval: skip a beat rather than pile up
    running = true;
    runScheduledBackup(options.dbPath, options.dir, options.keep)
      .then((r) =>
        options.logger.info(
          { file: r.file, bytes: r.bytes, ms: Math.round(r.ms), pruned: r.pruned.length },
          `backup written: ${r.file} (${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${(r.ms / 1000).toFixed(1)} s)`,
        ),
      )
      .catch((err) => options.logger.error({ err: (err as Error).message, dir: options.dir }, `scheduled backup failed: ${(err as Error).message}`))
      .finally(() => {
        running = false;
      });
  }, options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
