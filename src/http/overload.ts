// Load shedding: while the event loop lags, answer 503 with Retry-After at once instead of
// letting requests wait in the socket backlog for as long as it takes (issue 17: at 1,000
// connections wrk saw 364 timeouts at 2 s). @fastify/under-pressure samples the mean
// event-loop delay once per sample interval; the check is one read of that sample in the
// request hook (request-hooks.ts). The health routes are exempt: a busy process is alive, and
// its readiness is what /health reports.
//
// under-pressure is given no threshold, so it measures and adds no hook of its own: its hook
// read `request.routeOptions` (a 12-field object built per read) on every request, and one
// hook fewer keeps Fastify's shared hook call site from going megamorphic once write routes'
// hooks run through it (docs/benchmarks-http.md, "Hooks after writes").
//
// The sample interval is the threshold itself. Node's delay monitor records nothing in an
// interval that one loop iteration outlasts, and under-pressure reads that empty mean (NaN) as
// an infinite delay. With a 250 ms interval, loop iterations of 300 ms, far under the 1 s
// threshold, shed every request (a busy loop of 300 ms blocks: NaN in every interval;
// 200 ms blocks: a mean of 200). That is what a worker with 500 connections of store traffic
// on a shared core goes through. With interval = threshold, an empty interval means an
// iteration longer than the threshold, which is a lag over the threshold.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';

/** The request's 503 while the loop lags past the threshold (its Retry-After set on the reply), else undefined. */
export type OverloadCheck = (request: FastifyRequest, reply: FastifyReply) => ApiError | undefined;

const isHealth = (url: string) => url === '/health' || url.startsWith('/health/') || url.startsWith('/health?');

export async function registerOverload(app: FastifyInstance, config: Pick<Config, 'overloadDelayMs' | 'overloadRetryAfterSeconds'>): Promise<OverloadCheck> {
  const threshold = config.overloadDelayMs;
  if (threshold === 0) return () => undefined;
  const retryAfter = String(config.overloadRetryAfterSeconds);
  // under-pressure's floor is its monitor's resolution, 10 ms.
  const sampleMs = Math.max(10, threshold);
  // The delay histogram runs from registration, so the first samples after start hold the
  // start-up's own synchronous work (schema compiling, cache preload): not a backlog. Two
  // sample intervals after ready, every sample is of serving only.
  let sheddingFrom = Number.POSITIVE_INFINITY;
  app.addHook('onReady', (done) => {
    sheddingFrom = performance.now() + 2 * sampleMs;
    done();
  });
  await app.register(underPressure, { sampleInterval: sampleMs });
  return (request, reply) => {
    const lag = app.memoryUsage().eventLoopDelay;
    if (!(lag > threshold) || performance.now() < sheddingFrom || isHealth(request.url)) return undefined;
    reply.header('retry-after', retryAfter);
    return new ApiError(503, 'overloaded', `The server is too busy (event loop ${Math.round(lag)} ms behind); retry after ${retryAfter} s.`);
  };
}
