// Linear algebra for the embedding providers: a sparse row matrix, a seeded Gaussian source
// and a randomized truncated SVD (Halko, Martinsson & Tropp 2011).
//
// ml-matrix does the eigen-decompositions (small l×l symmetric matrices). The big dense
// products are plain loops over Float64Array: measured on this machine, ml-matrix took 6.9 s
// for the QR of a 3503×394 matrix and 2.2 s for its Gram matrix, against ~0.3 s here, and the
// build must finish within seconds on first start.
import { createRequire } from 'node:module';
import type { Matrix } from 'ml-matrix';

const require = createRequire(import.meta.url);
let mlMatrix: typeof import('ml-matrix') | undefined;
/**
 * ml-matrix, loaded at first use: only a vector build decomposes, while every serving process
 * imports this file for `cosine` and `normalized`. Its 153 KB of source sat in each worker's
 * V8 heap as a 0.3 MiB string (a heap snapshot of a server after load, 2026-12-01).
 */
const ml = () => (mlMatrix ??= require('ml-matrix') as typeof import('ml-matrix'));

/** Deterministic 32-bit PRNG (mulberry32). Our own, seeded, so every build is bit-for-bit the same. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from a seeded uniform source (Box–Muller). */
export function seededGaussian(seed: number): () => number {
  const uniform = seededRandom(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Rows of (column, value) pairs; columns are dense indices 0..cols-1. */
export interface SparseRows {
  cols: number;
  rows: { idx: Int32Array; val: Float64Array }[];
}

/** Dense row-major matrix. */
export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array;
}

const dense = (rows: number, cols: number): Dense => ({ rows, cols, data: new Float64Array(rows * cols) });

/** A (n×m sparse) · X (m×l dense) → n×l. */
function sparseTimes(a: SparseRows, x: Dense): Dense {
  const l = x.cols;
  const out = dense(a.rows.length, l);
  const od = out.data;
  const xd = x.data;
  a.rows.forEach((row, i) => {
    const o = i * l;
    for (let p = 0; p < row.idx.length; p++) {
      const v = row.val[p] as number;
      const xo = (row.idx[p] as number) * l;
      for (let c = 0; c < l; c++) od[o + c] = (od[o + c] as number) + v * (xd[xo + c] as number);
    }
  });
  return out;
}

/** Aᵀ (m×n) · Y (n×l dense) → m×l. */
function sparseTransposeTimes(a: SparseRows, y: Dense): Dense {
  const l = y.cols;
  const out = dense(a.cols, l);
  const od = out.data;
  const yd = y.data;
  a.rows.forEach((row, i) => {
    const yo = i * l;
    for (let p = 0; p < row.idx.length; p++) {
      const v = row.val[p] as number;
      const o = (row.idx[p] as number) * l;
      for (let c = 0; c < l; c++) od[o + c] = (od[o + c] as number) + v * (yd[yo + c] as number);
    }
  });
  return out;
}

/** Xᵀ X (l×l), symmetric. */
function gram(x: Dense): Matrix {
  const l = x.cols;
  const g = new Float64Array(l * l);
  const xd = x.data;
  for (let r = 0; r < x.rows; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const xi = xd[o + i] as number;
      if (xi === 0) continue;
      const gi = i * l;
      for (let j = i; j < l; j++) g[gi + j] = (g[gi + j] as number) + xi * (xd[o + j] as number);
    }
  }
  const m = new (ml().Matrix)(l, l);
  for (let i = 0; i < l; i++) for (let j = i; j < l; j++) m.set(i, j, g[i * l + j] as number).set(j, i, g[i * l + j] as number);
  return m;
}

/** X (r×l) · W (l×k, ml-matrix) scaled per column → r×k. */
function timesScaled(x: Dense, w: Matrix, scale: Float64Array): Dense {
  const l = x.cols;
  const k = scale.length;
  const wf = new Float64Array(l * k);
  for (let i = 0; i < l; i++) for (let j = 0; j < k; j++) wf[i * k + j] = w.get(i, j) * (scale[j] as number);
  const out = dense(x.rows, k);
  const xd = x.data;
  const od = out.data;
  for (let r = 0; r < x.rows; r++) {
    const xo = r * l;
    const oo = r * k;
    for (let i = 0; i < l; i++) {
      const xi = xd[xo + i] as number;
      if (xi === 0) continue;
      const wo = i * k;
      for (let j = 0; j < k; j++) od[oo + j] = (od[oo + j] as number) + xi * (wf[wo + j] as number);
    }
  }
  return out;
}

