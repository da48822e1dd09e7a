// The large-catalog index in bench/sections/40-vectors.ts: the ANN files (src/vectors/ann/)
// against what they replaced — the sharded vec0 index (bench/baselines/sharded-index/, exact
// and quantized) — the vec0 scan and the in-memory SIMD scan, in the same run; the uncached
// /similar path on the ANN; and the memory of a server holding all three spaces.
import { type Db, WriteQueue } from '../src/db/index.ts';
import { ANN_SETTINGS } from '../src/vectors/ann/ann-file.ts';
import { SimilarityService } from '../src/vectors/service.ts';
import { SPACES, type Space } from '../src/vectors/spaces.ts';
import type { VectorStore } from '../src/vectors/store.ts';
import { createIndex, INDEX_MIN_TRACKS, stopIndexHelper, VectorIndex } from './baselines/sharded-index/vector-index.ts';
import { fmtMs, fmtRatio, measureSync, summarize } from './lib.ts';
import { startBenchServer } from './servers/spawn.ts';

export { stopIndexHelper as stopShardedHelper };

/** The sharded index of each space, built over the bench's database (catalogs ≥ 100k, as before), with its build time. */
export function buildShardedBaseline(db: Db, tracks: number): { indexes: Partial<Record<Space, VectorIndex>>; ms: number } | null {
  if (tracks < INDEX_MIN_TRACKS) return null;
  const started = performance.now();
  const indexes: Partial<Record<Space, VectorIndex>> = {};
  for (const s of SPACES) {
    createIndex(db, s);
    indexes[s] = new VectorIndex(db, s);
  }
  return { indexes, ms: performance.now() - started };
}

/** Exact cosine distance between a query and a stored track (the recall check's ground truth). */
function distance(store: VectorStore, space: Space, q: Float32Array, id: number): number {
  const v = store.get(id, space) as Float32Array;
  let dot = 0;
  let a = 0;
  let b = 0;
  for (let j = 0; j < q.length; j++) {
    dot += (q[j] as number) * (v[j] as number);
    a += (q[j] as number) ** 2;
    b += (v[j] as number) ** 2;
  }
  return 1 - dot / Math.sqrt(a * b);
}

/** A KNN under test: the query's vector and the stored track it belongs to → track ids, nearest first. */
type Knn = (q: Float32Array, track: number) => number[];

/**
 * Tie-aware recall@10: a returned track counts when its true cosine distance is within the
 * exact 10th distance (`kth`, per query) — many tracks share a vector, so ties are common.
 */
export function recallAt10(store: VectorStore, space: Space, queries: Float32Array[], tracks: number[], kth: number[], found: Knn): number {
  let hits = 0;
  queries.forEach((q, i) => {
    for (const id of found(q, tracks[i] as number).slice(0, 10)) if (distance(store, space, q, id) <= (kth[i] as number) + 1e-5) hits++;
  });
  return hits / (10 * queries.length);
}

export interface AnnContext {
  db: Db;
  store: VectorStore;
  space: Space;
  label: string;
  /** Random tracks (timing cycles over these and `hard`). */
  queryIds: number[];
  /** Tracks in a playlist or invoice: vectors of their own, fewer ties (the harder test). */
  hardIds: number[];
  /** The exact 10th distance of each query of `queries` and `hard`. */
  kth: { queries: number[]; hard: number[] };
  iterations: number;
  /** The same run's vec0 scan p50, the reference of the last column. */
  vec0Ms: number;
  /** The same run's in-memory SIMD scan (null where it was not measured). */
  simd: { p50: number; p99: number } | null;
  sharded: VectorIndex | null;
}

