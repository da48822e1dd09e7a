// Durable sessions: the row in `sessions` is the truth (a restart logs nobody out); a hot copy
// sits in the cache database so an authenticated request costs no primary read. The cookie
// holds a random 256-bit token; only its SHA-256 is stored, so a leaked database or cache
// holds no usable session. Expiry slides: each use pushes it `idleSeconds` ahead (written at
// most once a minute, through the write queue).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CacheDb } from '../cache/index.ts';
import type { Db, WriteQueue } from '../db/index.ts';

export interface Session {
  id: string;
  userId: number;
  csrfToken: string;
  expiresAt: number;
  lastActivity: number;
}

interface SessionPayload {
  csrfToken: string;
  /** The session's own expiry (the cache entry's TTL is only an upper bound on keeping it). */
  expiresAt: number;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const TOUCH_EVERY_MS = 60_000;

export interface SessionOptions {
  idleSeconds: number;
  now?: () => number;
  /** Tells other processes to drop their cached copies (the cache bus). */
  broadcastRevoke?: (sessionIds: string[]) => Promise<unknown>;
}

export class SessionService {
  private readonly byId;
  private readonly now: () => number;

  constructor(
    db: Db,
    private readonly writes: WriteQueue,
    private readonly cache: CacheDb | null,
    private readonly options: SessionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.byId = db.prepare(
      'SELECT id, user_id AS userId, csrf_token AS csrfToken, expires_at AS expiresAt, last_activity AS lastActivity FROM sessions WHERE id = ? AND expires_at > ?',
    );
  }

  /** Starts a session; returns the cookie token (never stored) and the session. */
  async create(userId: number, meta: { ip?: string; userAgent?: string } = {}): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = {
      id: hashToken(token),
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: now + this.options.idleSeconds * 1000,
      lastActivity: now,
    };
    await this.writes.run((db) =>
      db
        .prepare('INSERT INTO sessions (id, user_id, csrf_token, ip, user_agent, last_activity, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(session.id, userId, session.csrfToken, meta.ip ?? null, meta.userAgent?.slice(0, 300) ?? null, session.lastActivity, session.expiresAt),
    );
    this.remember(session);
    return { token, session };
  }

  /** The live session for a cookie token, sliding its expiry; undefined if unknown or expired. */
  resolve(token: string | undefined): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const id = hashToken(token);
    const now = this.now();
    let session: Session | undefined;
    const cached = this.cache?.sessions.get(id);
    const payload = cached?.payload as SessionPayload | undefined;
    // The session's own expiry decides; the cache entry's TTL only bounds how long it is kept.
    if (cached && cached.userId !== null && typeof payload?.expiresAt === 'number' && payload.expiresAt > now) {
      session = { id, userId: cached.userId, csrfToken: payload.csrfToken, expiresAt: payload.expiresAt, lastActivity: cached.lastActivity };
    } else {
      session = this.byId.get(id, now) as Session | undefined;
    }
    if (!session) return undefined;
    if (now - session.lastActivity > TOUCH_EVERY_MS) {
      session = { ...session, lastActivity: now, expiresAt: now + this.options.idleSeconds * 1000 };
      const { expiresAt, lastActivity } = session;
      // Not awaited: the request need not wait for a bookkeeping write; the queue logs failures.
      this.writes
        .run((db) => db.prepare('UPDATE sessions SET last_activity = ?, expires_at = ? WHERE id = ?').run(lastActivity, expiresAt, id))
        .catch(() => {});
      this.remember(session);
    } else if (!cached) {
      this.remember(session);
    }
    return session;
  }

  checkCsrf(session: Session, header: string | undefined): boolean {
    if (!header) return false;
    const a = Buffer.from(header);
    const b = Buffer.from(session.csrfToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async revoke(sessionId: string): Promise<void> {
    await this.writes.run((db) => db.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId));
    this.cache?.sessions.delete(sessionId);
    await this.options.broadcastRevoke?.([sessionId]);
  }

  /** Logs a user out everywhere (password change, role change, admin action). */
  async revokeAllFor(userId: number, exceptSessionId?: string): Promise<void> {
    const ids = await this.writes.run((db) =>
      db
        .prepare('DELETE FROM sessions WHERE user_id = ? AND id IS NOT ? RETURNING id')
        .all(userId, exceptSessionId ?? null)
        .map((r) => (r as { id: string }).id),
    );
    for (const id of ids) this.cache?.sessions.delete(id);
    if (ids.length) await this.options.broadcastRevoke?.(ids);
  }

  /** Deletes expired rows; run by a timer. */
  async pruneExpired(): Promise<number> {
    const now = this.now();
    return this.writes.run((db) => db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes);
  }

  private remember(session: Session): void {
    const ttl = Math.max(1, Math.ceil((session.expiresAt - this.now()) / 1000));
    this.cache?.sessions.set(
      session.id,
      {
        userId: session.userId,
        payload: { csrfToken: session.csrfToken, expiresAt: session.expiresAt } satisfies SessionPayload,
        lastActivity: session.lastActivity,
      },
      ttl,
    );
  }
}