/** Eigenpairs of a symmetric matrix, largest first. */
function eigenDesc(m: Matrix): { values: Float64Array; vectors: Matrix } {
  const e = new (ml().EigenvalueDecomposition)(m, { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const order = vals.map((_, i) => i).sort((a, b) => (vals[b] as number) - (vals[a] as number) || a - b);
  const vectors = new (ml().Matrix)(m.rows, m.columns);
  const values = new Float64Array(order.length);
  order.forEach((src, dst) => {
    values[dst] = Math.max(0, vals[src] as number);
    for (let r = 0; r < m.rows; r++) vectors.set(r, dst, e.eigenvectorMatrix.get(r, src));
  });
  return { values, vectors };
}

/** An orthonormal basis of Y's columns (Q = Y V Λ^-1/2 from the eigenpairs of YᵀY). */
function orthonormalize(y: Dense): Dense {
  const { values, vectors } = eigenDesc(gram(y));
  const tol = (values[0] ?? 0) * 1e-12;
  const scale = values.map((v) => (v > tol ? 1 / Math.sqrt(v) : 0));
  return timesScaled(y, vectors, scale);
}

export interface TruncatedSvd {
  /** Right singular vectors scaled by 1/σ (m×k), so a row's coordinates are row · basis = u·σ. */
  basis: Dense;
  singularValues: Float64Array;
}

/**
 * Randomized truncated SVD of a sparse matrix (oversampling 8). Returns the basis
 * that maps a (new or fitted) sparse row to its k coordinates (u·σ), which is also how
 * rows outside the fitted sample are folded in.
 */
export function truncatedSvd(a: SparseRows, k: number, seed: number): TruncatedSvd {
  const l = Math.max(1, Math.min(k + 8, a.rows.length, a.cols));
  const gauss = seededGaussian(seed);
  const omega = dense(a.cols, l);
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = gauss();
  // No power iteration: it would cost another ~40% of the build for a sharper tail of the
  // spectrum, and the spaces keep all k coordinates anyway.
  const q = orthonormalize(sparseTimes(a, omega));
  const bt = sparseTransposeTimes(a, q); // m×l = (Qᵀ A)ᵀ
  const { values, vectors } = eigenDesc(gram(bt));
  const kk = Math.min(k, l);
  const sigma = new Float64Array(k);
  const scale = new Float64Array(kk);
  const tol = (values[0] ?? 0) * 1e-12;
  for (let j = 0; j < kk; j++) {
    const v = values[j] as number;
    sigma[j] = v > tol ? Math.sqrt(v) : 0;
    // V = Bᵀ W Σ⁻¹ and row coordinates are row·V = u·σ.
    scale[j] = v > tol ? 1 / v ** 0.5 : 0;
  }
  const basisK = timesScaled(bt, vectors.subMatrix(0, l - 1, 0, kk - 1), scale);
  // Pad to k columns when the data has lower rank than the space (tiny catalogs).
  const basis = dense(a.cols, k);
  for (let r = 0; r < a.cols; r++) for (let j = 0; j < kk; j++) basis.data[r * k + j] = basisK.data[r * kk + j] as number;
  return { basis, singularValues: sigma };
}

/** Coordinates of one sparse row in a fitted basis. */
export function project(idx: Int32Array, val: Float64Array, basis: Dense, out: Float64Array): Float64Array {
  const k = basis.cols;
  out.fill(0);
  for (let p = 0; p < idx.length; p++) {
    const v = val[p] as number;
    const o = (idx[p] as number) * k;
    for (let j = 0; j < k; j++) out[j] = (out[j] as number) + v * (basis.data[o + j] as number);
  }
  return out;
}

/** L2-normalised float32 copy; a zero vector stays zero. */
export function normalized(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  const out = new Float32Array(v.length);
  if (s === 0) return out;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * inv;
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    d += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : d / Math.sqrt(na * nb);
}

/**
 * A sparse random projection (Achlioptas / Li et al.): each input column maps to `perColumn`
 * output coordinates with random signs, drawn from our seeded PRNG in column order.
 * Cosines of TF-IDF rows are preserved in expectation (Johnson–Lindenstrauss).
 */
export interface SparseProjection {
  k: number;
  perColumn: number;
  targets: Int32Array;
  signs: Float32Array;
}

export function sparseProjection(cols: number, k: number, perColumn: number, seed: number): SparseProjection {
  const rand = seededRandom(seed);
  const targets = new Int32Array(cols * perColumn);
  const signs = new Float32Array(cols * perColumn);
  const scale = 1 / Math.sqrt(perColumn);
  const used = new Uint8Array(k);
  for (let c = 0; c < cols; c++) {
    const o = c * perColumn;
    for (let j = 0; j < perColumn; j++) {
      let t = Math.floor(rand() * k);
      while (used[t]) t = (t + 1) % k;
      used[t] = 1;
      targets[o + j] = t;
      signs[o + j] = rand() < 0.5 ? -scale : scale;
    }
    for (let j = 0; j < perColumn; j++) used[targets[o + j] as number] = 0;
  }
  return { k, perColumn, targets, signs };
}

export function projectSparse(idx: Int32Array, val: Float64Array, p: SparseProjection, out: Float64Array): Float64Array {
  out.fill(0);
  for (let i = 0; i < idx.length; i++) {
    const v = val[i] as number;
    const o = (idx[i] as number) * p.perColumn;
    for (let j = 0; j < p.perColumn; j++) {
      const t = p.targets[o + j] as number;
      out[t] = (out[t] as number) + v * (p.signs[o + j] as number);
    }
  }
  return out;
}
