// A counter bumped by every write to track_vectors, so a process holding vectors in memory
// (the blend snapshot) knows in one point read whether any process has changed them since.
// vec0 tables take no triggers, so VectorStore bumps it beside its own writes.
import type { Migration } from '../migrations.ts';

export const vectorRevisionSchema: Migration = {
  version: 8,
  name: '008-vector-revision',
  up(db) {
    db.exec(`
      CREATE TABLE vector_revision (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL
      );
      INSERT INTO vector_revision (id, revision) VALUES (1, 0);
    `);
  },
};
