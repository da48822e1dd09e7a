import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assembleDotKernel } from '../../scripts/build-wasm.ts';
import { DotMatrix, Int16DotMatrix } from '../../src/vectors/dot-kernel.ts';
import { DOT_KERNEL_WASM } from '../../src/vectors/dot-kernel.wasm.ts';

describe('SIMD dot-product kernel', () => {
  test('the committed module is what dot-kernel.wat assembles to', async () => {
    const assembled = Buffer.from(await assembleDotKernel());
    assert.ok(Buffer.from(DOT_KERNEL_WASM, 'base64').equals(assembled), 'run `npm run build:wasm` after editing dot-kernel.wat');
  });

  test('scores every row like a float64 dot product', () => {
    const float = fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.constantFrom(16, 64, 128, 576), fc.array(float, { minLength: 1 }), (rows, dims, seed) => {
        const m = new DotMatrix(rows, dims);
        // Fill from the drawn numbers, cycled, so every lane and row gets a different value.
        const at = (i: number) => (seed[i % seed.length] as number) + (i % 7) * 0.125;
        for (let i = 0; i < rows * dims; i++) m.rows[i] = at(i);
        for (let j = 0; j < dims; j++) m.query[j] = at(j * 3 + 1);
        const got = m.dots();
        assert.equal(got.length, rows);
        for (let r = 0; r < rows; r++) {
          let want = 0;
          let scale = 0;
          for (let j = 0; j < dims; j++) {
            want += (m.query[j] as number) * (m.rows[r * dims + j] as number);
            scale += Math.abs((m.query[j] as number) * (m.rows[r * dims + j] as number));
          }
          assert.ok(Math.abs((got[r] as number) - want) <= 1e-5 * (scale + 1), `row ${r}: ${got[r]} vs ${want}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('int16 rows: every score within the rounding bound of the float64 dot product of the originals', () => {
    const float = fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.constantFrom(16, 64, 128, 384), fc.array(float, { minLength: 1 }), (rows, dims, seed) => {
        const m = new Int16DotMatrix(rows, dims);
        const at = (i: number) => (seed[i % seed.length] as number) + (i % 7) * 0.125;
        const unit = (offset: number) => {
          const v = Array.from({ length: dims }, (_, j) => at(offset + j * 3 + 1));
          const n = Math.hypot(...v);
          return v.map((x) => (n === 0 ? 0 : x / n));
        };
        const originals = Array.from({ length: rows }, (_, r) => unit(r * dims));
        originals.forEach((v, r) => {
          m.setRow(r, v);
        });
        const q = unit(7);
        m.query.set(q);
        const got = m.dots();
        for (let r = 0; r < rows; r++) {
          const v = originals[r] as number[];
          const want = v.reduce((sum, x, j) => sum + x * (q[j] as number), 0);
          // The row's direction moves by at most directionError; the query is exact here; f32 sums.
          const bound = Int16DotMatrix.directionError(v) + 2e-6;
          assert.ok(Math.abs((got[r] as number) - want) <= bound, `row ${r}: ${got[r]} vs ${want} (bound ${bound})`);
          // A unit vector stays unit, so two copies of one vector score 1.
          const back = m.rowInto(r, new Float32Array(dims));
          if (v.some((x) => x !== 0)) assert.ok(Math.abs(Math.hypot(...back) - 1) < 1e-6);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('int16 rows: a zero row scores 0, and a row scored against itself scores 1', () => {
    const m = new Int16DotMatrix(2, 16);
    m.setRow(0, new Float32Array(16));
    const v = Float32Array.from({ length: 16 }, (_, j) => Math.sin(j + 1));
    const n = Math.hypot(...v);
    m.setRow(
      1,
      v.map((x) => x / n),
    );
    m.rowInto(1, m.query);
    const [zero, self] = m.dots();
    assert.equal(zero, 0);
    assert.ok(Math.abs((self as number) - 1) < 1e-6, `self ${self}`);
  });

  test('refuses dimensions the kernel cannot step through', () => {
    assert.throws(() => new DotMatrix(3, 100), /multiple of 16/);
    assert.throws(() => new DotMatrix(3, 0), /multiple of 16/);
    assert.throws(() => new Int16DotMatrix(3, 100), /multiple of 16/);
  });
});
