// The audit trail: who did what to what, with JSON properties, appended through the write
// queue (inside the same transaction as the action it records, where there is one). Lookups by
// causer go through a deferred index (src/db/deferred-indexes.ts), so an entry only appends.
import { type Db, type DeferredIndex, statement, type WriteQueue, watermarkOf } from '../db/index.ts';
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

const COLUMNS = `a.id, a.log_name AS logName, a.description, a.subject_type AS subjectType, a.subject_id AS subjectId,
  a.causer_type AS causerType, a.causer_id AS causerId, a.properties, a.created_at AS createdAt`;

/** activity_by_causer, folded in from the activity log (GET /api/admin/activity?causerId=). */
export const activityIndex: DeferredIndex = {
  name: 'activity',
  source: 'activity_log',
  apply(db, from, to) {
    statement(
      db,
      `INSERT INTO activity_by_causer (causer_id, activity_id)
       SELECT causer_id, id FROM activity_log WHERE id > ? AND id <= ? AND causer_id IS NOT NULL ORDER BY causer_id, id`,
    ).run(from, to);
  },
};

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
    const params: Record<string, string | number> = { limit: q.limit + 1, before: Number.MAX_SAFE_INTEGER };
    if (q.subjectType !== undefined) {
      where.push('a.subject_type = @subjectType');
      params.subjectType = q.subjectType;
    }
    if (q.since !== undefined) {
      const since = new Date(q.since);
      if (Number.isNaN(since.getTime())) throw badRequest('since must be an ISO-8601 date or date-time');
      where.push('a.created_at >= @since');
      params.since = since.toISOString();
    }
    if (q.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(q.cursor)) throw badRequest('cursor is not valid: pass the nextCursor of a previous page unchanged');
      params.before = Number(q.cursor);
    }
    const and = where.map((w) => ` AND ${w}`).join('');
    let sql: string;
    if (q.causerId === undefined) {
      sql = `SELECT ${COLUMNS} FROM activity_log a WHERE a.id < @before${and} ORDER BY a.id DESC LIMIT @limit`;
    } else {
      // By causer: the deferred index up to its watermark, then the unfolded tail.
      params.causer = q.causerId;
      const upto = watermarkOf('activity');
      sql = `SELECT * FROM (
          SELECT * FROM (SELECT ${COLUMNS} FROM activity_by_causer x JOIN activity_log a ON a.id = x.activity_id
                         WHERE x.causer_id = @causer AND x.activity_id < @before AND x.activity_id <= ${upto}${and}
                         ORDER BY x.activity_id DESC LIMIT @limit)
          UNION ALL
          SELECT * FROM (SELECT ${COLUMNS} FROM activity_log a WHERE a.id > ${upto} AND a.id < @before AND a.causer_id = @causer${and}
                         ORDER BY a.id DESC LIMIT @limit)
        ) ORDER BY id DESC LIMIT @limit`;
    }
    const rows = statement(this.db, sql).all(params) as (Omit<ActivityRow, 'properties'> & { properties: string })[];
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit).map((r) => ({ ...r, properties: JSON.parse(r.properties) as Record<string, unknown> }));
    return { items, nextCursor: more ? String(items[items.length - 1]?.id) : null };
  }

  /** Deletes entries older than the retention period; returns how many. */
  prune(retentionDays: number): Promise<number> {
    const cutoff = new Date(Date.now() - retentionDays * 86_400_000).toISOString();
    return this.writes.run((db) => {
      const deleted = db.prepare('DELETE FROM activity_log WHERE created_at < ?').run(cutoff).changes;
      // Ids grow with time, so the side table's pruned entries are the ones below the oldest kept row.
      db.prepare('DELETE FROM activity_by_causer WHERE activity_id < ifnull((SELECT min(id) FROM activity_log), 9223372036854775807)').run();
      return deleted;
    });
  }
}
