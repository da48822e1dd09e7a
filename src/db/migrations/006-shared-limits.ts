// Rate-limit and login-failure counters live in the primary database, so every worker
// process counts the same attempts (in-memory counters gave N workers N times the limit).
import type { Migration } from '../migration.ts';

export const sharedLimitsSchema: Migration = {
  version: 6,
  name: '006-shared-limits',
  up(db) {
    db.exec(`
      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        hits INTEGER NOT NULL,
        reset_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX idx_rate_limits_reset ON rate_limits(reset_at);
    `);
  },
};
