// Every failure leaves as JSON {error, message, details?} with a 4xx status; a storage fault
// is a 503 with Retry-After; a 500 is a bug, logged with its stack, and still answered in the
// same shape.
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { faultMessage, WriteQueueClosedError } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import { ErrorReply } from './schemas.ts';

/** Seconds a client is asked to wait after a 503: storage comes back without a restart, usually within that. */
const RETRY_AFTER_SECONDS = 5;

const codeByStatus: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/**
 * Errors Fastify raises before routing (a URL that is not valid percent-encoding, a path
 * parameter over maxParamLength) bypass setErrorHandler; passed as the `frameworkErrors`
 * server option, this keeps them in the same {error, message} shape.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  reply.status(status).send({ error: codeByStatus[status] ?? 'bad_request', message: err.message });
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (not HTTP, a malformed chunked
 * body, headers over 16 KB, too slow): passed as the `clientErrorHandler` server option, so
 * they too answer {error, message} instead of Node's {"error":"Bad Request","statusCode":400}.
 */
export function clientErrors(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, error, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'header_too_large', 'The request headers are over 16 KB.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request_timeout', 'The request took too long to arrive.']
        : [400, 'Bad Request', 'bad_request', 'The request is not valid HTTP/1.1 (malformed request line, headers or chunked body).'];
  const body = JSON.stringify({ error, message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Replies the framework itself gives on any route, declared in every route's schema (so the
 * OpenAPI document says what a client can get, and the fuzz test can hold replies to it):
 * 400 (every route validates its query string, unknown parameters included), 503 (storage
 * faults), for methods that carry a body 403 (a cookie-authenticated write without its
 * CSRF token), 413 (over 1 MiB) and 415 (not JSON), and 414 where the path has parameters. A
 * route's own declaration wins.
 */
export function declareFrameworkReplies(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url.startsWith('/docs')) return;
    route.schema ??= {};
    route.schema.response ??= {};
    const response = route.schema.response as Record<string, unknown>;
    const statuses = [400, 503];
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.some((m) => BODY_METHODS.has(m))) statuses.push(403, 413, 415);
    if (route.url.includes(':')) statuses.push(414); // a path parameter over maxParamLength (100 characters)
    for (const status of statuses) response[status] ??= ErrorReply;
  });
}

type ValidationErrors = NonNullable<FastifyError['validation']>;

/**
 * A value outside a choice of literals (TypeBox's Union of Literals: `sort`, `space`, …) comes
 * from Ajv as one "must be equal to constant" per allowed value plus "must match a schema in
 * anyOf": eleven lines for the track list's sort. Each such group becomes one error naming the
 * allowed values. The same array when there is nothing to collapse.
 */
export function withChoicesCollapsed(errors: ValidationErrors): ValidationErrors {
  const choices = new Map<string, unknown[]>();
  for (const v of errors) {
    if (v.keyword === 'const') choices.set(v.instancePath, [...(choices.get(v.instancePath) ?? []), v.params?.allowedValue]);
  }
  // Only where every error at that place is one of the choices or the anyOf that holds them.
  const collapsible = new Set(
    [...choices.keys()].filter(
      (path) =>
        errors.some((v) => v.instancePath === path && v.keyword === 'anyOf') &&
        errors.every((v) => v.instancePath !== path || v.keyword === 'const' || v.keyword === 'anyOf'),
    ),
  );
  if (collapsible.size === 0) return errors;
  return errors.flatMap((v) => {
    if (!collapsible.has(v.instancePath)) return [v];
    if (v.keyword !== 'anyOf') return [];
    const allowed = choices.get(v.instancePath) ?? [];
    return [{ ...v, keyword: 'enum', message: `must be one of ${allowed.join(', ')}`, params: { allowedValues: allowed } }];
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  declareFrameworkReplies(app);
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      return reply.status(err.statusCode).send({ error: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) });
    }
    if (err.validation) {
      const errors = withChoicesCollapsed(err.validation);
      const details = errors.map((v) => ({
        field: `${err.validationContext ?? ''}${v.instancePath ? v.instancePath.replace(/\//g, '.') : ''}`,
        message: v.message,
        ...(v.params && Object.keys(v.params).length ? { params: v.params } : {}),
      }));
      // Ajv's text for an unknown parameter does not say which one; the client needs the name.
      const unknown = err.validation.find((v) => v.keyword === 'additionalProperties')?.params?.additionalProperty;
      const message =
        unknown !== undefined
          ? `Invalid request: unknown ${err.validationContext === 'querystring' ? 'query parameter' : 'field'} "${String(unknown)}"`
          : errors === err.validation
            ? `Invalid request: ${err.message}`
            : `Invalid request: ${errors.map((v) => `${err.validationContext ?? ''}${v.instancePath} ${v.message}`).join(', ')}`;
      return reply.status(400).send({ error: 'validation_failed', message, details });
    }
    // A full disk, a read-only file, an I/O error or a lock held past the busy timeout is not a
    // bug: 503 with Retry-After, logged once by StorageHealth (not a stack per request).
    const fault = app.ctx.storage.fault(err);
    if (fault) {
      reply.header('retry-after', String(fault.kind === 'busy' ? 1 : RETRY_AFTER_SECONDS));
      return reply.status(503).send({ error: fault.kind === 'busy' ? 'database_busy' : 'storage_unavailable', message: faultMessage(fault) });
    }
    if (err instanceof WriteQueueClosedError) {
      reply.header('retry-after', '1');
      return reply.status(503).send({ error: 'shutting_down', message: 'This server is shutting down; try again (another will answer).' });
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, 'unhandled error');
      return reply.status(500).send({ error: 'internal_error', message: 'Something went wrong on our side; it has been logged.' });
    }
    return reply.status(status).send({ error: codeByStatus[status] ?? 'bad_request', message: err.message });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` });
  });
}
