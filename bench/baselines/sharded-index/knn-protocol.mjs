// Layout of the shared control words between vector-index.ts and knn-worker.mjs (plain JS, so
// the worker imports it without a TypeScript loader).
export const STATE = 0; // 0 idle, 1 request, 2 done, 3 failed, 9 stop
export const OP = 1; // 1 exact (float, l2), 2 coarse (bits, hamming)
export const SPACE = 2;
export const K = 3;
export const SHARD_FROM = 4;
export const SHARD_STEP = 5;
export const SHARD_COUNT = 6;
export const RESULTS = 7;
export const READY = 8;
export const BYTES = 9; // length of the query in the query buffer: float32s (op 1) or packed bits (op 2)
