// A deterministic, Chinook-shaped catalog of any size (1 to 5M tracks) for scale tests and
// benchmarks. Rows are generated on the fly and written through one prepared INSERT per
// table inside a single transaction; only a few typed arrays per track (genre, media type,
// album, cumulative popularity) stay in memory so that playlists and invoices can sample
// tracks by popularity without reading the catalog back.
//
// The parts: synthetic-shape.ts (Chinook's ratios), synthetic-names.ts, synthetic-sampling.ts,
// and the table writers synthetic-catalog.ts, synthetic-people.ts, synthetic-sales.ts. Each
// random stream (names, shape, public ids, employees, customers, playlists, invoices) is its
// own seeded Rng, drawn in the same order whatever the code's layout.
import type { Db } from '../db/index.ts';
import { withSearchIndexSuspended } from '../search/index.ts';
import type { ImportResult } from './official.ts';
import { Rng } from './rng.ts';
import { CatalogWriter } from './synthetic-catalog.ts';
import { SYNTHETIC_DEFAULT_SEED, SYNTHETIC_MAX_TRACKS } from './synthetic-limits.ts';
import { writeCustomers, writeEmployees } from './synthetic-people.ts';
import { writeInvoices, writePlaylists } from './synthetic-sales.ts';
import { TrackSampler } from './synthetic-sampling.ts';
import { invoiceCount, MEAN_LINES_PER_INVOICE, playlistEntryTarget } from './synthetic-shape.ts';
import * as W from './synthetic-words.ts';
import { catalogCounts, catalogIsEmpty, clearCatalog, type ProgressFn } from './tables.ts';

export { SYNTHETIC_DEFAULT_SEED, SYNTHETIC_MAX_TRACKS };

export interface SyntheticOptions {
  tracks: number;
  seed?: number;
  force?: boolean;
  /** Rows written between two progress callbacks (default 10 000). */
  batchSize?: number;
  onProgress?: ProgressFn;
  /** Drop the catalog's secondary indexes during the load and build them once at the end (default: from 200k tracks). */
  rebuildIndexes?: boolean;
}

/** Runs the table writers in order and turns the rows they write into progress callbacks. */
class Generator {
  private done = 0;
  private generated = 0;
  private lastReport = 0;
  private label = '';
  private readonly total: number;

  constructor(
    private readonly db: Db,
    private readonly n: number,
    private readonly seed: number,
    private readonly batchSize: number,
    private readonly onProgress?: ProgressFn,
  ) {
    this.total = 2 * n + playlistEntryTarget(n) + Math.round(invoiceCount(n) * MEAN_LINES_PER_INVOICE);
  }

  run(): void {
    const { db, n, seed } = this;
    const progress = (rows: number, label: string) => this.progress(rows, label);
    this.progress(0, 'genres and media types');
    const genre = db.prepare('INSERT INTO chinook_genres (id, name) VALUES (?, ?)');
    for (const g of W.GENRES) genre.run(g.id, g.name);
    const media = db.prepare('INSERT INTO chinook_media_types (id, name) VALUES (?, ?)');
    for (const m of W.MEDIA_TYPES) media.run(m.id, m.name);
    const sampler = new TrackSampler(n);
    const rngs = { names: new Rng(seed, 'names'), shape: new Rng(seed, 'shape'), ids: new Rng(seed, 'public-ids') };
    new CatalogWriter(db, n, rngs, sampler, progress).run();
    const agents = writeEmployees(db, n, seed);
    const customers = writeCustomers(db, n, seed, agents, sampler);
    writePlaylists(db, n, seed, sampler, progress);
    writeInvoices(db, n, seed, sampler, customers, progress);
    this.generated = this.done;
  }

  /** The search index is filled once after the load (see importSynthetic); it counts as one more pass over the tracks. */
  searchIndexProgress(done: number): void {
    this.progress(Math.max(0, this.generated + done - this.done), 'search index');
  }

  phase(label: string): void {
    this.progress(0, label);
  }

  finish(): void {
    this.progress(0, 'done');
  }

  private progress(rows: number, label: string): void {
    this.done += rows;
    if (label !== this.label || this.done - this.lastReport >= this.batchSize) {
      this.label = label;
      this.lastReport = this.done;
      const done = label === 'done' ? this.total : Math.min(this.done, this.total - 1);
      this.onProgress?.(done, this.total, label);
    }
  }
}

// Measured (docs/synthetic.md): once the indexes outgrow the page cache, random inserts into
// them cost more than sorting and building them once; below that it is a wash.
const REBUILD_INDEXES_FROM = 200_000;
const BULK_TABLES = [
  'chinook_artists',
  'chinook_albums',
  'chinook_tracks',
  'chinook_playlist_track',
  'chinook_invoices',
  'chinook_invoice_lines',
  'chinook_customers',
];

/** Drops the explicit indexes of the bulk-loaded tables, runs fn, then recreates them from their own SQL (same transaction). */
function withSecondaryIndexesDropped(db: Db, fn: () => void, beforeRebuild: () => void): void {
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${BULK_TABLES.map(() => '?').join(', ')})`)
    .all(...BULK_TABLES) as { name: string; sql: string }[];
  for (const i of indexes) db.exec(`DROP INDEX "${i.name}"`);
  fn();
  beforeRebuild();
  for (const i of indexes) db.exec(i.sql);
}

/**
 * Fills an empty catalog with `tracks` generated tracks and everything around them (artists,
 * albums, playlists, customers, invoices) in one IMMEDIATE transaction. The same seed and
 * track count always give the same rows, public ids and timestamps included.
 */
export function importSynthetic(db: Db, options: SyntheticOptions): ImportResult {
  const started = performance.now();
  const { tracks } = options;
  const seed = options.seed ?? SYNTHETIC_DEFAULT_SEED;
  if (!Number.isInteger(tracks) || tracks < 1 || tracks > SYNTHETIC_MAX_TRACKS) {
    throw new RangeError(`tracks must be a whole number from 1 to ${SYNTHETIC_MAX_TRACKS} (got ${tracks})`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a whole number from 0 to ${0xffffffff} (got ${seed})`);
  if (!catalogIsEmpty(db) && !options.force) {
    return { skipped: true, counts: catalogCounts(db), ms: performance.now() - started };
  }
  const generator = new Generator(db, tracks, seed, Math.max(1, options.batchSize ?? 10_000), options.onProgress);
  db.transaction(() => {
    // Per-row search triggers would cost a join and two FTS inserts per track (several times
    // the rest of the load); the search module switches them off and indexes everything once.
    withSearchIndexSuspended(
      db,
      () => {
        if (options.force) clearCatalog(db);
        if (options.rebuildIndexes ?? tracks >= REBUILD_INDEXES_FROM)
          withSecondaryIndexesDropped(
            db,
            () => generator.run(),
            () => generator.phase('indexes'),
          );
        else generator.run();
      },
      (done) => generator.searchIndexProgress(done),
    );
  }).immediate();
  generator.finish();
  db.pragma('optimize');
  return { skipped: false, counts: catalogCounts(db), ms: performance.now() - started };
}
