// Tags of the JSON entries: a (tag, table, key) table with its own index, so invalidating a
// tag is an index seek, never LIKE over JSON.
import type Database from 'better-sqlite3';
import { type EntryTable, entryTableOf, type Stmt, tableCode } from './schema.ts';

export class CacheTags {
  private readonly insert: Stmt;
  private readonly removeOfStmt: Stmt;
  private readonly keysForStmt: Stmt;
  private readonly clearStmt: Stmt;
  private readonly countStmt: Stmt;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO cache_tags (tag, tbl, cache_key) VALUES (?, ?, ?)');
    this.removeOfStmt = db.prepare('DELETE FROM cache_tags WHERE tbl = ? AND cache_key = ?');
    this.keysForStmt = db.prepare('SELECT tbl, cache_key AS key FROM cache_tags WHERE tag = ?');
    this.clearStmt = db.prepare('DELETE FROM cache_tags');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM cache_tags');
  }

  add(table: EntryTable, key: string, tags: readonly string[]): void {
    for (const tag of tags) this.insert.run(tag, tableCode[table], key);
  }

  /** Drops the tag rows of an entry that is gone. */
  removeOf(table: EntryTable, key: string): void {
    this.removeOfStmt.run(tableCode[table], key);
  }

  entriesWith(tag: string): { table: EntryTable; key: string }[] {
    return (this.keysForStmt.all(tag) as { tbl: number; key: string }[]).map((r) => ({ table: entryTableOf(r.tbl), key: r.key }));
  }

  clear(): void {
    this.clearStmt.run();
  }

  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }
}
