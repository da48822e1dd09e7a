// Online backup and restore of the primary file.
//
// Backup: SQLite's backup API copying every page in ONE step on a worker thread (one read
// transaction: a consistent snapshot holding every write committed before it began; WAL lets
// writers go on meanwhile). Measured under a writer committing 100 plays every 5 ms
// (scripts/backup-compare.ts, this host): 1M-track catalog (794 MiB) one step 7.5 s,
// VACUUM INTO 7.4 s, better-sqlite3's default 100 pages a step never finished (another
// connection's commit restarts a stepped backup from page 1). One step and VACUUM INTO cost the
// same; the page copy knows its final size up front, so its progress bar is exact. A plain
// `cp` under load gave a malformed copy 1 time in 3 (issue 12). The copy is written beside
// the target, checked (quick_check, schema version) and renamed into place.
//
// Restore: the backup is checked first (integrity_check, schema version, Chinook tables),
// refused while any process holds the primary open (it names them), the current file is
// checkpointed and kept aside, then the backup is copied in and renamed into place.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { checkIntegrity } from './integrity.ts';
import { migrations } from './migrations.ts';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
  ms: number;
  schemaVersion: number;
}

type Progress = (done: number, total: number) => void;

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes a rename durable (the directory entry), where the platform allows opening a folder. */
function fsyncDir(dir: string): void {
  try {
    fsyncFile(dir);
  } catch {}
}

/** Schema version and a sanity look at a candidate file: it must be a Chinook database this code can serve. */
function describeCopy(file: string): { schemaVersion: number; quickCheck: string; hasCatalog: boolean } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      quickCheck: String(db.pragma('quick_check', { simple: true })),
      hasCatalog: db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'chinook_tracks'").get() !== undefined,
    };
  } finally {
    db.close();
  }
}

export async function backupDatabase(
  source: string,
  dest: string,
  options: { force?: boolean; busyTimeoutMs?: number; onProgress?: Progress } = {},
): Promise<BackupResult> {
  if (!fs.existsSync(source)) throw new BackupError(`There is no database at ${source}.`);
  if (path.resolve(source) === path.resolve(dest)) throw new BackupError('The backup cannot be the database itself.');
  if (fs.existsSync(dest) && !options.force) throw new BackupError(`${dest} exists already (pass --force to replace it).`);
  if (!fs.existsSync(path.dirname(dest))) throw new BackupError(`The folder ${path.dirname(dest)} does not exist.`);
  const partial = `${dest}.partial-${process.pid}`;
  const started = performance.now();
  const total = (() => {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    } finally {
      db.close();
    }
  })();
  const worker = new Worker(new URL('./backup-worker.mjs', import.meta.url), {
    workerData: { source, dest: partial, busyTimeoutMs: options.busyTimeoutMs ?? 10_000 },
  });
  const timer = setInterval(() => {
    try {
      options.onProgress?.(Math.min(fs.statSync(partial).size, total), total);
    } catch {}
  }, 200);
  try {
    const outcome = await new Promise<{ pages?: number; pageSize?: number; error?: { message: string; code?: string } }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (outcome.error) throw new BackupError(`The backup failed: ${outcome.error.message}${outcome.error.code ? ` (${outcome.error.code})` : ''}`);
    options.onProgress?.(total, total);
    const copy = describeCopy(partial);
    if (copy.quickCheck !== 'ok') throw new BackupError(`The copy failed quick_check (${copy.quickCheck}); nothing was written to ${dest}.`);
    fsyncFile(partial);
    fs.renameSync(partial, dest);
    fsyncDir(path.dirname(dest));
    return { file: dest, bytes: fs.statSync(dest).size, pages: outcome.pages ?? 0, ms: performance.now() - started, schemaVersion: copy.schemaVersion };
  } finally {
    clearInterval(timer);
    await worker.terminate();
    fs.rmSync(partial, { force: true });
  }
}

