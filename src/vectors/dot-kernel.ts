// Row-major matrices in WebAssembly memory (f32, or int16 with a scale per row), scored against
// one query at a time by the SIMD kernels in dot-kernel.wat (4 multiply-adds per instruction;
// see that file for why).
import { DOT_KERNEL_WASM } from './dot-kernel.wasm.ts';

const compiled = new WebAssembly.Module(Buffer.from(DOT_KERNEL_WASM, 'base64'));
const PAGE = 65_536;

/** The kernel's unit of work: dims are padded up to a multiple of this. */
export const DOT_LANES = 16;

/** A fresh instance of the kernel whose memory holds at least `bytes`, for rows of `dims`. */
function kernelWithMemory(dims: number, bytes: number): { buffer: ArrayBuffer; exports: WebAssembly.Exports } {
  if (dims <= 0 || dims % DOT_LANES !== 0) throw new RangeError(`dims must be a positive multiple of ${DOT_LANES}, got ${dims}`);
  const instance = new WebAssembly.Instance(compiled);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
  return { buffer: memory.buffer, exports: instance.exports };
}

export class DotMatrix {
  /** The matrix rows (fill them, then call `dots`). */
  readonly rows: Float32Array;
  /** Where the caller writes the query before `dots`. */
  readonly query: Float32Array;
  private readonly scores: Float32Array;
  private readonly run: (query: number, matrix: number, rows: number, dims: number, out: number) => void;
  private readonly offsets: { query: number; matrix: number; scores: number };

  constructor(
    readonly rowCount: number,
    readonly dims: number,
  ) {
    const queryBytes = dims * 4;
    const matrixBytes = rowCount * dims * 4;
    const { buffer, exports } = kernelWithMemory(dims, queryBytes + matrixBytes + rowCount * 4);
    this.offsets = { query: 0, matrix: queryBytes, scores: queryBytes + matrixBytes };
    this.query = new Float32Array(buffer, this.offsets.query, dims);
    this.rows = new Float32Array(buffer, this.offsets.matrix, rowCount * dims);
    this.scores = new Float32Array(buffer, this.offsets.scores, rowCount);
    this.run = exports.dots as typeof this.run;
  }

  /** Dot product of `query` with every row; the returned view is overwritten by the next call. */
  dots(): Float32Array {
    this.run(this.offsets.query, this.offsets.matrix, this.rowCount, this.dims, this.offsets.scores);
    return this.scores;
  }
}

/** The largest magnitude an int16 row holds: each row is scaled so its largest component is this. */
const I16_MAX = 32_767;

/**
 * A matrix of int16 rows, each with its own f32 scale (row ≈ scale · ints), scored against an
 * f32 query by `dots_i16`: half the bytes of `DotMatrix` (the in-memory copy of the vectors,
 * snapshot.ts). A row's ints are its components in steps of max|component| / 32767, rounded, and
 * its scale makes the stored row as long as the given one: a unit vector stays exactly unit
 * (so two copies of one vector still score 1), and only its direction moves, by at most
 * `directionError(v)` = √dims · max|v_j| / (32767 · |v|) (≤ √dims / 32767 whatever the vector:
 * 2.4e-4 / 3.5e-4 / 6.0e-4 for 64 / 128 / 384 dims; a dot product of two stored unit rows moves
 * by at most the sum of theirs).
 */
export class Int16DotMatrix {
  /** The quantized rows (write them with `setRow`). */
  readonly rows: Int16Array;
  /** Each row's scale: |row| / |ints| (0 for a zero row). */
  readonly scales: Float32Array;
  /** Where the caller writes the query before `dots`. */
  readonly query: Float32Array;
  private readonly scores: Float32Array;
  private readonly run: (query: number, matrix: number, rows: number, dims: number, scales: number, out: number) => void;
  private readonly offsets: { query: number; matrix: number; scales: number; scores: number };

  constructor(
    readonly rowCount: number,
    readonly dims: number,
  ) {
    const queryBytes = dims * 4;
    const matrixBytes = rowCount * dims * 2;
    const { buffer, exports } = kernelWithMemory(dims, queryBytes + matrixBytes + rowCount * 8);
    this.offsets = { query: 0, matrix: queryBytes, scales: queryBytes + matrixBytes, scores: queryBytes + matrixBytes + rowCount * 4 };
    this.query = new Float32Array(buffer, this.offsets.query, dims);
    this.rows = new Int16Array(buffer, this.offsets.matrix, rowCount * dims);
    this.scales = new Float32Array(buffer, this.offsets.scales, rowCount);
    this.scores = new Float32Array(buffer, this.offsets.scores, rowCount);
    this.run = exports.dots_i16 as typeof this.run;
  }

  /** The most `setRow` turns `v`'s direction (the length of the difference of the two unit vectors). */
  static directionError(v: ArrayLike<number>): number {
    let max = 0;
    let norm = 0;
    for (let j = 0; j < v.length; j++) {
      max = Math.max(max, Math.abs(v[j] as number));
      norm += (v[j] as number) ** 2;
    }
    return norm === 0 ? 0 : (Math.sqrt(v.length) * max) / (I16_MAX * Math.sqrt(norm));
  }

  /** Stores `v` (length `dims`) as row `row`. */
  setRow(row: number, v: ArrayLike<number>): void {
    let max = 0;
    let norm = 0;
    for (let j = 0; j < this.dims; j++) {
      max = Math.max(max, Math.abs(v[j] as number));
      norm += (v[j] as number) ** 2;
    }
    const at = row * this.dims;
    if (max === 0) {
      this.rows.fill(0, at, at + this.dims);
      this.scales[row] = 0;
      return;
    }
    const step = max / I16_MAX;
    let ints = 0;
    for (let j = 0; j < this.dims; j++) {
      const c = Math.max(-I16_MAX, Math.min(I16_MAX, Math.round((v[j] as number) / step)));
      this.rows[at + j] = c;
      ints += c * c;
    }
    this.scales[row] = Math.sqrt(norm / ints);
  }

  /** Row `row` as the f32 values it stands for (scale · ints), into `out`. */
  rowInto(row: number, out: Float32Array): Float32Array {
    const scale = this.scales[row] as number;
    const at = row * this.dims;
    for (let j = 0; j < this.dims; j++) out[j] = scale * (this.rows[at + j] as number);
    return out;
  }

  /** scale · (query · ints) for every row; the returned view is overwritten by the next call. */
  dots(): Float32Array {
    this.run(this.offsets.query, this.offsets.matrix, this.rowCount, this.dims, this.offsets.scales, this.offsets.scores);
    return this.scores;
  }
}
