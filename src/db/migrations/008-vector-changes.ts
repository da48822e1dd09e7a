// Which tracks' vectors changed, in commit order, so a process holding vectors in memory (the
// vector snapshot) can catch up with a few point reads instead of reloading everything. vec0
// tables take no triggers, so VectorStore writes these rows beside its own writes. A row with
// a NULL track_id means "everything changed" (a full build, a clear). Only the newest rows are
// kept; a reader that fell further behind reloads.
import type { Migration } from '../migration.ts';

export const vectorChangesSchema: Migration = {
  version: 8,
  name: '008-vector-changes',
  up(db) {
    db.exec(`
      CREATE TABLE vector_changes (
        revision INTEGER PRIMARY KEY AUTOINCREMENT,
        track_id INTEGER
      );
    `);
  },
};
