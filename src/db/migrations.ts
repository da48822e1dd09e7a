// Versioned, idempotent migrations keyed by PRAGMA user_version. Each runs in its own
// transaction, so a failure leaves the database at the last good version.
import type { Db } from './connection.ts';
import type { Migration } from './migration.ts';
import { coreSchema } from './migrations/001-core.ts';
import { searchSchema } from './migrations/002-search.ts';
import { vectorsSchema } from './migrations/003-vectors.ts';
import { accountsSchema } from './migrations/004-accounts.ts';
import { deferredIndexesSchema } from './migrations/005-deferred-indexes.ts';
import { sharedLimitsSchema } from './migrations/006-shared-limits.ts';
import { searchSpeedSchema } from './migrations/007-search-speed.ts';
import { vectorChangesSchema } from './migrations/008-vector-changes.ts';
import { trackPopularitySchema } from './migrations/009-track-popularity.ts';
import { searchForgivingSchema } from './migrations/010-search-forgiving.ts';
import { storageProbeSchema } from './migrations/011-storage-probe.ts';
import { eventLogSchema } from './migrations/012-event-log.ts';
import { suggestArtistsSchema } from './migrations/013-suggest-artists.ts';

export type { Migration } from './migration.ts';

/** In order; a migration's version is its position. Append, never edit a shipped one. */
export const migrations: readonly Migration[] = [
  coreSchema,
  searchSchema,
  vectorsSchema,
  accountsSchema,
  deferredIndexesSchema,
  sharedLimitsSchema,
  searchSpeedSchema,
  vectorChangesSchema,
  trackPopularitySchema,
  searchForgivingSchema,
  storageProbeSchema,
  eventLogSchema,
  suggestArtistsSchema,
];

export function currentVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db): { from: number; to: number; applied: string[] } {
  const from = currentVersion(db);
  const applied: string[] = [];
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  for (const m of migrations) {
    if (m.version <= currentVersion(db)) continue;
    // IMMEDIATE: two processes starting at once must not both run the same migration.
    db.transaction(() => {
      if (m.version <= currentVersion(db)) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.name);
    }).immediate();
  }
  return { from, to: currentVersion(db), applied };
}
