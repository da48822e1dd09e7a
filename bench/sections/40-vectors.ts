// Vector similarity: building the three spaces and KNN (k = 10) with sqlite-vec on Chinook and
// on synthetic catalogs, next to a plain JS brute-force scan over one Float32Array measured in
// the same run; one vec0 table vs one per space; a binary-quantized coarse pass with float
// re-ranking (latency and recall@10 against the exact answer).
import path from 'node:path';
import { openPrimary } from '../../src/db/connection.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { sharedDatasetPath } from '../../src/importer/source.ts';
import { importSynthetic } from '../../src/importer/synthetic.ts';
import { BruteForceIndex } from '../../src/recommend/eval.ts';
import { buildVectors } from '../../src/vectors/build.ts';
import { seededRandom } from '../../src/vectors/linalg.ts';
import { COLUMN, DIMS, SPACES } from '../../src/vectors/spaces.ts';
import { fromBlob, toBlob, VectorStore } from '../../src/vectors/store.ts';
import { type BenchEnv, fmtMs, fmtRatio, measureSync, table } from '../lib.ts';

export const title = 'Vector similarity (sqlite-vec KNN, k = 10)';

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

interface Size {
  label: string;
  fill(db: ReturnType<typeof openPrimary>): void;
  tracks?: number;
}

