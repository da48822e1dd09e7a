// What every offline command does first: open the primary database named by the global
// --db flag (or CHINOOK_DB), run the work, close it whatever happens.
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { type Db, openPrimary } from '../db/index.ts';

export function withDb<T>(cmd: Command, f: (db: Db) => T): T {
  const db = openPrimary(loadConfig({ dbPath: cmd.optsWithGlobals<{ db?: string }>().db }));
  let async = false;
  try {
    const result = f(db);
    if (result instanceof Promise) {
      async = true;
      return result.finally(() => db.close()) as T;
    }
    return result;
  } finally {
    if (!async) db.close();
  }
}
