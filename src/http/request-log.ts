// Request logging that fits production. Fastify's default writes two JSON lines per request
// at info ("incoming request", "request completed"): 2.7 MB/s of log at 7k req/s and ~13 % of
// the throughput of a cached read (issue 17). Here a request is logged only where the line
// helps: a 5xx (error), a request slower than CHINOOK_LOG_SLOW_MS (warn), or one in
// CHINOOK_LOG_SAMPLE_EVERY (info), each with the request id Fastify gives it (`reqId`, also
// on every other line logged while handling it). Lines are JSON, or pretty in a terminal.
//
// The id is the client's `x-request-id` when it sends a plausible one (a proxy's, a load
// generator's), else Fastify-style `req-<n>`, and every reply carries it back: a user's failed
// request can be found in the log, and bench/load/requests.lua tells which request a reply
// answers (wrk does not say which connection it came on).
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.ts';

const require = createRequire(import.meta.url);

type LogSettings = Pick<Config, 'logLevel' | 'logFormat' | 'logSlowMs' | 'logSampleEvery'>;

/** The `logger` option for Fastify: the level, and pino-pretty (synchronous, no worker thread) for a terminal. */
export function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>, stdoutIsTerminal = isatty(1)): FastifyServerOptions['logger'] {
  const usePretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && stdoutIsTerminal);
  if (!usePretty) return { level: config.logLevel };
  // Loaded only for a terminal: a server logging JSON does not carry it (0.9 MiB of heap).
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return { level: config.logLevel, stream: pretty({ sync: true, colorize: stdoutIsTerminal, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }) };
}

/** A client's id is kept if it is short and plain (it goes into log lines and a header). */
const GIVEN_ID = /^[\w.:-]{1,64}$/;
let lastId = 0;

/** Fastify's `genReqId`: the client's `x-request-id` when plausible, else `req-<n>` (base 36, per process). */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && GIVEN_ID.test(given) ? given : `req-${(++lastId).toString(36)}`;
}

/** What one request line says. */
function describe(request: { method: string; url: string; ip: string }, status: number, ms: number) {
  return {
    req: { method: request.method, url: request.url, remoteAddress: request.ip },
    res: { statusCode: status },
    responseTime: Math.round(ms * 100) / 100,
  };
}

export function registerRequestLog(app: FastifyInstance, settings: LogSettings): void {
  const { logSlowMs, logSampleEvery } = settings;
  let count = 0;
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    if (status >= 500) request.log.error(describe(request, status, ms), 'request failed');
    else if (logSlowMs > 0 && ms >= logSlowMs) request.log.warn(describe(request, status, ms), 'slow request');
    else if (logSampleEvery > 0 && ++count >= logSampleEvery) {
      count = 0;
      request.log.info(describe(request, status, ms), 'request completed (sampled)');
    }
    done();
  });
}
