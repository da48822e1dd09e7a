// The audit trail: who did what to what, with JSON properties, appended through the write
// queue (inside the same transaction as the action it records, where there is one).
import { type Db, statement } from '../db/connection.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import { badRequest } from '../errors.ts';

export interface ActivityEntry {
  logName?: string;
  description: string;
  subjectType?: string | null;
  subjectId?: number | null;
  causerType?: string | null;
  causerId?: number | null;
  properties?: Record<string, unknown>;
}

export interface ActivityRow {
  id: number;
  logName: string;
  description: string;
  subjectType: string | null;
  subjectId: number | null;
  causerType: string | null;
  causerId: number | null;
  properties: Record<string, unknown>;
  createdAt: string;
}

export interface ActivityQuery {
  causerId?: number | undefined;
  subjectType?: string | undefined;
  since?: string | undefined;
  limit: number;
  /** id of the last row of the previous page (newest first). */
  cursor?: string | undefined;
}

/** Appends an entry with the given connection: call it inside a write-queue operation. */
export function appendActivity(db: Db, e: ActivityEntry): void {
  statement(
    db,
    'INSERT INTO activity_log (log_name, description, subject_type, subject_id, causer_type, causer_id, properties) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    e.logName ?? 'default',
    e.description,
    e.subjectType ?? null,
    e.subjectId ?? null,
    e.causerType ?? null,
    e.causerId ?? null,
    JSON.stringify(e.properties ?? {}),
  );
}

export class ActivityLog {
  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
  ) {}

  /** Records an entry on its own (for actions that write nothing else, like a failed login). */
  record(entry: ActivityEntry): Promise<void> {
    return this.writes.run((db) => appendActivity(db, entry));
  }

  list(q: ActivityQuery): { items: ActivityRow[]; nextCursor: string | null } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.causerId !== undefined) {
      where.push('causer_id = ?');
      params.push(q.causerId);
    }
    if (q.subjectType !== undefined) {
      where.push('subject_type = ?');
      params.push(q.subjectType);
    }
    if (q.since !== undefined) {
      const since = new Date(q.since);
      if (Number.isNaN(since.getTime())) throw badRequest('since must be an ISO-8601 date or date-time');
      where.push('created_at >= ?');
      params.push(since.toISOString());
    }
    if (q.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(q.cursor)) throw badRequest('cursor is not valid: pass the nextCursor of a previous page unchanged');
      where.push('id < ?');
      params.push(Number(q.cursor));
    }
    const rows = statement(
      this.db,
      `SELECT id, log_name AS logName, description, subject_type AS subjectType, subject_id AS subjectId, causer_type AS causerType,
                causer_id AS causerId, properties, created_at AS createdAt
         FROM activity_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    ).all(...params, q.limit + 1) as (Omit<ActivityRow, 'properties'> & { properties: string })[];
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit).map((r) => ({ ...r, properties: JSON.parse(r.properties) as Record<string, unknown> }));
    return { items, nextCursor: more ? String(items[items.length - 1]?.id) : null };
  }

  /** Deletes entries older than the retention period; returns how many. */
  prune(retentionDays: number): Promise<number> {
    const cutoff = new Date(Date.now() - retentionDays * 86_400_000).toISOString();
    return this.writes.run((db) => db.prepare('DELETE FROM activity_log WHERE created_at < ?').run(cutoff).changes);
  }
}
