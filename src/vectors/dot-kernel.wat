;; Dot products of one query with every row of a row-major f32 matrix, four lanes at a time.
;; vec0 0.1.9's shipped build scores vectors in scalar loops; WebAssembly SIMD (Node 20 has
;; it on every x64 and arm64 CPU) does four multiply-adds per instruction, and four
;; independent accumulators keep the adds from waiting on each other.
;;
;; dots(query, matrix, rows, dims, out): out[r] = Σ_j query[j] · matrix[r·dims + j]
;; Pointers are byte offsets into the exported memory; dims must be a multiple of 16.
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
)
