// The catalog (seed table names, Chinook's integer ids kept as primary keys), the
// accounts/store tables later issues fill, and the seed's performance indexes.
import type { Migration } from '../migration.ts';

const now = "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))";

export const coreSchema: Migration = {
  version: 1,
  name: '001-core',
  up(db) {
    db.exec(`
      CREATE TABLE chinook_artists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT ${now},
        updated_at TEXT NOT NULL DEFAULT ${now}
      );
      CREATE TABLE chinook_albums (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        artist_id INTEGER NOT NULL REFERENCES chinook_artists(id),
        release_date TEXT,
        created_at TEXT NOT NULL DEFAULT ${now},
        updated_at TEXT NOT NULL DEFAULT ${now}
      );
      CREATE TABLE chinook_genres (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL
      );
      CREATE TABLE chinook_media_types (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL
      );
      CREATE TABLE chinook_tracks (
        id INTEGER PRIMARY KEY,
        public_id TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        album_id INTEGER REFERENCES chinook_albums(id),
        media_type_id INTEGER NOT NULL REFERENCES chinook_media_types(id),
        genre_id INTEGER REFERENCES chinook_genres(id),
        composer TEXT,
        milliseconds INTEGER NOT NULL CHECK (milliseconds >= 0),
        bytes INTEGER,
        unit_price REAL NOT NULL CHECK (unit_price >= 0),
        created_at TEXT NOT NULL DEFAULT ${now},
        updated_at TEXT NOT NULL DEFAULT ${now}
      );
      CREATE TABLE chinook_playlists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL
      );
      CREATE TABLE chinook_playlist_track (
        playlist_id INTEGER NOT NULL REFERENCES chinook_playlists(id) ON DELETE CASCADE,
        track_id INTEGER NOT NULL REFERENCES chinook_tracks(id) ON DELETE CASCADE,
        PRIMARY KEY (playlist_id, track_id)
      ) WITHOUT ROWID;
      CREATE TABLE chinook_employees (
        id INTEGER PRIMARY KEY,
        last_name TEXT NOT NULL,
        first_name TEXT NOT NULL,
        title TEXT,
        reports_to INTEGER REFERENCES chinook_employees(id),
        birth_date TEXT,
        hire_date TEXT,
        address TEXT, city TEXT, state TEXT, country TEXT, postal_code TEXT,
        phone TEXT, fax TEXT, email TEXT
      );
      CREATE TABLE chinook_customers (
        id INTEGER PRIMARY KEY,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        company TEXT,
        address TEXT, city TEXT, state TEXT, country TEXT, postal_code TEXT,
        phone TEXT, fax TEXT,
        email TEXT NOT NULL,
        support_rep_id INTEGER REFERENCES chinook_employees(id)
      );
      CREATE TABLE chinook_invoices (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES chinook_customers(id),
        invoice_date TEXT NOT NULL,
        billing_address TEXT, billing_city TEXT, billing_state TEXT,
        billing_country TEXT, billing_postal_code TEXT,
        total REAL NOT NULL
      );
      CREATE TABLE chinook_invoice_lines (
        id INTEGER PRIMARY KEY,
        invoice_id INTEGER NOT NULL REFERENCES chinook_invoices(id) ON DELETE CASCADE,
        track_id INTEGER NOT NULL REFERENCES chinook_tracks(id),
        unit_price REAL NOT NULL,
        quantity INTEGER NOT NULL CHECK (quantity > 0)
      );

      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
        customer_id INTEGER UNIQUE REFERENCES chinook_customers(id),
        created_at TEXT NOT NULL DEFAULT ${now},
        updated_at TEXT NOT NULL DEFAULT ${now}
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        ip TEXT,
        user_agent TEXT,
        created_at TEXT NOT NULL DEFAULT ${now},
        last_activity INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE plays (
        id INTEGER PRIMARY KEY,
        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        track_id INTEGER NOT NULL REFERENCES chinook_tracks(id) ON DELETE CASCADE,
        ms_played INTEGER CHECK (ms_played IS NULL OR ms_played >= 0),
        played_at TEXT NOT NULL DEFAULT ${now}
      );
      CREATE TABLE activity_log (
        id INTEGER PRIMARY KEY,
        log_name TEXT NOT NULL DEFAULT 'default',
        description TEXT NOT NULL,
        subject_type TEXT,
        subject_id INTEGER,
        causer_type TEXT,
        causer_id INTEGER,
        properties TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(properties)),
        created_at TEXT NOT NULL DEFAULT ${now}
      );

      -- Foreign keys and the filters/sorts the API offers (keyset pagination needs (key, id)).
      CREATE INDEX idx_albums_artist ON chinook_albums(artist_id);
      CREATE INDEX idx_albums_title ON chinook_albums(title COLLATE NOCASE, id);
      CREATE INDEX idx_artists_name ON chinook_artists(name COLLATE NOCASE, id);
      CREATE INDEX idx_tracks_album ON chinook_tracks(album_id);
      CREATE INDEX idx_tracks_genre ON chinook_tracks(genre_id);
      CREATE INDEX idx_tracks_media_type ON chinook_tracks(media_type_id);
      CREATE INDEX idx_tracks_name ON chinook_tracks(name COLLATE NOCASE, id);
      CREATE INDEX idx_tracks_price ON chinook_tracks(unit_price, id);
      CREATE INDEX idx_tracks_duration ON chinook_tracks(milliseconds, id);
      CREATE INDEX idx_tracks_created ON chinook_tracks(created_at, id);
      CREATE INDEX idx_playlists_name ON chinook_playlists(name COLLATE NOCASE, id);
      CREATE INDEX idx_playlist_track_track ON chinook_playlist_track(track_id);
      CREATE INDEX idx_invoices_customer ON chinook_invoices(customer_id);
      CREATE INDEX idx_invoices_country ON chinook_invoices(billing_country);
      CREATE INDEX idx_invoice_lines_invoice ON chinook_invoice_lines(invoice_id);
      CREATE INDEX idx_invoice_lines_track ON chinook_invoice_lines(track_id);
      CREATE INDEX idx_customers_rep ON chinook_customers(support_rep_id);
      CREATE INDEX idx_employees_reports_to ON chinook_employees(reports_to);
      CREATE INDEX idx_sessions_user ON sessions(user_id);
      CREATE INDEX idx_sessions_expires ON sessions(expires_at);
      CREATE INDEX idx_plays_track ON plays(track_id);
      CREATE INDEX idx_plays_user ON plays(user_id, played_at);
      CREATE INDEX idx_activity_causer ON activity_log(causer_type, causer_id, id);
      CREATE INDEX idx_activity_subject ON activity_log(subject_type, subject_id, id);
      CREATE INDEX idx_activity_created ON activity_log(created_at);
    `);
  },
};
