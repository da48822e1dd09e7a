// The primary database: one SQLite file in WAL mode with the seed's 100-user pragmas,
// sqlite-vec loaded on every connection, migrations applied on open.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import type { Config } from '../config.ts';
import { migrate } from './migrations.ts';

export type Db = Database.Database;
/** A prepared statement taking any bound parameters (rows are cast by the repository that owns the SQL). */
export type Stmt = Database.Statement<unknown[], unknown>;

export type PrimarySettings = Pick<Config, 'dbPath' | 'pageSize' | 'cacheSizeKiB' | 'mmapSize' | 'busyTimeoutMs' | 'walAutocheckpoint'> &
  Partial<Pick<Config, 'walLimitMiB'>>;

export interface OpenOptions {
  readonly?: boolean;
  /** Skip migrations (only for tools that inspect a database as it is). */
  skipMigrations?: boolean;
}

/** The primary cannot be opened: names the file and the reason (read-only mount, missing folder, not a database …). */
export class StorageOpenError extends Error {
  constructor(
    readonly dbPath: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`Cannot open the database ${dbPath}: ${reason}`, { cause });
    this.name = 'StorageOpenError';
  }
}

export function openPrimary(settings: PrimarySettings, options: OpenOptions = {}): Db {
  let db: Db | undefined;
  try {
    if (!options.readonly && settings.dbPath !== ':memory:') fs.mkdirSync(path.dirname(settings.dbPath), { recursive: true });
    db = new Database(settings.dbPath, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    configure(db, settings, options);
  } catch (err) {
    if (db?.open) db.close();
    if (settings.dbPath === ':memory:' || (err as { code?: string }).code === undefined) throw err;
    throw new StorageOpenError(settings.dbPath, whyCannotOpen(settings.dbPath, err, options.readonly ?? false), err);
  }
  // Migrations' own errors (a bad migration) are not about the file: they pass through as they are.
  if (!options.readonly && !options.skipMigrations) migrate(db);
  return db;
}

function configure(db: Db, settings: PrimarySettings, options: OpenOptions): void {
  // busy_timeout first: every later statement may meet another process's lock.
  db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
  // The first read of the file: a file that is not a database fails here (SQLITE_NOTADB).
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
  if (!options.readonly) {
    // page_size only takes effect before the first table exists (and before WAL is on).
    if (tables.n === 0) db.pragma(`page_size = ${settings.pageSize}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`wal_autocheckpoint = ${settings.walAutocheckpoint}`);
    // The connection that makes the WAL start over trims the file to this at its next commit.
    db.pragma(`journal_size_limit = ${(settings.walLimitMiB ?? 64) * 1024 * 1024}`);
    // SQLite opens a file it may not write read-only without a word; a server must say so now.
    if (db.readonly) throw Object.assign(new Error('opened read-only'), { code: 'SQLITE_READONLY' });
  }
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${settings.cacheSizeKiB}`);
  db.pragma(`mmap_size = ${settings.mmapSize}`);
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  sqliteVec.load(db);
}

/**
 * Drops this connection's memory map of the file and lets the next read map it afresh, so the
 * pages a one-off full scan touched (loading every vector at start: ~8 MiB of Chinook's 15) stop
 * counting in the process's RSS; they stay in the OS's file cache. SQLite unmaps only when no
 * page of the map is in use (os_unix.c, SQLITE_FCNTL_MMAP_SIZE), so this is safe at any time and
 * does nothing inside a statement that holds one.
 */
export function releaseMappedPages(db: Db): void {
  const size = db.pragma('mmap_size', { simple: true }) as number;
  if (size <= 0) return;
  db.pragma('mmap_size = 0');
  db.pragma(`mmap_size = ${size}`);
}

/** SQLite says "unable to open database file"; the file system says why. */
function whyCannotOpen(dbPath: string, err: unknown, readonly: boolean): string {
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message;
  const said = message.startsWith(code) ? `(${message})` : `(${code}: ${message})`;
  const dir = path.dirname(dbPath);
  const probe = (p: string, mode: number) => {
    try {
      fs.accessSync(p, mode);
      return null;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? 'error';
    }
  };
  if (code === 'SQLITE_NOTADB') return `it is not a SQLite database (or it is encrypted or damaged) ${said}`;
  if (code === 'SQLITE_CORRUPT') return `the file is damaged; restore a backup (chinook restore FILE) ${said}`;
  if (!code.startsWith('SQLITE')) {
    // mkdir failed: say what is in the way.
    let existing = dir;
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    if (!fs.statSync(existing).isDirectory()) return `${existing} is a file, so the folder ${dir} cannot be created ${said}`;
    const why = probe(existing, fs.constants.W_OK);
    return `its folder ${dir} does not exist and cannot be created${why === 'EROFS' ? ' (read-only file system)' : why ? ` (${existing} is not writable)` : ''} ${said}`;
  }
  if (probe(dir, fs.constants.F_OK)) return `its folder ${dir} does not exist ${said}`;
  if (fs.existsSync(dbPath) && fs.statSync(dbPath).isDirectory()) return `that path is a folder, not a file ${said}`;
  if (readonly && !fs.existsSync(dbPath)) return `the file does not exist ${said}`;
  const dirWrite = probe(dir, fs.constants.W_OK);
  const fileWrite = fs.existsSync(dbPath) ? probe(dbPath, fs.constants.W_OK) : null;
  if (!readonly && (dirWrite === 'EROFS' || fileWrite === 'EROFS')) {
    return `it is on a read-only file system; remount it read-write, or copy the file to writable storage ${said}`;
  }
  if (!readonly && fileWrite) return `the file is not writable by this user (${fileWrite}) ${said}`;
  if (!readonly && dirWrite) {
    return `its folder ${dir} is not writable (${dirWrite}); WAL mode creates ${path.basename(dbPath)}-wal and -shm beside the file ${said}`;
  }
  if (code.startsWith('SQLITE_FULL')) return `the disk is full ${said}`;
  return `SQLite could not open it ${said}`;
}

/** A file's size in bytes; 0 when it does not exist (no WAL between a truncating checkpoint and the next write). */
export function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Pragmas read back from a live connection, for `chinook doctor` and /health. */
export function readPragmas(db: Db): Record<string, unknown> {
  const names = [
    'journal_mode',
    'page_size',
    'synchronous',
    'cache_size',
    'mmap_size',
    'busy_timeout',
    'wal_autocheckpoint',
    'journal_size_limit',
    'temp_store',
    'foreign_keys',
    'user_version',
  ];
  return Object.fromEntries(names.map((n) => [n, db.pragma(n, { simple: true })]));
}

export function sqliteVersions(db: Db): { sqlite: string; sqliteVec: string } {
  const row = db.prepare('SELECT sqlite_version() AS sqlite, vec_version() AS vec').get() as { sqlite: string; vec: string };
  return { sqlite: row.sqlite, sqliteVec: row.vec };
}

// The one statement cache of the project: per connection, keyed by SQL text (or by a shape
// key, see statementFor). Statements a class always needs are prepared in its constructor;
// this is for SQL that varies (filters, sorts, patched columns) or runs on whichever
// connection it is handed (write-queue operations).
const statementCaches = new WeakMap<Db, Map<string, Stmt>>();

function cacheOf(db: Db): Map<string, Stmt> {
  let cache = statementCaches.get(db);
  if (!cache) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  return cache;
}

/** A prepared statement for this connection, prepared once. */
export function statement(db: Db, sql: string): Stmt {
  const cache = cacheOf(db);
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare<unknown[]>(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/**
 * The statement for one shape of a query assembled from parts (filters, sort): `build` runs
 * only the first time `shape` is asked for on this connection, so a hot path does not
 * assemble its SQL again on every call. Shapes live beside SQL texts in the same cache; the
 * NUL prefix keeps the two apart.
 */
export function statementFor(db: Db, shape: string, build: () => string): Stmt {
  const cache = cacheOf(db);
  const key = `\u0000${shape}`;
  let stmt = cache.get(key);
  if (!stmt) {
    stmt = db.prepare<unknown[]>(build());
    cache.set(key, stmt);
  }
  return stmt;
}
