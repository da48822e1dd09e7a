// Sessions carry their CSRF token (one per session, sent back in x-csrf-token on writes).
import type { Migration } from '../migrations.ts';

export const accountsSchema: Migration = {
  version: 4,
  name: '004-accounts',
  up(db) {
    db.exec(`
      ALTER TABLE sessions ADD COLUMN csrf_token TEXT NOT NULL DEFAULT '';
    `);
  },
};
