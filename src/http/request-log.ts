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
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
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

type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];

/**
 * A request's logger, made on its first line. Fastify calls pino's child() for every request
 * (its bindings serialised, its setters run): 2.9 % of the CPU of /health under `perf record`
 * (2026-12-01), and most requests here log nothing. A call below the level (debug, trace)
 * still makes the child; nothing here logs below info per request. The child keeps the request id (`reqId`)
 * and the route's level and serializers: it is made from the same arguments, only later.
 */
class LazyRequestLogger {
  #real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Record<string, unknown>,
    private readonly options: ChildOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    this.#real ??= this.parent.child(this.bindings, this.options);
    return this.#real;
  }

  get level(): string {
    return this.real.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  // Methods on the prototype, not arrow fields: seven closures per request would cost what the
  // lazy child saves.
  fatal(...args: unknown[]): void {
    this.call('fatal', args);
  }
  error(...args: unknown[]): void {
    this.call('error', args);
  }
  warn(...args: unknown[]): void {
    this.call('warn', args);
  }
  info(...args: unknown[]): void {
    this.call('info', args);
  }
  debug(...args: unknown[]): void {
    this.call('debug', args);
  }
  trace(...args: unknown[]): void {
    this.call('trace', args);
  }
  silent(...args: unknown[]): void {
    this.call('silent', args);
  }

  private call(level: LevelName, args: unknown[]): void {
    const real = this.real;
    (real[level] as (...a: unknown[]) => void).apply(real, args);
  }

  child(bindings: Record<string, unknown>, options?: ChildOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, created when it first logs. */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Record<string, unknown>, options: ChildOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
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

/** The request line a finished reply earns, if any (called by the response hook, request-hooks.ts). */
export type LogReply = (request: FastifyRequest, reply: FastifyReply) => void;

export function requestLogger(settings: LogSettings): LogReply {
  const { logSlowMs, logSampleEvery } = settings;
  let count = 0;
  return (request, reply) => {
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    if (status >= 500) request.log.error(describe(request, status, ms), 'request failed');
    else if (logSlowMs > 0 && ms >= logSlowMs) request.log.warn(describe(request, status, ms), 'slow request');
    else if (logSampleEvery > 0 && ++count >= logSampleEvery) {
      count = 0;
      request.log.info(describe(request, status, ms), 'request completed (sampled)');
    }
  };
}
