// Plays and the activity log lose their scattered indexes (by user, by track, by causer) for
// side tables filled in bulk by the deferred indexer (src/db/deferred-indexes.ts), and per-track
// play counts become a table instead of a GROUP BY over every play.
//
// Both logs are rebuilt with AUTOINCREMENT: a watermark is a rowid, and without it SQLite may
// hand out a deleted row's id again (after a cascade or a prune), which would land behind the
// watermark and never be indexed.
import type { Migration } from '../migration.ts';

const now = "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))";

export const deferredIndexesSchema: Migration = {
  version: 5,
  name: '005-deferred-indexes',
  up(db) {
    db.exec(`
      CREATE TABLE plays_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        track_id INTEGER NOT NULL REFERENCES chinook_tracks(id) ON DELETE CASCADE,
        ms_played INTEGER CHECK (ms_played IS NULL OR ms_played >= 0),
        played_at TEXT NOT NULL DEFAULT ${now}
      );
      INSERT INTO plays_log SELECT id, user_id, track_id, ms_played, played_at FROM plays;
      DROP TABLE plays;
      ALTER TABLE plays_log RENAME TO plays;

      CREATE TABLE activity_log_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        log_name TEXT NOT NULL DEFAULT 'default',
        description TEXT NOT NULL,
        subject_type TEXT,
        subject_id INTEGER,
        causer_type TEXT,
        causer_id INTEGER,
        properties TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(properties)),
        created_at TEXT NOT NULL DEFAULT ${now}
      );
      INSERT INTO activity_log_new SELECT id, log_name, description, subject_type, subject_id, causer_type, causer_id, properties, created_at FROM activity_log;
      DROP TABLE activity_log;
      ALTER TABLE activity_log_new RENAME TO activity_log;
      -- These two append: subject types are few, and time only grows.
      CREATE INDEX idx_activity_subject ON activity_log(subject_type, id);
      CREATE INDEX idx_activity_created ON activity_log(created_at);

      CREATE TABLE deferred_indexes (name TEXT PRIMARY KEY, upto INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
      CREATE TABLE plays_by_user (
        user_id INTEGER NOT NULL,
        play_id INTEGER NOT NULL,
        PRIMARY KEY (user_id, play_id)
      ) WITHOUT ROWID;
      CREATE TABLE activity_by_causer (
        causer_id INTEGER NOT NULL,
        activity_id INTEGER NOT NULL,
        PRIMARY KEY (causer_id, activity_id)
      ) WITHOUT ROWID;
      CREATE TABLE track_play_counts (
        track_id INTEGER PRIMARY KEY REFERENCES chinook_tracks(id) ON DELETE CASCADE,
        plays INTEGER NOT NULL
      );
      INSERT INTO deferred_indexes (name, upto) VALUES ('plays', 0), ('activity', 0);
    `);
  },
};
