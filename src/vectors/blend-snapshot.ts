// Exact `blend` neighbours from an in-memory copy of every track's unit vectors.
//
// blend(a, b) = Σ_s w_s · cos_s(a, b). Scale each space's unit vector by √w_s and put the
// three side by side (576 floats): the dot product of two such rows is exactly that sum, so
// one scan of one matrix ranks the whole catalog by blend. vec0 cannot weight three columns
// in one KNN; a fourth 576-d vec0 column was measured at 1.6–1.8 ms on Chinook (its scalar
// distance loop), this SIMD scan at ~0.15 ms. The copy is per process and bounded
// (blendMemoryMiB): larger catalogs get null and the service re-scores candidates instead.
import type { Db, Stmt } from '../db/connection.ts';
import { DotMatrix } from './dot-kernel.ts';
import { COLUMN, DIMS, SPACES, type Space } from './spaces.ts';
import { fromBlob, type VectorStore } from './store.ts';

const ROW_DIMS = SPACES.reduce((n, s) => n + DIMS[s], 0);
/** Bytes per track in memory: one f32 row of the three spaces side by side. */
export const BLEND_ROW_BYTES = ROW_DIMS * 4;

interface Loaded {
  revision: number;
  ids: Int32Array;
  rowOf: Map<number, number>;
  matrix: DotMatrix;
}

export class BlendSnapshot {
  private loaded: Loaded | null = null;
  private readonly all: Stmt;
  private readonly scale: Record<Space, number>;

  constructor(
    private readonly db: Db,
    private readonly store: VectorStore,
    weights: Record<Space, number>,
    private readonly maxBytes: number,
  ) {
    const total = SPACES.reduce((n, s) => n + weights[s], 0);
    this.scale = Object.fromEntries(SPACES.map((s) => [s, Math.sqrt(weights[s] / total)])) as Record<Space, number>;
    this.all = db.prepare(`SELECT track_id, ${SPACES.map((s) => COLUMN[s]).join(', ')} FROM track_vectors`).raw(true);
  }

  /** The k tracks with the highest blend similarity (source excluded), or null when the catalog is over the memory cap. */
  nearest(trackId: number, k: number): { id: number; similarity: number }[] | null {
    const snap = this.current();
    if (!snap) return null;
    const row = snap.rowOf.get(trackId);
    if (row === undefined) return [];
    const { matrix, ids } = snap;
    matrix.query.set(matrix.rows.subarray(row * ROW_DIMS, (row + 1) * ROW_DIMS));
    const scores = matrix.dots();
    // Top k by (score desc, id asc), kept sorted best first; most rows fail the first comparison.
    const topRow: number[] = [];
    const topScore: number[] = [];
    for (let r = 0; r < scores.length; r++) {
      if (r === row) continue;
      const s = scores[r] as number;
      const id = ids[r] as number;
      if (topRow.length === k) {
        const ws = topScore[k - 1] as number;
        if (s < ws || (s === ws && id > (ids[topRow[k - 1] as number] as number))) continue;
        topRow.pop();
        topScore.pop();
      }
      let at = topRow.length;
      while (at > 0) {
        const ps = topScore[at - 1] as number;
        if (ps > s || (ps === s && (ids[topRow[at - 1] as number] as number) < id)) break;
        at--;
      }
      topRow.splice(at, 0, r);
      topScore.splice(at, 0, s);
    }
    return topRow.map((r, i) => ({ id: ids[r] as number, similarity: topScore[i] as number }));
  }

  /** What this process holds right now (without loading): tracks, bytes and the revision it was read at. */
  held(): { tracks: number; bytes: number; revision: number } | null {
    const snap = this.loaded;
    return snap ? { tracks: snap.ids.length, bytes: snap.ids.length * BLEND_ROW_BYTES, revision: snap.revision } : null;
  }

  /** Loads the copy now (at server start) rather than on the first blend request; what it holds, or null over the cap. */
  warm(): { tracks: number; bytes: number } | null {
    const snap = this.current();
    return snap ? { tracks: snap.ids.length, bytes: snap.ids.length * BLEND_ROW_BYTES } : null;
  }

  /** The snapshot for the store's current revision, (re)loaded when another write happened; null over the cap. */
  private current(): Loaded | null {
    const revision = this.store.revision();
    if (this.loaded?.revision === revision) return this.loaded;
    this.loaded = null;
    // Revision and rows in one read transaction: they describe the same state.
    this.loaded = this.db.transaction(() => this.load())();
    return this.loaded;
  }

  private load(): Loaded | null {
    const revision = this.store.revision();
    const count = this.store.count();
    if (count === 0 || count * BLEND_ROW_BYTES > this.maxBytes) return null;
    const matrix = new DotMatrix(count, ROW_DIMS);
    const ids = new Int32Array(count);
    const rowOf = new Map<number, number>();
    let r = 0;
    for (const raw of this.all.iterate() as Iterable<[number, ...Buffer[]]>) {
      const id = raw[0];
      ids[r] = id;
      rowOf.set(id, r);
      let offset = r * ROW_DIMS;
      SPACES.forEach((s, i) => {
        const v = fromBlob(raw[i + 1] as Buffer);
        let norm = 0;
        for (let j = 0; j < v.length; j++) norm += (v[j] as number) ** 2;
        // A zero placeholder stays zero: it adds nothing to any blend, as cosine() treats it.
        const f = norm === 0 ? 0 : this.scale[s] / Math.sqrt(norm);
        for (let j = 0; j < v.length; j++) matrix.rows[offset + j] = (v[j] as number) * f;
        offset += DIMS[s];
      });
      r++;
    }
    return { revision, ids, rowOf, matrix };
  }
}
