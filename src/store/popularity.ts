// Popularity = units sold + plays. Plays bump a live counter in the cache database at once;
// the ranking in cache_popular_content is recomputed from the primary at most once per
// interval after a play or an order (ranking 3,500 or 1M tracks on every play would cost more
// than the play).
import type { CacheDb } from '../cache/index.ts';
import type { Db } from '../db/connection.ts';

export interface PopularTrack {
  id: number;
  score: number;
}

export class Popularity {
  private readonly top;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    db: Db,
    private readonly cache: CacheDb | null,
    private readonly options: { limit?: number; refreshMs?: number } = {},
  ) {
    this.top = db.prepare(`
      WITH sold AS (SELECT track_id, sum(quantity) AS n FROM chinook_invoice_lines GROUP BY track_id),
           played AS (SELECT track_id, count(*) AS n FROM plays GROUP BY track_id)
      SELECT id, sum(n) AS score FROM (SELECT track_id AS id, n FROM sold UNION ALL SELECT track_id, n FROM played)
      GROUP BY id ORDER BY score DESC, id LIMIT ?`);
  }

  topTracks(limit = this.options.limit ?? 100): PopularTrack[] {
    return this.top.all(limit) as PopularTrack[];
  }

  /** Recomputes the cached `track` ranking now. */
  refresh(): void {
    this.dirty = false;
    this.cache?.popular.set('track', this.topTracks());
  }

  /** A play or an order happened: count it now, re-rank soon. */
  touched(trackIds: readonly number[], kind: 'play' | 'sale'): void {
    if (!this.cache) return;
    try {
      for (const id of trackIds) this.cache.aggregations.increment(kind === 'play' ? 'plays' : 'sales', `track:${id}`);
    } catch {
      // Counters are a convenience; the write itself is committed.
    }
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.dirty) {
        try {
          this.refresh();
        } catch {
          // The next touch tries again; the ranking's TTL bounds how stale it gets.
        }
      }
    }, this.options.refreshMs ?? 5_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
