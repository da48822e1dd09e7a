// What every request goes through, in one onRequest and one onResponse hook, each part a plain
// function of its own module: the security headers (security-headers.ts) and the request id
// (request-log.ts) on the reply, the load-shedding check (overload.ts), the session cookie
// (auth.ts); then the request metrics (metrics.ts) and the request log line (request-log.ts).
//
// Why one hook each and not one per part: Fastify calls every hook of every route from one call
// site, and V8 inlines less through a call site that has seen many callees. On a server that had
// served the full store mix (logged-in writes too), a cached track page cost 1.13–1.24× the CPU
// of one that served only reads; six hooks of ours (four onRequest, two onResponse) merged into
// two took ~4 % of that off (paired runs, B ÷ A 1.043 for the six) and changed nothing on a fresh
// server. Most of the rest was a Fastify Request class per plugin scope, gone since the route
// modules share the root scope (app.ts; docs/benchmarks-http.md, "One Request class").
import type { FastifyInstance } from 'fastify';
import type { Authenticate } from './auth.ts';
import type { RequestMetrics } from './metrics.ts';
import type { OverloadCheck } from './overload.ts';
import type { LogReply } from './request-log.ts';

export interface RequestParts {
  /**
   * Set on every reply (helmet's, computed once). Its default CSP suits the /docs UI too (the
   * scripts are files, inline styles are allowed by style-src 'unsafe-inline'); pages set their own.
   */
  headers: Readonly<Record<string, string>>;
  shed: OverloadCheck;
  authenticate: Authenticate;
  metrics: RequestMetrics;
  log: LogReply;
}

export function registerRequestHooks(app: FastifyInstance, parts: RequestParts): void {
  const { headers, shed, authenticate, metrics, log } = parts;
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    // Every reply names its request: a user's failed request can be found in the log.
    reply.header('x-request-id', request.id);
    done(shed(request, reply) ?? authenticate(request));
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeReply(request, reply);
    log(request, reply);
    done();
  });
}
