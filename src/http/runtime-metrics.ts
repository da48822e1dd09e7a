// Node's runtime metrics for /metrics: prom-client's default collectors (CPU, memory, heap
// spaces, event-loop delay, handles …), but our own GC histogram. prom-client's (15.1.3,
// lib/metrics/gc.js) records only the first entry of each batch its PerformanceObserver is
// handed (`list.getEntries()[0]`), and under npm start's 2 MiB young generation scavenges come
// close enough to share a batch: in a 2 s allocation loop it counted 98 of 129 GCs. This one
// records every entry, under the same name, label and buckets, so dashboards read it unchanged.
import { createRequire } from 'node:module';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { collectDefaultMetrics, Histogram, type Registry } from 'prom-client';

type DefaultCollector = (registry: Registry, config: Record<string, unknown>) => void;

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** prom-client's buckets for nodejs_gc_duration_seconds. */
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];

/** Registers Node's runtime metrics; returns a function that stops the GC observer. */
export function registerRuntimeMetrics(registry: Registry): () => void {
  // Each default collector is a module of prom-client's named as in its public metricsList (a
  // rename in an upgrade fails here at start, and test/http/runtime-metrics.test.ts compares names).
  const require = createRequire(import.meta.url);
  for (const name of collectDefaultMetrics.metricsList) {
    if (name === 'gc') continue;
    (require(`prom-client/lib/metrics/${name}`) as DefaultCollector)(registry, { eventLoopMonitoringPrecision: 10 });
  }
  const gc = new Histogram({
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    buckets: GC_BUCKETS,
    registers: [registry],
  });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'unknown';
      gc.observe({ kind }, entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
