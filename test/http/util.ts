// Shared by the HTTP tests: walking keyset pages and checking the error shape.
import assert from 'node:assert/strict';
import type { TestServer } from '../helpers.ts';

/** A parsed JSON reply; tests check it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: replies are arbitrary JSON, asserted on below
export type Json = any;

/** Follows nextCursor until it is null; returns every item in order. */
export async function walk<T = Json>(
  server: TestServer,
  path: string,
  pick: (body: Json) => { items: T[]; nextCursor: string | null } = (b) => b,
): Promise<T[]> {
  const out: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const res = await server.get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    assert.equal(res.status, 200, `${path} page ${page}: ${JSON.stringify(res.body)}`);
    const { items, nextCursor } = pick(res.body);
    out.push(...items);
    if (nextCursor === null) return out;
    assert.ok(items.length > 0, `${path}: a page with a nextCursor must not be empty`);

    cursor = nextCursor;
  }
  throw new Error(`${path}: more than 10000 pages`);
}

/** A client error in the documented shape: 4xx, JSON, {error, message, details?}. */
export function assertClientError(res: { status: number; headers: Headers; body: Json }, status: number | 'any4xx', what: string): void {
  if (status === 'any4xx') assert.ok(res.status >= 400 && res.status < 500, `${what}: expected 4xx, got ${res.status} ${JSON.stringify(res.body)}`);
  else assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${what}: content-type`);
  assert.equal(typeof res.body, 'object', `${what}: body is JSON`);
  assert.equal(typeof res.body.error, 'string', `${what}: error code`);
  assert.equal(typeof res.body.message, 'string', `${what}: message`);
  assert.ok(res.body.message.length > 0, `${what}: message is not empty`);
  const extra = Object.keys(res.body).filter((k) => !['error', 'message', 'details'].includes(k));
  assert.deepEqual(extra, [], `${what}: only error, message, details`);
}

export const ids = (rows: { id: number }[]) => rows.map((r) => r.id);
export const column = (rows: unknown[]) => rows.map((r) => Object.values(r as object)[0] as number);