/** Rows: catalog, space, method, p50, p99, recall@10 random, recall@10 with baskets, vs vec0 scan. */
export function annRows(c: AnnContext): (string | number)[][] {
  const rows: (string | number)[][] = [];
  const vectors = (ids: number[]) => ids.map((id) => c.store.get(id, c.space) as Float32Array);
  const queries = vectors(c.queryIds);
  const hard = vectors(c.hardIds);
  const all = [...queries, ...hard];
  const allIds = [...c.queryIds, ...c.hardIds];
  const row = (method: string, f: Knn) => {
    let qi = 0;
    const t = measureSync(
      () => {
        const i = qi++ % all.length;
        return f(all[i] as Float32Array, allIds[i] as number);
      },
      { iterations: c.iterations, warmup: 10, maxMs: 15_000 },
    );
    rows.push([
      c.label,
      c.space,
      method,
      fmtMs(t.medianMs),
      fmtMs(t.p99Ms),
      recallAt10(c.store, c.space, queries, c.queryIds, c.kth.queries, f).toFixed(3),
      recallAt10(c.store, c.space, hard, c.hardIds, c.kth.hard, f).toFixed(3),
      fmtRatio(c.vec0Ms / t.medianMs),
    ]);
  };
  const sharded = c.sharded;
  if (sharded) {
    row('before: sharded index, exact, 2 threads', (q) => sharded.exact(q, 10, true).map((n) => n.id));
    if (c.space !== 'metadata') row('before: sharded index, sign bits ×8 + re-rank, 2 threads', (q) => sharded.quantized(q, 10, 8, true).map((n) => n.id));
  }
  const ann = c.store.index(c.space)?.ann;
  if (ann?.status().unusable === null) {
    const s = ANN_SETTINGS[c.space];
    const ids = (found: { id: number }[] | null) => (found ?? []).map((n) => n.id);
    row(`ANN ${s.quantization}, ef ${s.expansionSearch}, by vector only`, (q) => ids(ann.search(q, 10)));
    for (const width of [s.expansionSearch / 2, s.expansionSearch, s.expansionSearch * 2]) {
      const served = width === s.expansionSearch ? ' (served)' : '';
      row(`ANN ${s.quantization}, ef ${width}, by track${served}`, (q, track) => ids(ann.search(q, 10, { width, track })));
      if (served) row(`ANN ${s.quantization}, ef ${width}, by track, no retry`, (q, track) => ids(ann.search(q, 10, { width, track, retry: false })));
    }
    // What /similar?limit=10 asks first (SimilarityService.similar): the 2 × 10 + 10 nearest, with up to 10 more candidates within the search width (candidatesFor); its top 10 is the reply's raw material.
    row(`ANN ${s.quantization}, ef ${s.expansionSearch}, by track, k 30 as /similar asks (its top 10)`, (q, track) =>
      ids(ann.search(q, 30, { track })).slice(0, 10),
    );
  }
  if (c.simd)
    rows.push([
      c.label,
      c.space,
      'in-memory SIMD scan, exact, 1 thread',
      fmtMs(c.simd.p50),
      fmtMs(c.simd.p99),
      '1.000',
      '1.000',
      fmtRatio(c.vec0Ms / c.simd.p50),
    ]);
  return rows;
}

/**
 * The uncached `/similar` path as the server runs it (SimilarityService.similar, limit 10: 50
 * neighbours computed, handed to the write queue, 10 named) on a catalog over the in-memory
 * cap, i.e. through the ANN; each sample first deletes that source's cached rows and lets the
 * queue commit the previous list, untimed. Rows: catalog, space, method, p50, p99.
 */
export async function annSimilarRows(
  db: Db,
  label: string,
  queryIds: number[],
  iterations: number,
  spaces: readonly Space[] = SPACES,
): Promise<(string | number)[][]> {
  const service = new SimilarityService(db, { vectorMemoryBytes: 0 });
  const writes = new WriteQueue(db);
  service.storeNeighboursWith(writes);
  const rows: (string | number)[][] = [];
  try {
    for (const space of [...spaces, ...(spaces.length === SPACES.length ? (['blend'] as const) : [])]) {
      const samples: number[] = [];
      const started = performance.now();
      for (let i = 0; i < iterations + 5 && performance.now() - started < 15_000; i++) {
        const id = queryIds[i % queryIds.length] as number;
        await writes.drain();
        db.prepare('DELETE FROM vector_similarity_cache WHERE source_track_id = ? AND similarity_type = ?').run(id, space);
        const t0 = performance.now();
        service.similar(id, space, 10);
        if (i >= 5) samples.push(performance.now() - t0);
      }
      const t = summarize(samples);
      const method = space === 'blend' ? 'ANN: each space’s top 151 re-scored in all three' : `ANN (usearch, ef ${ANN_SETTINGS[space].expansionSearch})`;
      rows.push([label, space, method, fmtMs(t.medianMs), fmtMs(t.p99Ms)]);
    }
  } finally {
    await writes.close();
  }
  return rows;
}

/**
 * A server process over the catalog (no in-memory copy: over the cap) after answering uncached
 * /similar in every space for `n` random tracks: its RSS, anonymous and file-backed (the ANN
 * files are memory-mapped, their pages shared by every process that maps them).
 */
export async function serverMemory(dbPath: string, trackIds: number[], n: number, serverArgs: string[] = []): Promise<Record<string, number>> {
  const server = await startBenchServer('vectors-server.ts', [dbPath, ...serverArgs], {});
  try {
    const before = JSON.parse(await server.ask('memory')) as Record<string, number>;
    const started = performance.now();
    let answered = 0;
    for (let i = 0; i < n; i++) {
      const id = trackIds[i % trackIds.length] as number;
      for (const space of [...SPACES, 'blend']) {
        const res = await fetch(`${server.url}/api/tracks/${id}/similar?space=${space}&limit=10`);
        await res.arrayBuffer();
        if (res.ok) answered++;
      }
    }
    const after = JSON.parse(await server.ask('memory')) as Record<string, number>;
    return {
      ...after,
      startRss: before.VmRSS ?? 0,
      startAnon: before.RssAnon ?? 0,
      startFile: before.RssFile ?? 0,
      answered,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await server.stop();
  }
}
