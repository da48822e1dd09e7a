// Paging cursors. A relevance order has no stable key to continue from, so the cursor is the
// position of the next page, tied to the question it pages through: a cursor handed to another
// query, filter or sort is refused instead of silently paging something else. The ranking is
// deterministic (ties end on the track id), so the same position is the same next page as
// long as the catalog did not change in between, as with `offset`.
import { ApiError } from '../errors.ts';
import type { SearchRequest } from './types.ts';

/** Deepest position a page may start at (the route's offset maximum). */
export const MAX_OFFSET = 10_000;

function fingerprint(req: SearchRequest): string {
  const { q, sort, mode, genreId, mediaTypeId, artistId, minPrice, maxPrice, minDurationMs, maxDurationMs } = req;
  const text = JSON.stringify([q, sort ?? 'relevance', mode ?? 'keyword', genreId, mediaTypeId, artistId, minPrice, maxPrice, minDurationMs, maxDurationMs]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

export function encodeCursor(req: SearchRequest, offset: number): string {
  return Buffer.from(`${offset}.${fingerprint(req)}`).toString('base64url');
}

export function decodeCursor(req: SearchRequest, cursor: string): number {
  const m = /^(\d{1,5})\.([0-9a-z]{1,7})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new ApiError(400, 'invalid_cursor', 'cursor is not a nextCursor this API returned');
  if (m[2] !== fingerprint(req)) throw new ApiError(400, 'invalid_cursor', 'cursor belongs to another search: pass it with the same q, filters, sort and mode');
  const offset = Number(m[1]);
  if (offset > MAX_OFFSET) throw new ApiError(400, 'invalid_cursor', `cursor points past position ${MAX_OFFSET}`);
  return offset;
}

/** The next page's cursor, or null when this page is the last (or the next would start past MAX_OFFSET). */
export function nextCursor(req: SearchRequest, offset: number, limit: number, total: number): string | null {
  const next = offset + limit;
  return next < total && next <= MAX_OFFSET ? encodeCursor(req, next) : null;
}
