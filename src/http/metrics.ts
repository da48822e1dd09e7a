// Request metrics: a histogram of response times per route, method and status in prom-client's
// registry, fed by one onResponse hook (route-histogram.ts: three Map lookups and a bucket walk
// a request, where prom-client's observe() hashed its labels). `GET /metrics` exposes it to
// Prometheus; the dashboard reads a JSON summary computed from snapshots of the cumulative
// buckets, taken every 2 s off the request path, so a question about "the last minutes" costs
// a subtraction, not a scan of requests.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { registerAppMetrics } from './app-metrics.ts';
import { reportToCluster } from './cluster-metrics.ts';
import { RouteHistogram } from './route-histogram.ts';
import { registerRuntimeMetrics } from './runtime-metrics.ts';

// Seconds. Chinook answers most reads in well under a millisecond in process, HTTP adds ~1 ms.
const BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SNAPSHOT_MS = 2_000;
const KEEP_SNAPSHOTS = (15 * 60_000) / SNAPSHOT_MS; // 15 minutes

interface Cumulative {
  count: number;
  sum: number;
  /** Counts per bucket (not cumulative across buckets), the last one is +Inf. */
  buckets: number[];
  errors: number;
}

interface Snapshot {
  at: number;
  total: Cumulative;
  byRoute: Map<string, Cumulative>;
}

export interface LatencySummary {
  requests: number;
  ratePerSecond: number;
  errorRatePerSecond: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
}

const empty = (): Cumulative => ({ count: 0, sum: 0, buckets: new Array(BUCKETS.length + 1).fill(0), errors: 0 });

function minus(a: Cumulative, b: Cumulative | undefined): Cumulative {
  if (!b) return a;
  return { count: a.count - b.count, sum: a.sum - b.sum, buckets: a.buckets.map((n, i) => n - (b.buckets[i] ?? 0)), errors: a.errors - b.errors };
}

/** The q-quantile in ms, interpolated inside its bucket (Prometheus' histogram_quantile). */
export function quantileMs(c: Cumulative, q: number): number | null {
  if (c.count <= 0) return null;
  const rank = q * c.count;
  let seen = 0;
  for (let i = 0; i < c.buckets.length; i++) {
    const n = c.buckets[i] ?? 0;
    if (seen + n >= rank && n > 0) {
      const lower = i === 0 ? 0 : (BUCKETS[i - 1] ?? 0);
      const upper = BUCKETS[i] ?? BUCKETS[BUCKETS.length - 1] ?? 0; // +Inf: report the top bound
      return Math.round((lower + (upper - lower) * ((rank - seen) / n)) * 1e6) / 1e3;
    }
    seen += n;
  }
  return null;
}

function summarise(c: Cumulative, seconds: number): LatencySummary {
  const s = Math.max(seconds, 1e-3);
  return {
    requests: c.count,
    ratePerSecond: Math.round((c.count / s) * 100) / 100,
    errorRatePerSecond: Math.round((c.errors / s) * 100) / 100,
    p50Ms: quantileMs(c, 0.5),
    p95Ms: quantileMs(c, 0.95),
    p99Ms: quantileMs(c, 0.99),
    meanMs: c.count ? Math.round((c.sum / c.count) * 1e6) / 1e3 : null,
  };
}

export class RequestMetrics {
  readonly registry = new Registry();
  private readonly histogram: RouteHistogram;
  private readonly snapshots: Snapshot[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly stopRuntimeMetrics: () => void;

  constructor() {
    this.histogram = new RouteHistogram(
      'http_request_duration_seconds',
      'Time from request received to response sent, per route pattern, method and status',
      BUCKETS,
      this.registry,
    );
    this.stopRuntimeMetrics = registerRuntimeMetrics(this.registry);
  }

  /** One finished reply, by its route pattern ("unmatched" for a 404 of no route, so URLs cannot blow up the label set). */
  observeReply(request: FastifyRequest, reply: FastifyReply): void {
    this.histogram.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.snapshot(), SNAPSHOT_MS);
    this.timer.unref();
    void this.snapshot();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopRuntimeMetrics();
  }