/** Processes that have `file` (or its -wal/-shm) open, from /proc (Linux); null where that cannot be known. */
export function processesHolding(file: string): { pid: number; command: string }[] | null {
  if (!fs.existsSync('/proc/self/fd')) return null;
  const targets = new Set([file, `${file}-wal`, `${file}-shm`].map((f) => path.resolve(f)));
  const holders: { pid: number; command: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    const holds = fds.some((fd) => {
      try {
        return targets.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = '';
    try {
      command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200);
    } catch {}
    holders.push({ pid, command });
  }
  return holders;
}

export interface RestoreResult {
  restored: string;
  /** Where the file it replaced was kept (null when there was none). */
  previous: string | null;
  schemaVersion: number;
  ms: number;
}

export async function restoreDatabase(
  backup: string,
  target: string,
  options: { force?: boolean; onProgress?: (phase: string, done: number, total: number) => void; now?: () => Date } = {},
): Promise<RestoreResult> {
  const started = performance.now();
  if (!fs.existsSync(backup)) throw new BackupError(`There is no backup at ${backup}.`);
  if (path.resolve(backup) === path.resolve(target)) throw new BackupError('The backup is the database itself.');

  // 1. The backup must be whole and a schema this code knows.
  let copy: ReturnType<typeof describeCopy>;
  try {
    copy = describeCopy(backup);
  } catch (err) {
    throw new BackupError(`${backup} cannot be read as a SQLite database: ${(err as Error).message}`);
  }
  if (!copy.hasCatalog || copy.schemaVersion < 1)
    throw new BackupError(`${backup} is not a Chinook database (no chinook_tracks table, schema version ${copy.schemaVersion}).`);
  if (copy.schemaVersion > migrations.length) {
    throw new BackupError(
      `${backup} has schema version ${copy.schemaVersion}, newer than this program knows (${migrations.length}): restore it with the version that made it.`,
    );
  }
  const check = await checkIntegrity(backup, { mode: 'full', onProgress: (d, t) => options.onProgress?.('integrity_check', d, t) });
  if (!check.ok) throw new BackupError(`${backup} failed integrity_check: ${check.problems.slice(0, 3).join('; ')}. Nothing was changed.`);

  // 2. Nobody may have the primary open: a server would go on writing into the old file's WAL.
  const holders = processesHolding(target);
  if (holders === null && !options.force) {
    throw new BackupError(`Cannot tell on this system whether a server has ${target} open. Stop every \`chinook serve\` on it, then run again with --force.`);
  }
  if (holders && holders.length > 0) {
    const list = holders.map((h) => `  pid ${h.pid}: ${h.command || '(unknown command)'}`).join('\n');
    throw new BackupError(
      `${target} is open in ${holders.length} process(es):\n${list}\nStop them first (SIGTERM, e.g. \`kill ${holders.map((h) => h.pid).join(' ')}\`, shuts \`chinook serve\` down cleanly), then restore.`,
    );
  }

  // 3. Keep the current file aside, whole: fold its WAL in first, so one file holds everything.
  let previous: string | null = null;
  if (fs.existsSync(target)) {
    try {
      const old = new Database(target, { fileMustExist: true });
      old.pragma('wal_checkpoint(TRUNCATE)');
      old.close();
    } catch {
      // A damaged file may not even open: keep it (and any WAL) as it is.
    }
    const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
    previous = `${target}.before-restore-${stamp}`;
    fs.renameSync(target, previous);
    for (const suffix of ['-wal', '-shm']) if (fs.existsSync(target + suffix)) fs.renameSync(target + suffix, previous + suffix);
  }

  // 4. Copy in beside the target, then rename: a crash leaves either the old name empty or the whole backup.
  const partial = `${target}.restoring-${process.pid}`;
  const total = fs.statSync(backup).size;
  const input = fs.openSync(backup, 'r');
  const output = fs.openSync(partial, 'w');
  try {
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    let done = 0;
    for (;;) {
      const n = fs.readSync(input, chunk, 0, chunk.length, done);
      if (n === 0) break;
      fs.writeSync(output, chunk, 0, n);
      done += n;
      options.onProgress?.('copy', done, total);
    }
    fs.fsyncSync(output);
  } finally {
    fs.closeSync(input);
    fs.closeSync(output);
  }
  fs.renameSync(partial, target);
  fsyncDir(path.dirname(target));
  return { restored: target, previous, schemaVersion: copy.schemaVersion, ms: performance.now() - started };
}
