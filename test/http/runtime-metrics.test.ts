// Node's runtime metrics (src/http/runtime-metrics.ts): prom-client's default metrics, all of
// them, with a GC histogram that counts every garbage collection, also those that reach the
// observer in one batch.
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { test } from 'node:test';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerRuntimeMetrics } from '../../src/http/runtime-metrics.ts';

const names = async (registry: Registry) => (await registry.getMetricsAsJSON()).map((m) => m.name).sort();

test('the runtime metrics are the names prom-client’s default metrics have', async () => {
  const ours = new Registry();
  const stop = registerRuntimeMetrics(ours);
  const theirs = new Registry();
  collectDefaultMetrics({ register: theirs });
  try {
    assert.deepEqual(await names(ours), await names(theirs));
    assert.ok((await names(ours)).includes('nodejs_gc_duration_seconds'));
  } finally {
    stop();
  }
});

test('every garbage collection is counted, also many that run within one synchronous stretch', async () => {
  const registry = new Registry();
  const stop = registerRuntimeMetrics(registry);
  let seen = 0;
  const witness = new PerformanceObserver((list) => {
    seen += list.getEntries().length;
  });
  witness.observe({ entryTypes: ['gc'] });
  try {
    // Allocate without yielding: the young generation fills many times over, and every GC's entry
    // reaches the observers together afterwards (one batch, which prom-client's own GC histogram
    // counts as one).
    let keep: unknown[] = [];
    for (let i = 0; i < 3_000_000; i++) {
      keep.push({ i, s: `x${i}` });
      if (keep.length > 50_000) keep = [];
    }
    await new Promise((r) => setTimeout(r, 50));
    // Both observers stop at the same moment, so a GC while the metrics are read reaches neither.
    witness.disconnect();
    stop();
    const gc = (await registry.getMetricsAsJSON()).find((m) => m.name === 'nodejs_gc_duration_seconds');
    const counted = (gc?.values ?? [])
      .filter((v) => (v as { metricName?: string }).metricName === 'nodejs_gc_duration_seconds_count')
      .reduce((n, v) => n + v.value, 0);
    assert.ok(seen > 5, `the loop caused several GCs: ${seen}`);
    assert.equal(counted, seen);
  } finally {
    witness.disconnect();
    stop();
  }
});
