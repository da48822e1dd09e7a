import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assembleDotKernel } from '../../scripts/build-wasm.ts';
import { DotMatrix } from '../../src/vectors/dot-kernel.ts';
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

  test('refuses dimensions the kernel cannot step through', () => {
    assert.throws(() => new DotMatrix(3, 100), /multiple of 16/);
    assert.throws(() => new DotMatrix(3, 0), /multiple of 16/);
  });
});
