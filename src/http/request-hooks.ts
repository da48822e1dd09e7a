// What every request goes through, in one onRequest and one onResponse hook, each part a plain
// function of its own module: the security headers (security-headers.ts) and the request id
// (request-log.ts) on the reply, the load-shedding check (overload.ts), the session cookie
// (auth.ts); then the request metrics (metrics.ts) and the request log line (request-log.ts).
//
// Why one hook each and not one per part: Fastify calls every hook of every route from one call
// site. With a hook per part (four onRequest hooks, two onResponse), a server that had also
// served logged-in writes (whose routes add hooks of their own) spent 13–16 % more CPU on a
// cached track page than one that had served only reads: the call site had seen too many hook
// functions, V8 stopped inlining through it, and Fastify's request path ran as separate calls
// (docs/benchmarks-http.md, "Hooks after writes"). One hook of ours keeps it to a few.
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