export async function run(env: BenchEnv): Promise<string> {
  const sizes: Size[] = [
    { label: 'Chinook', fill: (db) => importOfficial(db, process.env.CHINOOK_SOURCE ?? sharedDatasetPath) },
    { label: 'synthetic 100k', tracks: 100_000, fill: (db) => importSynthetic(db, { tracks: 100_000 }) },
  ];
  if (!env.quick) sizes.push({ label: 'synthetic 1M', tracks: 1_000_000, fill: (db) => importSynthetic(db, { tracks: 1_000_000 }) });

  const buildRows: (string | number)[][] = [];
  const knnRows: (string | number)[][] = [];
  const layoutRows: (string | number)[][] = [];
  const quantRows: (string | number)[][] = [];

  for (const size of sizes) {
    const dbPath = path.join(env.scratchDir, `vectors-${size.label.replace(/\W+/g, '-')}.sqlite`);
    const db = openPrimary({
      dbPath,
      pageSize: 32768,
      cacheSizeKiB: 131072,
      mmapSize: 536870912,
      busyTimeoutMs: 10000,
      walAutocheckpoint: 2000,
    });
    env.log(`${size.label}: importing the catalog`);
    const t0 = performance.now();
    size.fill(db);
    env.log(`${size.label}: catalog in ${((performance.now() - t0) / 1000).toFixed(1)} s; building vectors`);

    // Memory: peak RSS and heap seen at progress callbacks, above what the process held before.
    global.gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    let lastLog = 0;
    const built = buildVectors(db, {
      onProgress: (done, total, label) => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          env.log(`  ${label} ${done}/${total}`);
        }
      },
    });
    buildRows.push([
      size.label,
      built.trackCount,
      `${(built.ms / 1000).toFixed(1)} s`,
      `${Math.round(built.trackCount / (built.ms / 1000))}/s`,
      mib(peakRss - base.rss),
      mib(peakHeap - base.heapUsed),
    ]);
    env.log(`${size.label}: built in ${(built.ms / 1000).toFixed(1)} s`);

    const store = new VectorStore(db);
    const ids = (db.prepare('SELECT track_id AS id FROM track_vectors ORDER BY track_id').all() as { id: number }[]).map((r) => r.id);
    const rand = seededRandom(1234);
    const queryIds = Array.from({ length: 50 }, () => ids[Math.floor(rand() * ids.length)] as number);
    const big = ids.length > 200_000;
    const iterations = big ? 20 : ids.length > 50_000 ? 100 : 500;

    for (const space of SPACES) {
      const queries = queryIds.map((id) => store.get(id, space) as Float32Array);
      let qi = 0;
      const vec = measureSync(() => store.knn(space, queries[qi++ % queries.length] as Float32Array, 10), { iterations, warmup: 3, maxMs: 15_000 });
      // The baseline: every vector of the space in one Float32Array, scanned by a JS loop.
      const loadStarted = performance.now();
      // Straight into one preallocated array: at 1M × 384 a Map of small arrays would double the memory.
      const data = new Float32Array(ids.length * DIMS[space]);
      const rowIds = new Int32Array(ids.length);
      let row = 0;
      for (const r of db.prepare(`SELECT track_id AS id, ${COLUMN[space]} AS v FROM track_vectors ORDER BY track_id`).iterate() as Iterable<{
        id: number;
        v: Buffer;
      }>) {
        rowIds[row] = r.id;
        data.set(fromBlob(r.v), row * DIMS[space]);
        row++;
      }
      const index = new BruteForceIndex(rowIds, data, DIMS[space]);
      const loadMs = performance.now() - loadStarted;
      qi = 0;
      const js = measureSync(() => index.search(queries[qi++ % queries.length] as Float32Array, 10), { iterations, warmup: 3, maxMs: 15_000 });
      knnRows.push([
        size.label,
        `${space} (${DIMS[space]})`,
        fmtMs(vec.medianMs),
        fmtMs(vec.p99Ms),
        fmtMs(js.medianMs),
        fmtMs(js.p99Ms),
        fmtRatio(js.medianMs / vec.medianMs),
        `${(loadMs / 1000).toFixed(1)} s`,
      ]);
      env.log(`${size.label} ${space}: vec0 ${fmtMs(vec.medianMs)}, JS ${fmtMs(js.medianMs)}`);

      if (space === 'audio') quantRows.push(...quantized(db, store, queries, size.label, iterations, vec.medianMs));
    }

    // One vec0 table per space, against the one three-column table measured above.
    if (!big) {
      for (const space of SPACES) {
        db.exec(`CREATE VIRTUAL TABLE bench_${space} USING vec0(track_id INTEGER PRIMARY KEY, v FLOAT[${DIMS[space]}] distance_metric=cosine)`);
        db.exec(`INSERT INTO bench_${space}(track_id, v) SELECT track_id, ${COLUMN[space]} FROM track_vectors`);
        const stmt = db.prepare(`SELECT track_id, distance FROM bench_${space} WHERE v MATCH ? AND k = 10`);
        const queries = queryIds.map((id) => toBlob(store.get(id, space) as Float32Array));
        let qi = 0;
        const separate = measureSync(() => stmt.all(queries[qi++ % queries.length]), { iterations, warmup: 3, maxMs: 10_000 });
        qi = 0;
        const shared = measureSync(() => store.knn(space, queries[qi++ % queries.length] as Buffer, 10), { iterations, warmup: 3, maxMs: 10_000 });
        layoutRows.push([size.label, space, fmtMs(shared.medianMs), fmtMs(separate.medianMs), fmtRatio(shared.medianMs / separate.medianMs)]);
        db.exec(`DROP TABLE bench_${space}`);
      }
    }
    db.close();
  }

  return [
    'Build: `buildVectors` (two streamed passes over the catalog, three providers, vec0 inserts). Memory is the peak seen at progress callbacks above what the process held before (RSS includes SQLite’s page cache).',
    '',
    table(['catalog', 'tracks', 'build', 'rate', 'peak RSS +', 'peak heap +'], buildRows),
    '',
    'KNN k = 10 for a stored track’s vector (exact in both: vec0 scans every chunk), 50 different query tracks cycled. Baseline: the same vectors in one Float32Array, a JS dot-product loop with a top-10 insertion list. “JS ÷ vec0” above 1 means sqlite-vec is faster.',
    '',
    table(['catalog', 'space', 'vec0 p50', 'vec0 p99', 'JS scan p50', 'JS scan p99', 'JS ÷ vec0', 'JS load'], knnRows),
    '',
    'One vec0 table with three vector columns (what the app uses) against one table per space, same vectors, same queries. vec0 keeps each vector column in its own chunk table, so a KNN reads only its column either way.',
    '',
    layoutRows.length ? table(['catalog', 'space', 'one table p50', 'table per space p50', 'one ÷ per-space'], layoutRows) : '(skipped above 200k tracks)',
    '',
    'Binary quantization of the audio space (128 bits per track in its own vec0 `bit[128]` table, hamming distance), oversampled k × N candidates re-ranked by exact cosine over their float vectors, either by point lookups in track_vectors and a JS dot product or by a vec0 KNN restricted to the candidates (`track_id IN (…)`). Recall@10 against the exact vec0 answer over the 50 queries; “vs exact” above 1 means faster than the exact vec0 KNN.',
    '',
    table(['catalog', 'method', 'p50', 'p99', 'recall@10', 'vs exact p50'], quantRows),
  ].join('\n');
}

