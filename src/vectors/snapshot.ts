// Nearest tracks from an in-memory copy of every track's unit vectors, scanned by a
// WebAssembly SIMD kernel: for catalogs that fit the memory cap (vectorMemoryMiB per process;
// Chinook needs 7.7 MiB), the fastest exact answer for every space and for `blend`.
//
// Each row holds the three spaces' unit vectors side by side (576 floats). A query row of
// w_s-scaled unit vectors gives dot = Σ_s w_s · cos_s: one space is w = 1 for it and 0 for
// the others, `blend` is the blend weights. vec0 cannot weight three columns in one KNN; a
// fourth 576-d vec0 column costs 5–7× this scan (bench), and vec0's own per-space KNN 3–10×.
//
// The copy follows every process's writes through vector_changes (migrations/008): before each
// query one point read compares revisions, and the tracks changed since are re-read one by one.
// A build, an import or a reader too far behind reloads everything (~0.1 s for Chinook).
import type { Db, Stmt } from '../db/connection.ts';
import { DotMatrix } from './dot-kernel.ts';
import { COLUMN, DIMS, SPACES, type Space } from './spaces.ts';
import { fromBlob, type VectorStore } from './store.ts';

const ROW_DIMS = SPACES.reduce((n, s) => n + DIMS[s], 0);
/** Bytes per track in memory: one f32 row of the three spaces side by side. */
export const SNAPSHOT_ROW_BYTES = ROW_DIMS * 4;
const OFFSET = Object.fromEntries(SPACES.map((s, i) => [s, SPACES.slice(0, i).reduce((n, p) => n + DIMS[p], 0)])) as Record<Space, number>;
/** Room for tracks created after a load, so a new track does not cost a reload. */
const SPARE_ROWS = 256;
/** More changed tracks than this since the last look: reload rather than re-read each. */
const MAX_REPLAYED = 500;

export type SpaceWeights = Partial<Record<Space, number>>;

interface Loaded {
  revision: number;
  matrix: DotMatrix;
  /** Track id per row; 0 for a free or deleted row. */
  ids: Int32Array;
  rowOf: Map<number, number>;
  used: number;
}

export class VectorSnapshot {
  private loaded: Loaded | null = null;
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
    const { matrix, ids } = snap;
    const source = matrix.rows.subarray(row * ROW_DIMS, (row + 1) * ROW_DIMS);
    const asked = SPACES.filter((s) => (weights[s] ?? 0) !== 0);
    for (const s of asked) {
      const w = weights[s] as number;
      for (let j = OFFSET[s]; j < OFFSET[s] + DIMS[s]; j++) matrix.query[j] = w * (source[j] as number);
    }
    // One space: scan only its columns (a space's block is 16-aligned: 0, 128, 512).
    const only = asked.length === 1 ? (asked[0] as Space) : null;
    if (!only) for (const s of SPACES) if (!asked.includes(s)) matrix.query.fill(0, OFFSET[s], OFFSET[s] + DIMS[s]);
    const scores = only ? matrix.dots(OFFSET[only], DIMS[only]) : matrix.dots();
    // Top k by (score desc, id asc), kept sorted best first; most rows fail the first comparison.
    const top: number[] = [];
    const topScore: number[] = [];
    for (let r = 0; r < snap.used; r++) {
      const id = ids[r] as number;
      if (id === 0 || r === row) continue;
      const s = scores[r] as number;
      if (top.length === k) {
        const ws = topScore[k - 1] as number;
        if (s < ws || (s === ws && id > (ids[top[k - 1] as number] as number))) continue;
        top.pop();
        topScore.pop();
      }
      let at = top.length;
      while (at > 0) {
        const ps = topScore[at - 1] as number;
        if (ps > s || (ps === s && (ids[top[at - 1] as number] as number) < id)) break;
        at--;
      }
      top.splice(at, 0, r);
      topScore.splice(at, 0, s);
    }
    return top.map((r, i) => ({ id: ids[r] as number, similarity: topScore[i] as number }));
  }

  /** What this process holds right now (without loading): tracks, bytes and the revision it is at. */
  held(): { tracks: number; bytes: number; revision: number } | null {
    const snap = this.loaded;
    return snap ? { tracks: snap.rowOf.size, bytes: snap.matrix.rowCount * SNAPSHOT_ROW_BYTES, revision: snap.revision } : null;
  }

  /** Loads the copy now (at server start) rather than on the first request; null when over the cap or nothing is built. */
  warm(): { tracks: number; bytes: number; revision: number } | null {
    this.current();
    return this.held();
  }

  /** The copy at the store's current revision: as held, caught up change by change, or reloaded. */
  private current(): Loaded | null {
    // Revision and rows read in one transaction describe the same state.
    return this.db.transaction(() => {
      const revision = this.store.revision();
      const snap = this.loaded;
      if (snap?.revision === revision) return snap;
      const changed = snap ? this.store.changesSince(snap.revision, MAX_REPLAYED) : null;
      if (snap && changed && this.replay(snap, changed)) {
        snap.revision = revision;
        return snap;
      }
      this.loaded = null; // the old copy can be collected before the new one is filled
      this.loaded = this.load(revision);
      return this.loaded;
    })();
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
        if (snap.used === snap.matrix.rowCount) return false;
        row = snap.used++;
        snap.ids[row] = id;
        snap.rowOf.set(id, row);
      }
      this.fill(
        snap.matrix,
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
    const matrix = new DotMatrix(capacity, ROW_DIMS);
    const ids = new Int32Array(capacity);
    const rowOf = new Map<number, number>();
    let used = 0;
    for (const raw of this.all.iterate() as Iterable<[number, ...Buffer[]]>) {
      ids[used] = raw[0];
      rowOf.set(raw[0], used);
      this.fill(
        matrix,
        used,
        raw.slice(1).map((b) => fromBlob(b as Buffer)),
      );
      used++;
    }
    return { revision, matrix, ids, rowOf, used };
  }

  /** Writes a track's three vectors, each scaled to unit length, into a row. */
  private fill(matrix: DotMatrix, row: number, vectors: Float32Array[]): void {
    SPACES.forEach((s, i) => {
      const v = vectors[i] as Float32Array;
      let norm = 0;
      for (let j = 0; j < v.length; j++) norm += (v[j] as number) ** 2;
      // A zero placeholder stays zero: it adds nothing to any similarity, as cosine() treats it.
      const f = norm === 0 ? 0 : 1 / Math.sqrt(norm);
      const at = row * ROW_DIMS + OFFSET[s];
      for (let j = 0; j < v.length; j++) matrix.rows[at + j] = (v[j] as number) * f;
    });
  }
}
