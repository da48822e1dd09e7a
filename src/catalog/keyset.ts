// Keyset pagination: the cursor carries the sort it was made for and the last row's
// (sort value, id), so the next page is one index range scan, however deep.
import { badRequest } from '../errors.ts';

export interface SortSpec {
  /** SQL expression sorted on (must match an index expression to be fast). */
  expr: string;
  direction: 'ASC' | 'DESC';
  valueType: 'string' | 'number';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface CursorPayload {
  s: string;
  v: string | number;
  id: number;
}

export function encodeCursor(sort: string, value: string | number, id: number): string {
  return Buffer.from(JSON.stringify({ s: sort, v: value, id } satisfies CursorPayload)).toString('base64url');
}

export function decodeCursor(cursor: string, sort: string, spec: SortSpec): { value: string | number; id: number } {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('cursor is not valid: pass the nextCursor of a previous page unchanged');
  }
  const p = payload as Partial<CursorPayload> | null;
  const invalid = () => badRequest('cursor is not valid: pass the nextCursor of a previous page unchanged');
  if (!p || typeof p !== 'object' || Array.isArray(p) || typeof p.s !== 'string') throw invalid();
  // Checked before the value's type: a cursor from another sort is the likelier mistake.
  if (p.s !== sort) throw badRequest(`cursor was made for sort "${p.s}", not "${sort}"`, { cursorSort: p.s, sort });
  if (typeof p.id !== 'number' || !Number.isSafeInteger(p.id) || typeof p.v !== spec.valueType) throw invalid();
  return { value: p.v as string | number, id: p.id };
}

/** WHERE fragment and params that continue after the cursor row. */
export function afterCursor(spec: SortSpec, idExpr: string, at: { value: string | number; id: number }): { sql: string; params: (string | number)[] } {
  const op = spec.direction === 'ASC' ? '>' : '<';
  return { sql: `(${spec.expr}, ${idExpr}) ${op} (?, ?)`, params: [at.value, at.id] };
}

export function orderBy(spec: SortSpec, idExpr: string): string {
  return `ORDER BY ${spec.expr} ${spec.direction}, ${idExpr} ${spec.direction}`;
}

/** Runs a query that fetched limit+1 rows and turns it into a page. */
export function toPage<R extends { id: number }>(rows: R[], limit: number, sort: string, sortValue: (row: R) => string | number): Page<R> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(sort, sortValue(last), last.id) : null };
}
