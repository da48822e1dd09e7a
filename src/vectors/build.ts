// Building the vectors: two streamed passes over the catalog through the providers, written
// to track_vectors. Small catalogs are rebuilt in one transaction (readers see the old
// vectors or the new ones, never a mix); large ones commit per batch to bound the WAL.
import type { Db } from '../db/index.ts';
import { ListensAlikeProvider } from './listens-alike.ts';
import { type CatalogShape, type EmbeddingProvider, MetadataProvider, TextProvider } from './providers.ts';
import { basketSizes, idsOf, streamTracks, trackCount } from './source.ts';
import { type EmbeddingBatch, SPACES, type Space } from './spaces.ts';
import { VectorStore } from './store.ts';
import { dropIndex, ensureIndexes, INDEX_MIN_TRACKS } from './vector-index.ts';

export type ProgressFn = (done: number, total: number, label: string) => void;

export interface ComputeOptions {
  spaces?: readonly Space[];
  /** The latent spaces are fitted on at most this many tracks (every n-th), the rest folded in. */
  fitLimit?: number;
  batchSize?: number;
  onProgress?: ProgressFn;
}

export interface ComputeResult {
  trackCount: number;
  ms: number;
  providers: { space: Space; name: string; details: Record<string, unknown> }[];
}

export function catalogShape(db: Db): CatalogShape {
  const sizes = basketSizes(db);
  return {
    trackCount: trackCount(db),
    genreIds: idsOf(db, 'chinook_genres'),
    mediaTypeIds: idsOf(db, 'chinook_media_types'),
    playlistIds: idsOf(db, 'chinook_playlists'),
    playlistSizes: sizes.playlists,
    invoiceSizes: sizes.invoices,
    invoiceAudit: sizes.invoiceAudit,
  };
}

export function providersFor(shape: CatalogShape, spaces: readonly Space[]): EmbeddingProvider[] {
  const all: Record<Space, () => EmbeddingProvider> = {
    audio: () => new ListensAlikeProvider(shape),
    lyric: () => new TextProvider(),
    metadata: () => new MetadataProvider(shape),
  };
  return spaces.map((s) => all[s]());
}

/** Computes embeddings for every track and hands them to `sink` batch by batch (fallbacks last). */
export function computeEmbeddings(db: Db, options: ComputeOptions, sink: (batch: EmbeddingBatch) => void): ComputeResult {
  const started = performance.now();
  const spaces = options.spaces ?? SPACES;
  const shape = catalogShape(db);
  const n = shape.trackCount;
  const providers = providersFor(shape, spaces);
  const stride = Math.max(1, Math.ceil(n / (options.fitLimit ?? 20_000)));
  const source = { batchSize: options.batchSize };
  const progress = options.onProgress ?? (() => {});
  // 3 phases over n tracks: observe, embed, fallbacks; fitting is reported at the boundary.
  const total = 2 * n + 1;
  let index = 0;
  for (const batch of streamTracks(db, source)) {
    for (const t of batch) {
      const sampled = index % stride === 0;
      for (const p of providers) p.observe(t, sampled);
      index++;
    }
    progress(index, total, 'reading catalog');
  }
  progress(n, total, 'fitting');
  for (const p of providers) p.fit();
  let done = 0;
  for (const batch of streamTracks(db, source)) {
    const vectors: EmbeddingBatch['vectors'] = {};
    for (const p of providers) vectors[p.space] = batch.map((t) => p.embed(t));
    sink({ ids: batch.map((t) => t.id), vectors });
    done += batch.length;
    progress(n + done, total, 'embedding');
  }
  for (const p of providers) for (const f of p.fallbacks()) sink({ ids: f.ids, vectors: { [p.space]: f.vectors } });
  progress(total, total, 'done');
  return {
    trackCount: n,
    ms: performance.now() - started,
    providers: providers.map((p) => ({ space: p.space, name: p.name, details: p.details() })),
  };
}

export interface BuildOptions extends ComputeOptions {
  /** Above this many tracks the build commits per batch instead of in one transaction. */
  atomicLimit?: number;
  /** Catalogs with at least this many tracks get the sharded/quantized index (vector-index.ts). */
  indexMinTracks?: number;
}

export interface BuildResult extends ComputeResult {
  spaces: Space[];
}

/** Builds the given spaces (all of them when the table is empty) into track_vectors. */
export function buildVectors(db: Db, options: BuildOptions = {}): BuildResult {
  const store = new VectorStore(db);
  const requested = options.spaces ?? SPACES;
  const tracks = trackCount(db);
  const partial = requested.length < SPACES.length && store.count() === tracks;
  const spaces = partial ? [...requested] : [...SPACES];
  const atomic = tracks <= (options.atomicLimit ?? 50_000);
  const run = (): BuildResult => {
    if (!partial) store.clear();
    // Row-by-row index upkeep would slow a rebuild; the indexes are recreated in one pass at the end.
    else for (const s of spaces) dropIndex(db, s);
    const write = atomic ? (b: EmbeddingBatch) => store.write(b) : db.transaction((b: EmbeddingBatch) => store.write(b));
    const result = computeEmbeddings(db, { ...options, spaces }, write);
    for (const p of result.providers) store.recordSpace(p.space, p.name, result.trackCount, p.details);
    // Cached neighbours of rebuilt spaces (and every blend) now describe vectors that are gone.
    const stale = [...spaces, 'blend'];
    db.prepare(`DELETE FROM vector_similarity_cache WHERE similarity_type IN (${stale.map(() => '?').join(',')})`).run(...stale);
    ensureIndexes(db, options.indexMinTracks ?? INDEX_MIN_TRACKS);
    return { ...result, spaces };
  };
  const noted = () => store.bulk(run);
  return atomic ? db.transaction(noted).immediate() : noted();
}

/**
 * True when all three spaces were recorded and the vectors cover the same track ids as the
 * catalog (count, lowest and highest id: a re-import of another catalog changes one of them).
 */
export function vectorsAreCurrent(db: Db): boolean {
  if (new VectorStore(db).spaces().length !== SPACES.length) return false;
  const span = (sql: string) => JSON.stringify(db.prepare(sql).get());
  return (
    span('SELECT count(*) AS n, min(track_id) AS lo, max(track_id) AS hi FROM track_vectors') ===
    span('SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM chinook_tracks')
  );
}

/**
 * First start after an import: build the vectors if they are missing or the catalog has a
 * different number of tracks. Returns the build result, or null when nothing was needed.
 */
export function ensureVectors(db: Db, onProgress?: ProgressFn, indexMinTracks = INDEX_MIN_TRACKS): BuildResult | null {
  if (trackCount(db) === 0) return null;
  if (vectorsAreCurrent(db)) {
    // A catalog that grew past the threshold (or an index dropped by hand) gets its index now.
    ensureIndexes(db, indexMinTracks);
    return null;
  }
  return buildVectors(db, { onProgress, indexMinTracks });
}
