;; Dot products of one query with every row of a row-major f32 matrix, four lanes at a time.
;; vec0 0.1.9's shipped build scores vectors in scalar loops; WebAssembly SIMD (Node 20 has
;; it on every x64 and arm64 CPU) does four multiply-adds per instruction, and four
;; independent accumulators keep the adds from waiting on each other.
;;
;; dots(query, matrix, rows, dims, out): out[r] = Σ_j query[j] · matrix[r·dims + j]
;; Pointers are byte offsets into the exported memory; dims must be a multiple of 16.
;;
;; dots_i16(query, matrix, rows, dims, scales, out): out[r] = scales[r] · Σ_j query[j] · matrix[r·dims + j]
;; for a matrix of int16 (the in-memory copy of the vectors, snapshot.ts: half the bytes of f32).
;; Each 16 lanes are two 8 × i16 loads, widened to i32 and converted to f32 (exact: |m| ≤ 32767),
;; then the same four-accumulator multiply-adds as `dots`.
;;
;; Source of src/vectors/dot-kernel.wasm.ts: edit here, then `npm run build:wasm`.
(module
  (memory (export "memory") 1)
  (func (export "dots") (param $query i32) (param $matrix i32) (param $rows i32) (param $dims i32) (param $out i32)
    (local $r i32) (local $j i32) (local $row i32) (local $bytes i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $bytes (i32.shl (local.get $dims) (i32.const 2)))
    (local.set $row (local.get $matrix))
    (block $done
      (loop $each_row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (loop $sixteen_at_a_time
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (v128.load (i32.add (local.get $query) (local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j))))))
          (local.set $a1 (f32x4.add (local.get $a1)
            (f32x4.mul (v128.load offset=16 (i32.add (local.get $query) (local.get $j))) (v128.load offset=16 (i32.add (local.get $row) (local.get $j))))))
          (local.set $a2 (f32x4.add (local.get $a2)
            (f32x4.mul (v128.load offset=32 (i32.add (local.get $query) (local.get $j))) (v128.load offset=32 (i32.add (local.get $row) (local.get $j))))))
          (local.set $a3 (f32x4.add (local.get $a3)
            (f32x4.mul (v128.load offset=48 (i32.add (local.get $query) (local.get $j))) (v128.load offset=48 (i32.add (local.get $row) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 64)))
          (br_if $sixteen_at_a_time (i32.lt_u (local.get $j) (local.get $bytes))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
                   (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each_row))))
  (func (export "dots_i16") (param $query i32) (param $matrix i32) (param $rows i32) (param $dims i32) (param $scales i32) (param $out i32)
    (local $r i32) (local $j i32) (local $q i32) (local $row i32) (local $bytes i32) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $bytes (i32.shl (local.get $dims) (i32.const 1)))
    (local.set $row (local.get $matrix))
    (block $done
      (loop $each_row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (local.set $q (local.get $query))
        (loop $sixteen_at_a_time
          (local.set $v (v128.load (i32.add (local.get $row) (local.get $j))))
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (v128.load (local.get $q)) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $v))))))
          (local.set $a1 (f32x4.add (local.get $a1)
            (f32x4.mul (v128.load offset=16 (local.get $q)) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $v))))))
          (local.set $v (v128.load offset=16 (i32.add (local.get $row) (local.get $j))))
          (local.set $a2 (f32x4.add (local.get $a2)
            (f32x4.mul (v128.load offset=32 (local.get $q)) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $v))))))
          (local.set $a3 (f32x4.add (local.get $a3)
            (f32x4.mul (v128.load offset=48 (local.get $q)) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $v))))))
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br_if $sixteen_at_a_time (i32.lt_u (local.get $j) (local.get $bytes))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.mul (f32.load (i32.add (local.get $scales) (i32.shl (local.get $r) (i32.const 2))))
            (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
                     (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0))))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each_row))))
)
