// Popularity = units sold + plays, as the view track_popularity defines it (migration 009; the
// one definition, read by search, suggestions, recommendations and reports too). Plays and
// sales are also counted into live counters in the cache database, and the ranking in
// cache_popular_content is recomputed from the primary, at most once per interval after a play
// or an order (ranking 3,500 or 1M tracks on every play would cost more than the play).
import type { CacheDb } from '../cache/index.ts';
import type { Db } from '../db/index.ts';
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
    // Ranks only tracks that sold or were played: at 1M tracks most have neither.
    this.top = db.prepare(`
      SELECT track_id AS id, score FROM track_popularity
      WHERE track_id IN (SELECT track_id FROM chinook_invoice_lines UNION SELECT track_id FROM track_play_counts)
      ORDER BY score DESC, track_id LIMIT ?`);
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
