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

export type PrimarySettings = Pick<Config, 'dbPath' | 'pageSize' | 'cacheSizeKiB' | 'mmapSize' | 'busyTimeoutMs' | 'walAutocheckpoint'>;

export interface OpenOptions {
  readonly?: boolean;
  /** Skip migrations (only for tools that inspect a database as it is). */
  skipMigrations?: boolean;
}

export function openPrimary(settings: PrimarySettings, options: OpenOptions = {}): Db {
  if (!options.readonly) fs.mkdirSync(path.dirname(settings.dbPath), { recursive: true });
  const db = new Database(settings.dbPath, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  // busy_timeout first: every later statement may meet another process's lock.
  db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
  if (!options.readonly) {
    // page_size only takes effect before the first table exists (and before WAL is on).
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
    if (tables.n === 0) db.pragma(`page_size = ${settings.pageSize}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`wal_autocheckpoint = ${settings.walAutocheckpoint}`);
  }
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${settings.cacheSizeKiB}`);
  db.pragma(`mmap_size = ${settings.mmapSize}`);
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  sqliteVec.load(db);
  if (!options.readonly && !options.skipMigrations) migrate(db);
  return db;
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
