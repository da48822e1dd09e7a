import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPrimary, readPragmas } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrations.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { catalogCounts } from '../../src/importer/tables.ts';
import { chinookSource, importedDb, openSource, testConfig } from '../helpers.ts';

describe('official Chinook import', () => {
  it('copies every table with the source row counts', () => {
    const { db } = importedDb();
    const src = openSource();
    const count = (table: string) => (src.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const counts = catalogCounts(db);
    assert.equal(counts.tracks, count('Track'));
    assert.equal(counts.tracks, 3503);
    assert.equal(counts.albums, count('Album'));
    assert.equal(counts.artists, count('Artist'));
    assert.equal(counts.genres, count('Genre'));
    assert.equal(counts.invoiceLines, count('InvoiceLine'));
    assert.equal(counts.playlistTracks, count('PlaylistTrack'));
    assert.equal(counts.customers, count('Customer'));
    const t = db.prepare('SELECT name, slug, public_id FROM chinook_tracks WHERE id = 1801').get() as { name: string; slug: string; public_id: string };
    assert.equal(t.name, 'Enter Sandman');
    assert.equal(t.slug, 'enter-sandman-1801');
    assert.match(t.public_id, /^[0-9a-f]{32}$/);
    src.close();
    db.close();
  });

  it('is idempotent, and --force re-imports in one transaction', () => {
    const { db } = importedDb();
    const again = importOfficial(db, chinookSource);
    assert.equal(again.skipped, true);
    const forced = importOfficial(db, chinookSource, { force: true });
    assert.equal(forced.skipped, false);
    assert.equal(forced.counts.tracks, 3503);
    assert.equal((db.pragma('foreign_key_check') as unknown[]).length, 0);
    db.close();
  });

  it('refuses a file that is not Chinook and leaves the database unchanged', () => {
    const config = testConfig();
    const db = openPrimary(config);
    assert.throws(() => importOfficial(db, config.dbPath), /not a Chinook database/);
    assert.equal(catalogCounts(db).tracks, 0);
    db.close();
  });

  it('applies the seed pragmas and page size, and migrations re-run as a no-op', () => {
    const { db, config } = importedDb();
    const p = readPragmas(db);
    assert.equal(p.journal_mode, 'wal');
    assert.equal(p.page_size, 32768);
    assert.equal(p.synchronous, 1);
    assert.equal(p.cache_size, -131072);
    assert.equal(p.busy_timeout, 10000);
    assert.equal(p.wal_autocheckpoint, 2000);
    assert.equal(p.foreign_keys, 1);
    assert.equal(p.temp_store, 2);
    const before = p.user_version;
    assert.deepEqual(migrate(db).applied, []);
    db.close();
    const reopened = openPrimary(config);
    assert.equal(reopened.pragma('user_version', { simple: true }), before);
    assert.equal(catalogCounts(reopened).tracks, 3503);
    reopened.close();
  });
});
