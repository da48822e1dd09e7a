// Counters and gauges (cache_aggregations): a number per (metric, dimension), e.g. plays per
// track between two folds of the deferred index.
import type Database from 'better-sqlite3';
import { type CacheLedger, ROW_OVERHEAD_BYTES, utf8Bytes } from './ledger.ts';
import type { Stmt } from './schema.ts';

export class AggregationStore {
  private readonly s: Record<'get' | 'add' | 'remove' | 'insert', Stmt>;

  constructor(
    private readonly db: Database.Database,
    private readonly ledger: CacheLedger,
    private readonly now: () => number,
    private readonly ttlSeconds: () => number,
  ) {
    this.s = {
      get: db.prepare('SELECT metric_value AS v FROM cache_aggregations WHERE metric_name = ? AND dimension_key = ? AND expires_at > ?'),
      add: db.prepare(
        'UPDATE cache_aggregations SET metric_value = metric_value + ?, computed_at = ?, last_access = ? WHERE metric_name = ? AND dimension_key = ? AND expires_at > ? RETURNING metric_value AS v',
      ),
      remove: db.prepare('DELETE FROM cache_aggregations WHERE metric_name = ? AND dimension_key = ? RETURNING bytes'),
      insert: db.prepare(
        'INSERT INTO cache_aggregations (metric_name, dimension_key, metric_value, bytes, computed_at, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  get(metric: string, dimension: string): number | undefined {
    const row = this.s.get.get(metric, dimension, this.now()) as { v: number } | undefined;
    this.ledger.counters.aggregations[row ? 'hits' : 'misses']++;
    return row?.v;
  }

  set(metric: string, dimension: string, value: number, ttlSeconds?: number): void {
    this.write(metric, dimension, value, ttlSeconds, false);
  }

  /** Adds `by` to a live counter, or starts it at `by`; returns the new value. */
  increment(metric: string, dimension: string, by = 1, ttlSeconds?: number): number {
    return this.write(metric, dimension, by, ttlSeconds, true);
  }

  private write(metric: string, dimension: string, value: number, ttlSeconds: number | undefined, add: boolean): number {
    const now = this.now();
    const at = this.ledger.stamp();
    if (add) {
      const row = this.s.add.get(value, now, at, metric, dimension, now) as { v: number } | undefined;
      if (row) return row.v;
    }
    const bytes = utf8Bytes(metric) + utf8Bytes(dimension) + 24 + ROW_OVERHEAD_BYTES;
    this.db.transaction(() => {
      this.ledger.removed('aggregations', this.s.remove.all(metric, dimension) as { bytes: number }[]);
      this.ledger.makeRoom(bytes);
      this.s.insert.run(metric, dimension, value, bytes, now, now + (ttlSeconds ?? this.ttlSeconds()) * 1000, at);
      this.ledger.added('aggregations', bytes);
      this.ledger.counters.aggregations.sets++;
    })();
    return value;
  }
}
