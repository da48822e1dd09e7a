// RouteHistogram (src/http/route-histogram.ts) stands in for prom-client's Histogram on every
// request: for any observations, Prometheus must read the same text from both, the cluster's
// aggregation (AggregatorRegistry) the same JSON, and reset() must empty it like Histogram's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { RouteHistogram } from '../../src/http/route-histogram.ts';

const BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAME = 'http_request_duration_seconds';
const HELP = 'Time from request received to response sent';

const observation = fc.record({
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE'),
  route: fc.constantFrom('/api/tracks/:id', '/health', 'unmatched', '/api/search'),
  status: fc.constantFrom(200, 304, 404, 503),
  // Exactly on a bound, between bounds and past the last one.
  seconds: fc.oneof(fc.constantFrom(...BUCKETS), fc.double({ min: 0, max: 20, noNaN: true })),
});

function both(observations: { method: string; route: string; status: number; seconds: number }[]) {
  const theirs = new Registry();
  const ours = new Registry();
  const histogram = new Histogram({ name: NAME, help: HELP, labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS, registers: [theirs] });
  const route = new RouteHistogram(NAME, HELP, BUCKETS, ours);
  for (const o of observations) {
    histogram.observe({ method: o.method, route: o.route, status_code: o.status }, o.seconds);
    route.observe(o.method, o.route, o.status, o.seconds);
  }
  return { theirs, ours, route };
}

describe('RouteHistogram', () => {
  it("reads as prom-client's Histogram to Prometheus and to the cluster's aggregation", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const { theirs, ours } = both(observations);
        assert.equal(await ours.metrics(), await theirs.metrics());
        const [a, b] = [await theirs.getMetricsAsJSON(), await ours.getMetricsAsJSON()];
        assert.deepEqual(JSON.parse(JSON.stringify(b)), JSON.parse(JSON.stringify(a)));
        // Two workers' registries summed by the primary.
        const summed = async (json: object[]) => AggregatorRegistry.aggregate([json, json] as never).metrics();
        assert.equal(await summed(b), await summed(a));
      }),
      { numRuns: 200 },
    );
  });

  it('reset() empties it', async () => {
    const { ours, route } = both([{ method: 'GET', route: '/health', status: 200, seconds: 0.001 }]);
    route.reset();
    assert.deepEqual([...route.series()], []);
    assert.doesNotMatch(await ours.metrics(), /_count/);
  });

  it('ignores a duration that is not a number instead of failing the request', () => {
    const { route } = both([]);
    route.observe('GET', '/health', 200, Number.NaN);
    assert.deepEqual([...route.series()], []);
  });
});
