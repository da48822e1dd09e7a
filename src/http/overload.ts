// Load shedding: while the event loop lags, answer 503 with Retry-After at once instead of
// letting requests wait in the socket backlog for as long as it takes (issue 17: at 1,000
// connections wrk saw 364 timeouts at 2 s). @fastify/under-pressure samples the mean
// event-loop delay every SAMPLE_MS; one sync check per request decides. The health routes are
// exempt: a busy process is alive, and its readiness is what /health reports, not a 503 here.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';

// A short interval, so shedding starts and stops within a quarter second of the lag.
const SAMPLE_MS = 250;

export async function registerOverload(app: FastifyInstance, config: Pick<Config, 'overloadDelayMs' | 'overloadRetryAfterSeconds'>): Promise<void> {
  if (config.overloadDelayMs === 0) return;
  const retryAfter = String(config.overloadRetryAfterSeconds);
  // The delay histogram runs from registration, so the first samples after start hold the
  // start-up's own synchronous work (schema compiling, cache preload): not a backlog. Two
  // sample intervals after ready, every sample is of serving only.
  let sheddingFrom = Number.POSITIVE_INFINITY;
  app.addHook('onReady', (done) => {
    sheddingFrom = performance.now() + 2 * SAMPLE_MS;
    done();
  });
  await app.register(underPressure, {
    maxEventLoopDelay: config.overloadDelayMs,
    sampleInterval: SAMPLE_MS,
    // Throwing hands the error to errors.ts, so the 503 has the API's {error, message} shape.
    pressureHandler: async (request, reply, _type, value) => {
      if (performance.now() < sheddingFrom) return;
      if (request.url === '/health' || request.url.startsWith('/health/') || request.url.startsWith('/health?')) return;
      reply.header('retry-after', retryAfter);
      throw new ApiError(503, 'overloaded', `The server is too busy (event loop ${Math.round(Number(value))} ms behind); retry after ${retryAfter} s.`);
    },
  });
}
