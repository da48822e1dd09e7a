// Hot copies of sessions (cache_sessions); the durable rows are accounts' in the primary.
import type Database from 'better-sqlite3';
import { type CacheLedger, ROW_OVERHEAD_BYTES, utf8Bytes } from './ledger.ts';
import type { Stmt } from './schema.ts';

export interface CachedSession {
  id: string;
  userId: number | null;
  payload: unknown;
  lastActivity: number;
  expiresAt: number;
}

export interface SessionStoreOptions {
  now: () => number;
  ttlSeconds: () => number;
  maxEntryBytes: number;
  /** Told when a session is refused for its size. */
  warn: (obj: object, msg: string) => void;
}

export class SessionStore {
  private readonly s: Record<'get' | 'remove' | 'removeUser' | 'insert', Stmt>;

  constructor(
    private readonly db: Database.Database,
    private readonly ledger: CacheLedger,
    private readonly options: SessionStoreOptions,
  ) {
    this.s = {
      get: db.prepare(
        'SELECT rowid AS rid, id, user_id AS userId, payload, last_activity AS lastActivity, expires_at AS expiresAt, last_access AS at FROM cache_sessions WHERE id = ? AND expires_at > ?',
      ),
      remove: db.prepare('DELETE FROM cache_sessions WHERE id = ? RETURNING bytes'),
      removeUser: db.prepare('DELETE FROM cache_sessions WHERE user_id = ? RETURNING bytes'),
      insert: db.prepare('INSERT INTO cache_sessions (id, user_id, payload, bytes, last_activity, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    };
  }

  get(id: string): CachedSession | undefined {
    const row = this.s.get.get(id, this.options.now()) as (CachedSession & { payload: string; rid: number; at: number }) | undefined;
    this.ledger.counters.sessions[row ? 'hits' : 'misses']++;
    if (!row) return undefined;
    this.ledger.touchIfOld('sessions', row.rid, row.at);
    return { id: row.id, userId: row.userId, payload: JSON.parse(row.payload), lastActivity: row.lastActivity, expiresAt: row.expiresAt };
  }

  set(id: string, session: { userId: number | null; payload: unknown; lastActivity?: number }, ttlSeconds?: number): boolean {
    const payload = JSON.stringify(session.payload ?? null);
    const bytes = utf8Bytes(id) + utf8Bytes(payload) + 16 + ROW_OVERHEAD_BYTES;
    if (bytes > this.options.maxEntryBytes) {
      this.ledger.counters.sessions.refused++;
      this.options.warn({ bytes, maxEntryBytes: this.options.maxEntryBytes }, 'session over the per-entry limit: not stored');
      this.delete(id);
      return false;
    }
    this.db.transaction(() => {
      this.ledger.removed('sessions', this.s.remove.all(id) as { bytes: number }[]);
      this.ledger.makeRoom(bytes);
      const now = this.options.now();
      this.s.insert.run(
        id,
        session.userId,
        payload,
        bytes,
        session.lastActivity ?? now,
        now + (ttlSeconds ?? this.options.ttlSeconds()) * 1000,
        this.ledger.stamp(),
      );
      this.ledger.added('sessions', bytes);
      this.ledger.counters.sessions.sets++;
    })();
    return true;
  }

  delete(id: string): boolean {
    return this.ledger.removed('sessions', this.s.remove.all(id) as { bytes: number }[]) > 0;
  }

  deleteForUser(userId: number): number {
    return this.ledger.removed('sessions', this.s.removeUser.all(userId) as { bytes: number }[]);
  }
}
