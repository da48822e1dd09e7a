// Popularity = units sold + plays. Plays and sales are counted into live counters in the cache
// database, and the ranking in cache_popular_content is recomputed from the primary, at most
// once per interval after a play or an order (ranking 3,500 or 1M tracks on every play would
// cost more than the play). Plays are read from track_play_counts, which the deferred indexer
// keeps, plus the short tail of plays not folded into it yet.
import type { CacheDb } from '../cache/index.ts';
import type { Db } from '../db/connection.ts';
import { watermarkOf } from '../db/deferred-indexes.ts';
import type { DomainEvents } from '../events/index.ts';

export interface PopularTrack {
  id: number;
  score: number;
}

export class Popularity {
  private readonly top;
  private dirty = false;
  private readonly pendingPlays = new Map<number, number>();
  private readonly pendingSales = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    db: Db,
    private readonly cache: CacheDb | null,
    events: DomainEvents,
    private readonly options: { limit?: number; refreshMs?: number } = {},
  ) {
    // Every process keeps its own counters and ranking, so events carried from other processes count too.
    this.unsubscribe = events.on(['order.placed', 'play.recorded'], (e) => {
      if (e.type === 'order.placed') this.touched(e.trackIds, 'sale');
      else this.touched([e.trackId], 'play');
    });
    this.top = db.prepare(`
      WITH sold AS (SELECT track_id, sum(quantity) AS n FROM chinook_invoice_lines GROUP BY track_id)
      SELECT id, sum(n) AS score FROM (
        SELECT track_id AS id, n FROM sold
        UNION ALL SELECT track_id, plays FROM track_play_counts
        UNION ALL SELECT track_id, count(*) FROM plays WHERE id > ${watermarkOf('plays')} GROUP BY track_id)
      GROUP BY id ORDER BY score DESC, id LIMIT ?`);
  }

  topTracks(limit = this.options.limit ?? 100): PopularTrack[] {
    return this.top.all(limit) as PopularTrack[];
  }

  /** Recomputes the cached `track` ranking now. */
  refresh(): void {
    this.flushCounters();
    this.dirty = false;
    this.cache?.popular.set('track', this.topTracks());
  }

  /**
   * A play or an order happened. Counts gather in memory and reach cache_aggregations with the
   * next re-rank (at most `refreshMs` later): an upsert per play would cost the play path ~5 %.
   */
  touched(trackIds: readonly number[], kind: 'play' | 'sale'): void {
    if (!this.cache) return;
    const counts = kind === 'play' ? this.pendingPlays : this.pendingSales;
    for (const id of trackIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      try {
        this.flushCounters();
        if (this.dirty) this.refresh();
      } catch {
        // The next touch tries again; the ranking's TTL bounds how stale it gets.
      }
    }, this.options.refreshMs ?? 1_000);
    this.timer.unref();
  }

  /** Adds the gathered counts to the live counters in the cache database. */
  flushCounters(): void {
    if (!this.cache) return;
    for (const [metric, counts] of [
      ['plays', this.pendingPlays],
      ['sales', this.pendingSales],
    ] as const) {
      for (const [id, n] of counts) this.cache.aggregations.increment(metric, `track:${id}`, n);
      counts.clear();
    }
  }

  stop(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