  /** Cumulative counts now, in total and per "METHOD route". */
  private read(): Snapshot {
    const total = empty();
    const byRoute = new Map<string, Cumulative>();
    for (const s of this.histogram.series()) {
      const key = `${s.method} ${s.route}`;
      let c = byRoute.get(key);
      if (!c) {
        c = empty();
        byRoute.set(key, c);
      }
      for (const x of [c, total]) {
        x.count += s.count;
        x.sum += s.sum;
        if (s.status >= 500) x.errors += s.count;
        s.counts.forEach((n, i) => {
          x.buckets[i] = (x.buckets[i] ?? 0) + n;
        });
      }
    }
    return { at: Date.now(), total, byRoute };
  }

  private async snapshot(): Promise<void> {
    this.snapshots.push(this.read());
    if (this.snapshots.length > KEEP_SNAPSHOTS) this.snapshots.shift();
  }

  /**
   * Rate and latency percentiles per snapshot interval over the last `minutes` (a time
   * series for charts), and per route over the whole window (a table), up to now.
   */
  async summary(minutes: number): Promise<{
    intervalSeconds: number;
    windowSeconds: number;
    series: ({ at: string } & LatencySummary)[];
    window: LatencySummary;
    routes: ({ route: string } & LatencySummary)[];
  }> {
    const now = this.read();
    const since = now.at - minutes * 60_000;
    // The series uses whole intervals only: a last sliver of a few ms would read as a rate of 0.
    const points = this.snapshots.filter((s) => s.at >= since - SNAPSHOT_MS);
    if (points.length === 0) points.push(now);
    const series = points.slice(1).map((p, i) => {
      const prev = points[i] as Snapshot;
      return { at: new Date(p.at).toISOString(), ...summarise(minus(p.total, prev.total), (p.at - prev.at) / 1000) };
    });
    const first = points[0] as Snapshot;
    const seconds = (now.at - first.at) / 1000;
    const routes = [...now.byRoute]
      .map(([route, c]) => ({ route, ...summarise(minus(c, first === now ? undefined : first.byRoute.get(route)), seconds) }))
      .filter((r) => r.requests > 0)
      .sort((a, b) => b.requests - a.requests);
    return {
      intervalSeconds: SNAPSHOT_MS / 1000,
      windowSeconds: Math.round(seconds),
      series,
      window: summarise(minus(now.total, first === now ? undefined : first.total), seconds),
      routes,
    };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: RequestMetrics;
  }
}

/** The request metrics, fed by the response hook (request-hooks.ts) for every reply, 404s included. */
export function registerRequestMetrics(app: FastifyInstance): RequestMetrics {
  const metrics = new RequestMetrics();
  app.decorate('metrics', metrics);
  registerAppMetrics(metrics.registry, app.ctx);
  registerTurnMetrics(metrics.registry, app);
  reportToCluster(metrics.registry);
  app.addHook('onReady', (done) => {
    metrics.start();
    done();
  });
  app.addHook('onClose', (_app, done) => {
    metrics.stop();
    done();
  });
  return metrics;
}

/** The request queue (request-turns.ts), read when Prometheus scrapes. */
function registerTurnMetrics(registry: Registry, app: FastifyInstance): void {
  const registers = [registry];
  new Counter({
    name: 'chinook_http_deferred_requests_total',
    help: 'Requests that waited for a later event-loop turn (src/http/request-turns.ts)',
    registers,
    collect() {
      this.reset();
      this.inc(app.turns.stats().deferred);
    },
  });
  new Counter({
    name: 'chinook_http_turn_wait_seconds_total',
    help: 'Total time deferred requests waited for their turn',
    registers,
    collect() {
      this.reset();
      this.inc(app.turns.stats().waitedMs / 1000);
    },
  });
  new Gauge({
    name: 'chinook_http_waiting_requests',
    help: 'Requests waiting for a turn now',
    registers,
    collect() {
      this.set(app.turns.stats().waiting);
    },
  });
}
