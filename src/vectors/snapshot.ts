// Nearest tracks from an in-memory copy of every track's unit vectors, scanned by a
// WebAssembly SIMD kernel: for catalogs that fit the memory cap (vectorMemoryMiB per process;
// Chinook needs 3.9 MiB, 4.2 with its spare rows), the fastest answer for every space and for `blend`.
//
// Each row is kept as int16 with its own scale (Int16DotMatrix in dot-kernel.ts): half the bytes
// of f32 (Chinook 7.7 → 3.9 MiB in every serving process; a 32 MiB cap now holds the ~28 800
// tracks 64 MiB did). Rounding turns a stored unit vector by at most √dims · max|v_j| / 32767
// (Int16DotMatrix.directionError), so a similarity between two stored tracks moves by at most the
// sum of their two: ≤ 3.7e-4 to 6.2e-4 on Chinook, by space. Measured against the f32 copy on
// Chinook (bench/vectors-int16-error.ts, 1,000 query tracks, every pair): largest difference
// 1.4e-5 to 3.3e-5 by space, mean 1.8e-6 to 5.9e-6; of the f32 top 10, 99.48–99.98 % of places
// hold the same track and 99.98–100 % of the tracks are there. A list differs from an exact scan
// only in the order of tracks whose similarities differ by about that; copies of one vector
// still tie exactly, and score 1 against each other. The int16 kernel scans Chinook's spaces in
// 0.025–0.124 ms against f32's 0.018–0.099 (same bench, medians): widening the ints costs more
// than the halved memory traffic saves at this size.
//
// One contiguous matrix of unit vectors per space (a strided scan of one space inside
// 576-float rows measured slower than scanning whole rows): a space's similarity is one scan;
// `blend` is Σ_s w_s · cos_s, three scans summed. vec0 cannot weight three columns in one KNN;
// a fourth 576-d vec0 column costs ~2.5× this (bench), and vec0's own per-space KNN 2–3× more
// per uncached request on Chinook.
//
// The copy follows every process's writes through vector_changes (migrations/008): before each
// query one point read compares revisions, and the tracks changed since are re-read one by one.
// A build, an import or a reader too far behind reloads everything (~0.1 s for Chinook).
import { type Db, releaseMappedPages, type Stmt } from '../db/index.ts';
import { Int16DotMatrix } from './dot-kernel.ts';
import { COLUMN, DIMS, SPACES, type Space } from './spaces.ts';
import { fromBlob, type VectorStore } from './store.ts';

/** Bytes per track in memory: the three spaces' unit vectors as int16, and a scale per space. */
export const SNAPSHOT_ROW_BYTES = SPACES.reduce((n, s) => n + DIMS[s] * 2 + 4, 0);
/** Room for tracks created after a load, so a new track does not cost a reload. */
const SPARE_ROWS = 256;
/** More changed tracks than this since the last look: reload rather than re-read each. */
const MAX_REPLAYED = 500;

/**
 * The k best rows by (score desc, id asc), best first, skipping free rows (id 0) and row `skip` (-1: none).
 * A min-heap of the k kept (its root the worst of them): most rows lose to the root in one
 * comparison, and a winner costs O(log k). Catalogs with many equal or rising scores made a
 * sorted insertion list cost O(k) per winner (100k tracks: 10 ms of a 1.6 ms scan).
 */
export function topK(scores: Float32Array, ids: Int32Array, used: number, skip: number, k: number): { id: number; similarity: number }[] {
  const heapRow = new Int32Array(k);
  const heapScore = new Float32Array(k);
  let size = 0;
  // a ranks below b: a lower score, or the same score and a larger id.
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) return;
      const r = l + 1;
      let child = l;
      if (r < size && worse(heapScore[r] as number, ids[heapRow[r] as number] as number, heapScore[l] as number, ids[heapRow[l] as number] as number))
        child = r;
      if (!worse(heapScore[child] as number, ids[heapRow[child] as number] as number, heapScore[at] as number, ids[heapRow[at] as number] as number)) return;
      [heapRow[at], heapRow[child]] = [heapRow[child] as number, heapRow[at] as number];
      [heapScore[at], heapScore[child]] = [heapScore[child] as number, heapScore[at] as number];
      at = child;
    }
  };
  for (let r = 0; r < used; r++) {
    const id = ids[r] as number;
    if (id === 0 || r === skip) continue;
    const s = scores[r] as number;
    if (size < k) {
      // Sift up.
      let at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(s, id, heapScore[parent] as number, ids[heapRow[parent] as number] as number)) break;
        heapRow[at] = heapRow[parent] as number;
        heapScore[at] = heapScore[parent] as number;
        at = parent;
      }
      heapRow[at] = r;
      heapScore[at] = s;
    } else if (worse(heapScore[0] as number, ids[heapRow[0] as number] as number, s, id)) {
      heapRow[0] = r;
      heapScore[0] = s;
      siftDown(0);
    }
  }
  const out = Array.from({ length: size }, (_, i) => ({ id: ids[heapRow[i] as number] as number, similarity: heapScore[i] as number }));
  return out.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
}

