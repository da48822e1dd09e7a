// Popularity rankings (cache_popular_content): a whole ranking per content type, best first.
import type Database from 'better-sqlite3';
import { type CacheLedger, ROW_OVERHEAD_BYTES, utf8Bytes } from './ledger.ts';
import type { Stmt } from './schema.ts';

export interface PopularItem {
  id: number;
  score: number;
}

export class PopularStore {
  private readonly s: Record<'get' | 'remove' | 'insert', Stmt>;

  constructor(
    private readonly db: Database.Database,
    private readonly ledger: CacheLedger,
    private readonly now: () => number,
    private readonly ttlSeconds: () => number,
  ) {
    this.s = {
      get: db.prepare(
        'SELECT content_id AS id, popularity_score AS score FROM cache_popular_content WHERE content_type = ? AND expires_at > ? ORDER BY rank_position LIMIT ?',
      ),
      remove: db.prepare('DELETE FROM cache_popular_content WHERE content_type = ? RETURNING bytes'),
      insert: db.prepare(
        'INSERT INTO cache_popular_content (content_type, content_id, popularity_score, rank_position, bytes, updated_at, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  /** The top of a ranking, best first, or undefined when there is none (or it expired). */
  get(contentType: string, limit = 100): PopularItem[] | undefined {
    const rows = this.s.get.all(contentType, this.now(), limit) as PopularItem[];
    this.ledger.counters.popular[rows.length ? 'hits' : 'misses']++;
    return rows.length ? rows : undefined;
  }

  /** Replaces a whole ranking; items are ranked in the order given. */
  set(contentType: string, items: readonly PopularItem[], ttlSeconds?: number): void {
    const bytesEach = utf8Bytes(contentType) + 24 + ROW_OVERHEAD_BYTES;
    this.db.transaction(() => {
      this.ledger.removed('popular', this.s.remove.all(contentType) as { bytes: number }[]);
      if (items.length === 0) return;
      this.ledger.makeRoom(bytesEach * items.length);
      const now = this.now();
      const expires = now + (ttlSeconds ?? this.ttlSeconds()) * 1000;
      const at = this.ledger.stamp();
      items.forEach((item, i) => {
        this.s.insert.run(contentType, item.id, item.score, i + 1, bytesEach, now, expires, at);
        this.ledger.added('popular', bytesEach);
      });
      this.ledger.counters.popular.sets++;
    })();
  }
}
