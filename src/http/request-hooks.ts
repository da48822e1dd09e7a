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

/**
 * The key under which Fastify keeps a reply's headers: one plain object (fastify/lib/symbols.js,
 * `kReplyHeaders`), made empty with each reply and handed to Node's writeHead as it is.
 */
const REPLY_HEADERS = 'fastify.reply.headers';

/**
 * A function that returns a new object of these headers plus `x-request-id`, written as one
 * object literal: V8 makes each from a boilerplate of a fixed shape. Setting the same headers one
 * reply.header() at a time (a lower-casing and a new property each) took ~2 % more of a bare
 * Fastify reply's CPU (29.8 / 29.0 / 29.5 / 31.6 / 34.5 µs a request against 29.1 / 29.0 / 28.6 /
 * 31.0 / 32.1, alternating, wrk on the other core); in the app, after the full mix, /health took
 * 4 % less (bench:paired, B ÷ A 1.040 over 12 pairs) and the track page did not move (0.984). A spread of a prepared object (`{ ...headers }`)
 * took 1.5× the CPU of either, and so did a server that used it: V8 gives such clones no fast path
 * into Node's header loop.
 */
function headerObjectFactory(headers: Readonly<Record<string, string>>): (requestId: string) => Record<string, string> {
  const names = Object.keys(headers);
  const body = `return { ${names.map((n, i) => `${JSON.stringify(n)}: values[${i}]`).join(', ')}, "x-request-id": requestId };`;
  const make = new Function('values', 'requestId', body) as (values: string[], requestId: string) => Record<string, string>;
  const values = names.map((n) => headers[n] as string);
  return (requestId) => make(values, requestId);
}

function hasNone(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

export function registerRequestHooks(app: FastifyInstance, parts: RequestParts): void {
  const { headers, shed, authenticate, metrics, log } = parts;
  const headerObject = headerObjectFactory(headers);
  let replyHeadersKey: symbol | null | undefined;
  app.addHook('onRequest', (request, reply, done) => {
    // Every reply names its request: a user's failed request can be found in the log.
    if (replyHeadersKey === undefined) replyHeadersKey = Object.getOwnPropertySymbols(reply).find((s) => s.description === REPLY_HEADERS) ?? null;
    const r = reply as unknown as Record<symbol, Record<string, unknown>>;
    // One by one when something set a header before this hook (nothing of ours does) or a Fastify has no such key.
    if (replyHeadersKey !== null && hasNone(r[replyHeadersKey] as object)) r[replyHeadersKey] = headerObject(request.id);
    else reply.headers(headers).header('x-request-id', request.id);
    done(shed(request, reply) ?? authenticate(request));
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeReply(request, reply);
    log(request, reply);
    done();
  });
}
