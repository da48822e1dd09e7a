// Files for the integrity and restore tests: a checkpointed Chinook database, and damage to one
// of its pages (what a bad sector or a torn copy leaves).
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { importedDb } from './helpers.ts';

/** An imported Chinook file, checkpointed into one file (no WAL), closed. */
export function chinookFile(): string {
  const { config, db } = importedDb();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return config.dbPath;
}

/** Overwrites 512 bytes inside the 4th leaf page of chinook_tracks with garbage. */
export function damageTracksPage(dbPath: string): void {
  const db = new Database(dbPath, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const page = db
    .prepare("SELECT pageno FROM dbstat WHERE name = 'chinook_tracks' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3")
    .pluck()
    .get() as number;
  db.close();
  const fd = fs.openSync(dbPath, 'r+');
  fs.writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, (page - 1) * pageSize + 8);
  fs.closeSync(fd);
}