export type SpaceWeights = Partial<Record<Space, number>>;

interface Loaded {
  revision: number;
  matrices: Record<Space, Int16DotMatrix>;
  capacity: number;
  /** Track id per row; 0 for a free or deleted row. */
  ids: Int32Array;
  rowOf: Map<number, number>;
  used: number;
}

export class VectorSnapshot {
  private loaded: Loaded | null = null;
  /** The revision at which the catalog was found empty or over the cap: no need to count again until it changes. */
  private unusableAt: number | null = null;
  private readonly all: Stmt;

  constructor(
    private readonly db: Db,
    private readonly store: VectorStore,
    private readonly maxBytes: number,
  ) {
    this.all = db.prepare(`SELECT track_id, ${SPACES.map((s) => COLUMN[s]).join(', ')} FROM track_vectors`).raw(true);
  }

  /**
   * The k tracks with the highest Σ w_s · cos_s to a track (itself excluded), best first, ties
   * by id; [] for a track without vectors; null when the catalog is over the memory cap.
   */
  nearest(trackId: number, weights: SpaceWeights, k: number): { id: number; similarity: number }[] | null {
    const snap = this.current();
    if (!snap) return null;
    const row = snap.rowOf.get(trackId);
    if (row === undefined) return [];
    const asked = SPACES.filter((s) => (weights[s] ?? 0) !== 0);
    const scan = (s: Space) => {
      const m = snap.matrices[s];
      m.rowInto(row, m.query);
      return m.dots();
    };
    let scores: Float32Array;
    if (asked.length === 1) scores = scan(asked[0] as Space);
    else {
      scores = new Float32Array(snap.used);
      for (const s of asked) {
        const w = weights[s] as number;
        const part = scan(s);
        for (let r = 0; r < snap.used; r++) scores[r] = (scores[r] as number) + w * (part[r] as number);
      }
    }
    return topK(scores, snap.ids, snap.used, row, k);
  }

  /** What this process holds right now (without loading): tracks, bytes and the revision it is at. */
  held(): { tracks: number; bytes: number; revision: number } | null {
    const snap = this.loaded;
    return snap ? { tracks: snap.rowOf.size, bytes: snap.capacity * SNAPSHOT_ROW_BYTES, revision: snap.revision } : null;
  }

  /** Loads the copy now (at server start) rather than on the first request; null when over the cap or nothing is built. */
  warm(): { tracks: number; bytes: number; revision: number } | null {
    this.current();
    return this.held();
  }

  /** The copy at the store's current revision: as held, caught up change by change, or reloaded. */
  private current(): Loaded | null {
    if (this.maxBytes <= 0) return null;
    // The common case, nothing changed: one point read, no transaction.
    const seen = this.store.revision();
    if (this.loaded?.revision === seen) return this.loaded;
    if (!this.loaded && this.unusableAt === seen) return null;
    let reloaded = false;
    // Revision and rows read in one transaction describe the same state.
    const current = this.db.transaction(() => {
      const revision = this.store.revision();
      const snap = this.loaded;
      const changed = snap ? this.store.changesSince(snap.revision, MAX_REPLAYED) : null;
      if (snap && changed && this.replay(snap, changed)) {
        snap.revision = revision;
        return snap;
      }
      this.loaded = null; // the old copy can be collected before the new one is filled
      this.loaded = this.load(revision);
      this.unusableAt = this.loaded ? null : revision;
      reloaded = true;
      return this.loaded;
    })();
    // The full scan mapped every vector page of the file (~8 MiB on Chinook) that the copy now
    // answers for: without this they stayed in the process's RSS for good.
    if (reloaded) releaseMappedPages(this.db);
    return current;
  }

  /** Re-reads the changed tracks into their rows; false when a new track finds no free row. */
  private replay(snap: Loaded, changed: readonly number[]): boolean {
    for (const id of new Set(changed)) {
      const vectors = this.store.getAll(id);
      let row = snap.rowOf.get(id);
      if (!vectors) {
        if (row !== undefined) {
          snap.ids[row] = 0;
          snap.rowOf.delete(id);
        }
        continue;
      }
      if (row === undefined) {
        if (snap.used === snap.capacity) return false;
        row = snap.used++;
        snap.ids[row] = id;
        snap.rowOf.set(id, row);
      }
      this.fill(
        snap.matrices,
        row,
        SPACES.map((s) => vectors[s]),
      );
    }
    return true;
  }

