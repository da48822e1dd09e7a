// Replies from cache entries: the stored JSON goes out as is (no re-serialisation), with its
// ETag, and a matching If-None-Match gets an empty 304.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Entry } from './cache-db.ts';

/**
 * `no-cache` lets browsers and proxies keep a copy but makes them revalidate on every use:
 * after a catalog edit the ETag changes, so nobody serves the old answer, and an unchanged
 * answer costs a 304 without a body.
 */
export const CATALOG_CACHE_CONTROL = 'public, no-cache';

/** True when an If-None-Match header (a list, possibly weak, or *) matches the ETag. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return (t.startsWith('W/') ? t.slice(2) : t) === etag;
  });
}

/**
 * A route's reply from an entry that may still be computing: a cache hit is sent in this turn
 * and the handler returns nothing, so Fastify adds no promise of its own; a miss returns the
 * promise of its reply (resolving to nothing: the reply is already sent).
 */
export function replyWithEntry(
  request: FastifyRequest,
  reply: FastifyReply,
  entry: Entry | Promise<Entry>,
  cacheControl = CATALOG_CACHE_CONTROL,
): Promise<void> | undefined {
  if (entry instanceof Promise)
    return entry.then((e) => {
      sendEntry(request, reply, e, cacheControl);
    });
  sendEntry(request, reply, entry, cacheControl);
  return undefined;
}

export function sendEntry(request: FastifyRequest, reply: FastifyReply, entry: Entry, cacheControl = CATALOG_CACHE_CONTROL): FastifyReply {
  reply.header('etag', entry.etag).header('cache-control', cacheControl);
  if (etagMatches(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
  // A JSON content type with a string payload tells Fastify the body is already serialised.
  return reply.type('application/json; charset=utf-8').send(entry.json);
}
