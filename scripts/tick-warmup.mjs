// The first import of scripts/start.mjs, so it runs before anything else in a serving process
// (the cluster's workers run start.mjs too): 20,000 `process.nextTick` calls from one site, in
// 40 batches each drained before the next, so V8 optimizes nextTick while every tick object
// it has built has one shape.
//
// Why: an HTTP request queues ~9 ticks in Node's own streams (endReadable, emitReadable,
// onwrite, resume). Without this, the server's start-up (module loading, SQLite, worker
// threads, the cache preload) left the inline caches that nextTick uses to build its tick
// object MEGAMORPHIC (V8's feedback, read with %DebugPrint(process.nextTick) 4 s after start;
// bare Fastify's stay MONOMORPHIC), and the optimized nextTick then defined each field of each
// tick object through the runtime (Runtime_DefineKeyedOwnPropertyInLiteral): 8.5–11.9 % of the
// server's CPU on /health under `perf record` in 9 of 10 runs (2026-12-01), 0.0 % after this.
// - 500 or 2,000 calls were too few: start-up code reached nextTick before it was optimized.
// - One synchronous loop of 20,000 fixed the caches but kept 20,000 tick objects alive past a
//   young-generation GC; they went to the old generation and V8 then marked it without pause
//   (concurrent marking and sweeping 14–20 % of the CPU, CPU per request 1.3–1.9× worse).
//   In batches, each dies young.
// CHINOOK_TICK_WARMUP=0 skips it, for A/B runs (docs/benchmarks-http.md, "Tick objects").
if (process.env.CHINOOK_TICK_WARMUP !== '0') {
  const noop = () => {};
  for (let batch = 0; batch < 40; batch++) {
    for (let i = 0; i < 500; i++) process.nextTick(noop);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
