// The request-duration histogram (http_request_duration_seconds), counted per (method, route,
// status) without prom-client's per-call work. prom-client's Histogram.observe() validates its
// label object and hashes it into a string on every call: 1.25 µs and ~0.8 KB of garbage a
// request, ~3 % of a cached track page (docs/benchmarks-http.md). Here a request is three Map
// lookups and a walk of 14 bounds. To Prometheus, the cluster aggregation and /metrics it is
// prom-client's histogram: get() returns what Histogram.get() returns for the same
// observations (test/http/route-histogram.test.ts holds the text of both equal), and it sits in
// the same Registry.
import type { Metric, Registry } from 'prom-client';

/** What prom-client's Histogram.get() returns (its typings say an enum for `type`; it is this string). */
export interface HistogramObject {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: { value: number; metricName: string; labels: Record<string, string | number>; exemplar?: null }[];
}

export interface RouteSeries {
  method: string;
  route: string;
  status: number;
  /** Observations per bucket, not cumulative; the last one is past the highest bound (+Inf). */
  counts: number[];
  sum: number;
  count: number;
}

type Labels = { method: string; route: string; status_code: number };

export class RouteHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** route → method → status → series. */
  private readonly byRoute = new Map<string, Map<string, Map<number, RouteSeries>>>();
  /** The same series in the order first observed (prom-client's order of output). */
  private readonly all: RouteSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    registry: Registry,
  ) {
    // The Registry reads only name, get() and reset() (and aggregator, gathering a cluster).
    registry.registerMetric(this as unknown as Metric);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    if (!Number.isFinite(seconds)) return; // prom-client throws; a metric must never fail a request
    let byMethod = this.byRoute.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.byRoute.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (!series) {
      series = { method, route, status, counts: new Array(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      byStatus.set(status, series);
      this.all.push(series);
    }
    let b = 0;
    while (b < this.buckets.length && seconds > (this.buckets[b] as number)) b++;
    series.counts[b] = (series.counts[b] as number) + 1;
    series.sum += seconds;
    series.count++;
  }

  /** Every series, in the order first observed. */
  series(): readonly RouteSeries[] {
    return this.all;
  }

  /** prom-client's shape: cumulative `_bucket`s with `le` (then +Inf), `_sum` and `_count` per series. */
  async get(): Promise<HistogramObject> {
    const values: HistogramObject['values'] = [];
    for (const s of this.series()) {
      const labels: Labels = { method: s.method, route: s.route, status_code: s.status };
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({ value: cumulative, metricName: `${this.name}_bucket`, exemplar: null, labels: { le, ...labels } });
      });
      values.push({ value: s.count, metricName: `${this.name}_bucket`, exemplar: null, labels: { le: '+Inf', ...labels } });
      values.push({ value: s.sum, metricName: `${this.name}_sum`, labels: { ...labels } });
      values.push({ value: s.count, metricName: `${this.name}_count`, labels: { ...labels } });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }

  reset(): void {
    this.byRoute.clear();
    this.all.length = 0;
  }
}