  private load(revision: number): Loaded | null {
    const count = this.store.count();
    const capacity = count + SPARE_ROWS;
    if (count === 0 || capacity * SNAPSHOT_ROW_BYTES > this.maxBytes) return null;
    const matrices = Object.fromEntries(SPACES.map((s) => [s, new Int16DotMatrix(capacity, DIMS[s])])) as Record<Space, Int16DotMatrix>;
    const ids = new Int32Array(capacity);
    const rowOf = new Map<number, number>();
    let used = 0;
    for (const raw of this.all.iterate() as Iterable<[number, ...Buffer[]]>) {
      ids[used] = raw[0];
      rowOf.set(raw[0], used);
      this.fill(
        matrices,
        used,
        raw.slice(1).map((b) => fromBlob(b as Buffer)),
      );
      used++;
    }
    return { revision, matrices, capacity, ids, rowOf, used };
  }

  /** Writes a track's three vectors, each scaled to unit length, into a row. */
  private fill(matrices: Record<Space, Int16DotMatrix>, row: number, vectors: Float32Array[]): void {
    SPACES.forEach((s, i) => {
      const v = vectors[i] as Float32Array;
      let norm = 0;
      for (let j = 0; j < v.length; j++) norm += (v[j] as number) ** 2;
      // A zero placeholder stays zero: it adds nothing to any similarity, as cosine() treats it.
      const f = norm === 0 ? 0 : 1 / Math.sqrt(norm);
      matrices[s].setRow(
        row,
        v.map((x) => x * f),
      );
    });
  }

  /**
   * A weighted set of tracks (a playlist, a listening profile) against the catalog: for each
   * asked space, Σ_i w_i · cos(track_i, t) is one scan of the summed query, whatever the number
   * of tracks. Returns the union of each space's top k (`skip` and the seeds left out) with its
   * score in every asked space (from the int16 rows: see the top of this file); null over the cap.
   */
  profile(
    seeds: readonly { id: number; weight: number }[],
    spaces: readonly Space[],
    k: number,
    skip: ReadonlySet<number>,
  ): { id: number; scores: number[] }[] | null {
    const snap = this.current();
    if (!snap) return null;
    const rows = seeds.flatMap((s) => {
      const row = snap.rowOf.get(s.id);
      return row === undefined ? [] : [[row, s.weight] as const];
    });
    if (rows.length === 0) return [];
    const skipped = new Uint8Array(snap.used);
    for (const [row] of rows) skipped[row] = 1;
    for (const id of skip) {
      const row = snap.rowOf.get(id);
      if (row !== undefined) skipped[row] = 1;
    }
    const scores = spaces.map((s) => {
      const m = snap.matrices[s];
      const d = DIMS[s];
      m.query.fill(0);
      for (const [row, w] of rows) {
        const ws = w * (m.scales[row] as number);
        for (let j = 0; j < d; j++) m.query[j] = (m.query[j] as number) + ws * (m.rows[row * d + j] as number);
      }
      const out = m.dots().slice(0, snap.used);
      for (let r = 0; r < snap.used; r++) if (skipped[r]) out[r] = Number.NEGATIVE_INFINITY;
      return out;
    });
    const candidates = new Set<number>();
    for (const sc of scores) for (const n of topK(sc, snap.ids, snap.used, -1, k)) if (n.similarity > Number.NEGATIVE_INFINITY) candidates.add(n.id);
    return [...candidates].map((id) => {
      const row = snap.rowOf.get(id) as number;
      return { id, scores: scores.map((sc) => sc[row] as number) };
    });
  }

  /** cos(a_i, b_j) in one space, row-major (a.length × b.length; NaN for a track not held); null over the cap. */
  pairwise(a: readonly number[], b: readonly number[], space: Space): Float32Array | null {
    const snap = this.current();
    if (!snap) return null;
    const d = DIMS[space];
    const { rows: m, scales } = snap.matrices[space];
    const out = new Float32Array(a.length * b.length).fill(Number.NaN);
    const rowsB = b.map((y) => snap.rowOf.get(y) ?? -1);
    for (let i = 0; i < a.length; i++) {
      const ra = snap.rowOf.get(a[i] as number);
      if (ra === undefined) continue;
      const oa = ra * d;
      for (let j = 0; j < b.length; j++) {
        const rb = rowsB[j] as number;
        if (rb < 0) continue;
        const ob = rb * d;
        // Integer products summed in a double are exact (384 · 32767² < 2⁵³); the scales once.
        let dot = 0;
        for (let t = 0; t < d; t++) dot += (m[oa + t] as number) * (m[ob + t] as number);
        out[i * b.length + j] = dot * (scales[ra] as number) * (scales[rb] as number);
      }
    }
    return out;
  }
}
