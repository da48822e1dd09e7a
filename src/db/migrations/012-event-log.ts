// The change log that carries domain events between processes sharing the primary file
// (src/events/sqlite-log.ts): each process appends the events others must hear (catalog
// edits, orders, revoked sessions) and polls for rows past the last one it saw, like
// vector_changes. `origin` lets a process skip its own; old rows are pruned by `at`.
import type { Migration } from '../migrations.ts';

export const eventLogSchema: Migration = {
  version: 12,
  name: '012-event-log',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS event_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        origin TEXT NOT NULL,
        event TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idx_event_log_at ON event_log(at);
    `);
  },
};
