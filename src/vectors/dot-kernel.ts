// A row-major f32 matrix in WebAssembly memory, scored against one query at a time by the
// SIMD kernel in dot-kernel.wat (4 multiply-adds per instruction; see that file for why).
import { DOT_KERNEL_WASM } from './dot-kernel.wasm.ts';

const compiled = new WebAssembly.Module(Buffer.from(DOT_KERNEL_WASM, 'base64'));
const PAGE = 65_536;

/** The kernel's unit of work: dims are padded up to a multiple of this. */
export const DOT_LANES = 16;

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
    if (dims <= 0 || dims % DOT_LANES !== 0) throw new RangeError(`dims must be a positive multiple of ${DOT_LANES}, got ${dims}`);
    const queryBytes = dims * 4;
    const matrixBytes = rowCount * dims * 4;
    const instance = new WebAssembly.Instance(compiled);
    const memory = instance.exports.memory as WebAssembly.Memory;
    const needed = queryBytes + matrixBytes + rowCount * 4;
    const have = memory.buffer.byteLength;
    if (needed > have) memory.grow(Math.ceil((needed - have) / PAGE));
    this.offsets = { query: 0, matrix: queryBytes, scores: queryBytes + matrixBytes };
    this.query = new Float32Array(memory.buffer, this.offsets.query, dims);
    this.rows = new Float32Array(memory.buffer, this.offsets.matrix, rowCount * dims);
    this.scores = new Float32Array(memory.buffer, this.offsets.scores, rowCount);
    this.run = instance.exports.dots as typeof this.run;
  }

  /** Dot product of `query` with every row; the returned view is overwritten by the next call. */
  dots(): Float32Array {
    this.run(this.offsets.query, this.offsets.matrix, this.rowCount, this.dims, this.offsets.scores);
    return this.scores;
  }
}
