// One row the readiness check (/health/ready) rewrites to prove the primary takes writes:
// reading is not enough to notice a full disk or a read-only file.
import type { Migration } from '../migrations.ts';

export const storageProbeSchema: Migration = {
  version: 11,
  name: '011-storage-probe',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS storage_probe (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        written_at INTEGER NOT NULL,
        pid INTEGER NOT NULL
      );
    `);
  },
};
