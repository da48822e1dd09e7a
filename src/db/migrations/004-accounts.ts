// Sessions carry their CSRF token (one per session, sent back in x-csrf-token on writes).
// Indexes follow the queries the store actually runs; the ones they replace put every play
// at a random place in a B-tree, dirtying more pages per group commit for nothing.
import type { Migration } from '../migration.ts';

export const accountsSchema: Migration = {
  version: 4,
  name: '004-accounts',
  up(db) {
    db.exec(`
      ALTER TABLE sessions ADD COLUMN csrf_token TEXT NOT NULL DEFAULT '';

      -- GET /api/admin/activity?causerId= … ORDER BY id DESC, and ?subjectType=.
      DROP INDEX idx_activity_causer;
      DROP INDEX idx_activity_subject;
      CREATE INDEX idx_activity_causer ON activity_log(causer_id, id);
      CREATE INDEX idx_activity_subject ON activity_log(subject_type, id);

      -- GET /api/me/history pages a user's plays by id.
      DROP INDEX idx_plays_user;
      CREATE INDEX idx_plays_user ON plays(user_id, id);
    `);
  },
};
