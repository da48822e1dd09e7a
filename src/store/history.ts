// A listener's history for the recommender: the tracks a customer bought and the tracks some
// users played, newest first, in one query over the store's tables (the plays part merges the
// deferred plays_by_user index up to its watermark with the unfolded tail, as plays.ts does).
// Invoice dates are 'YYYY-MM-DD hh:mm:ss' and play times ISO: both are compared as the former.
import { type Db, watermarkOf } from '../db/index.ts';

export interface HistoryQuery {
  /** Whose invoices count (null: none). */
  customerId: number | null;
  /** Whose plays count: a user, and the users linked to the customer. */
  userIds: readonly number[];
  /** Invoices treated as never placed (an evaluation's held-out set). */
  excludeInvoiceIds?: readonly number[];
}

export interface HistoryEntry {
  trackId: number;
  genreId: number | null;
}

/** A history entry with when and what: the recommender weighs recent events more. */
export interface HistoryEvent extends HistoryEntry {
  /** 'YYYY-MM-DD hh:mm:ss', UTC (invoice dates and play times normalised alike). */
  at: string;
  kind: 'bought' | 'played';
}

export class TrackHistory {
  private readonly query;

  constructor(db: Db) {
    this.query = db.prepare(
      `SELECT trackId, genreId, at, kind FROM (
         SELECT il.track_id AS trackId, t.genre_id AS genreId, substr(i.invoice_date, 1, 19) AS at, il.id AS seq, 'bought' AS kind
         FROM chinook_invoices i
         JOIN chinook_invoice_lines il ON il.invoice_id = i.id JOIN chinook_tracks t ON t.id = il.track_id
         WHERE i.customer_id = @customer AND i.id NOT IN (SELECT value FROM json_each(@exclude))
         UNION ALL
         SELECT p.track_id, t.genre_id, replace(substr(p.played_at, 1, 19), 'T', ' '), p.id, 'played'
         FROM plays p JOIN chinook_tracks t ON t.id = p.track_id
         WHERE p.id IN (
           SELECT play_id FROM plays_by_user WHERE user_id IN (SELECT value FROM json_each(@users)) AND play_id <= ${watermarkOf('plays')}
           UNION ALL SELECT id FROM plays WHERE id > ${watermarkOf('plays')} AND user_id IN (SELECT value FROM json_each(@users))))
       ORDER BY at DESC, seq DESC`,
    );
  }

  /** Bought and played tracks, newest first; a track bought or played twice appears twice. */
  of(q: HistoryQuery): HistoryEntry[] {
    return this.dated(q).map(({ trackId, genreId }) => ({ trackId, genreId }));
  }

  /** The same entries with their time and whether the track was bought or played. */
  dated(q: HistoryQuery): HistoryEvent[] {
    return this.query.all({
      customer: q.customerId,
      users: JSON.stringify(q.userIds),
      exclude: JSON.stringify(q.excludeInvoiceIds ?? []),
    }) as HistoryEvent[];
  }
}