function quantized(
  db: ReturnType<typeof openPrimary>,
  store: VectorStore,
  queries: Float32Array[],
  label: string,
  iterations: number,
  exactMs: number,
): (string | number)[][] {
  db.exec('CREATE VIRTUAL TABLE IF NOT EXISTS bench_audio_bits USING vec0(track_id INTEGER PRIMARY KEY, bits BIT[128])');
  db.exec('DELETE FROM bench_audio_bits');
  db.exec('INSERT INTO bench_audio_bits(track_id, bits) SELECT track_id, vec_quantize_binary(audio_features) FROM track_vectors');
  const coarse = db.prepare('SELECT track_id AS id FROM bench_audio_bits WHERE bits MATCH vec_quantize_binary(?) AND k = ?');
  const rerankIn = db.prepare(
    'SELECT track_id AS id FROM track_vectors WHERE audio_features MATCH ? AND k = 10 AND track_id IN (SELECT value FROM json_each(?))',
  );
  const exact = queries.map((q) => new Set(store.knn('audio', q, 10).map((n) => n.id)));
  const rows: (string | number)[][] = [];
  for (const oversample of [8, 16, 32]) {
    const search = (q: Float32Array) => {
      const cands = coarse.all(toBlob(q), 10 * oversample) as { id: number }[];
      const scored = cands.map(({ id }) => {
        const v = store.get(id, 'audio') as Float32Array;
        let s = 0;
        for (let j = 0; j < 128; j++) s += (q[j] as number) * (v[j] as number);
        return { id, s };
      });
      scored.sort((a, b) => b.s - a.s);
      return scored.slice(0, 10).map((x) => x.id);
    };
    // The same re-rank inside vec0: a KNN restricted to the candidates' rowids.
    const searchIn = (q: Float32Array) => {
      const cands = coarse.all(toBlob(q), 10 * oversample) as { id: number }[];
      return (rerankIn.all(toBlob(q), JSON.stringify(cands.map((c) => c.id))) as { id: number }[]).map((r) => r.id);
    };
    for (const [how, f] of [
      ['point lookups + JS dot', search],
      ['vec0 KNN on track_id IN (…)', searchIn],
    ] as const) {
      let found = 0;
      queries.forEach((q, i) => {
        for (const id of f(q)) if (exact[i]?.has(id)) found++;
      });
      let qi = 0;
      const t = measureSync(() => f(queries[qi++ % queries.length] as Float32Array), { iterations, warmup: 3, maxMs: 10_000 });
      rows.push([
        label,
        `bit ×${oversample}, re-rank: ${how}`,
        fmtMs(t.medianMs),
        fmtMs(t.p99Ms),
        (found / (10 * queries.length)).toFixed(3),
        fmtRatio(exactMs / t.medianMs),
      ]);
    }
  }
  db.exec('DROP TABLE bench_audio_bits');
  return rows;
}
