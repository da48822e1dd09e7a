import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { seededGaussian } from '../../src/vectors/linalg.ts';
import { bitCount, ROTATIONS, signEncoder } from '../../src/vectors/sign-bits.ts';
import { DIMS, SPACES } from '../../src/vectors/spaces.ts';

const gaussianVector = (seed: number, d: number) => {
  const g = seededGaussian(seed);
  return Float32Array.from({ length: d }, () => g());
};
const popcount = (b: Buffer) => [...b].reduce((n, x) => n + x.toString(2).replaceAll('0', '').length, 0);

test('the first d bits are the signs vec_quantize_binary takes; the rotated bits follow', () => {
  const db = new Database(':memory:');
  sqliteVec.load(db);
  try {
    for (const space of SPACES) {
      const d = DIMS[space];
      const v = gaussianVector(7, d);
      const bits = signEncoder(space)(v);
      assert.equal(bits.length * 8, bitCount(space));
      assert.equal(bitCount(space), d * (1 + ROTATIONS[space]));
      const sql = db.prepare('SELECT vec_quantize_binary(?)').pluck().get(Buffer.from(v.buffer)) as Buffer;
      assert.deepEqual(bits.subarray(0, d / 8), sql, space);
    }
  } finally {
    db.close();
  }
  assert.equal(ROTATIONS.audio, 1, 'audio carries one rotation (256 bits)');
});

test('the bits are deterministic: fresh encoders agree, and the audio encoding is pinned', () => {
  const v = gaussianVector(11, DIMS.audio);
  const a = signEncoder('audio')(v);
  assert.deepEqual(signEncoder('audio')(v), a);
  // A changed seed or rotation would silently invalidate every stored index (its rows would no
  // longer match the query's bits): it must fail here, together with a layout change in vector-index.ts.
  assert.equal(a.toString('hex'), PINNED_AUDIO);
});

test('the rotated bits behave as random hyperplanes: same vector 0 apart, opposite vector all apart, others in between', () => {
  const encode = signEncoder('audio');
  const d = DIMS.audio;
  const v = gaussianVector(3, d);
  const rotated = (x: Float32Array) => encode(x).subarray(d / 8);
  assert.equal(popcount(Buffer.from(rotated(v).map((x, i) => x ^ (rotated(v)[i] as number)))), 0);
  const neg = v.map((x) => -x);
  assert.equal(popcount(Buffer.from(rotated(v).map((x, i) => x ^ (rotated(neg)[i] as number)))), d);
  // A near copy differs in few rotated bits, an independent vector in about half.
  const noise = gaussianVector(5, d);
  const near = v.map((x, i) => x + 0.05 * (noise[i] as number));
  const other = gaussianVector(9, d);
  const hamming = (x: Float32Array) => popcount(Buffer.from(rotated(v).map((b, i) => b ^ (rotated(x)[i] as number))));
  assert.ok(hamming(near) < 16, `near copy ${hamming(near)}`);
  assert.ok(hamming(other) > 40 && hamming(other) < 88, `independent ${hamming(other)}`);
  // Not a copy of the plain signs.
  assert.notDeepEqual(rotated(v), encode(v).subarray(0, d / 8));
});

const PINNED_AUDIO = '00c63ac52d77f028d11849ce84348a2e7c92922ec2974c8c6a1f599d115b4629';
