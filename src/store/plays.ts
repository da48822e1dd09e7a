// Plays: one row per listen, through the write queue; the caller hears back after COMMIT and
// after `play.recorded` has reached its subscribers (popularity counters). A play only appends:
// the per-user and per-track lookups are deferred indexes (src/db/deferred-indexes.ts).
import { type Db, type DeferredIndex, statement, type WriteQueue, watermarkOf } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { DomainEvents } from '../events/index.ts';
import { appendActivity } from './activity.ts';

export interface Play {
  id: number;
  trackId: number;
  name: string;
  artist: string | null;
  msPlayed: number | null;
  playedAt: string;
}

/** plays_by_user (history) and track_play_counts (popularity), folded in from the plays log. */
export const playsIndex: DeferredIndex = {
  name: 'plays',
  source: 'plays',
  apply(db, from, to) {
    statement(
      db,
      'INSERT INTO plays_by_user (user_id, play_id) SELECT user_id, id FROM plays WHERE id > ? AND id <= ? AND user_id IS NOT NULL ORDER BY user_id, id',
    ).run(from, to);
    statement(
      db,
      `INSERT INTO track_play_counts (track_id, plays) SELECT track_id, count(*) FROM plays WHERE id > ? AND id <= ? GROUP BY track_id
       ON CONFLICT(track_id) DO UPDATE SET plays = plays + excluded.plays`,
    ).run(from, to);
  },
};

export class PlayService {
  private readonly history;

  constructor(
    db: Db,
    private readonly writes: WriteQueue,
    private readonly events: DomainEvents,
  ) {
    this.history = db.prepare(
      `SELECT p.id, p.track_id AS trackId, t.name, ar.name AS artist, p.ms_played AS msPlayed, p.played_at AS playedAt
       FROM (
         SELECT * FROM (SELECT play_id AS id FROM plays_by_user WHERE user_id = @user AND play_id < @before AND play_id <= ${watermarkOf('plays')}
                        ORDER BY play_id DESC LIMIT @limit)
         UNION ALL
         SELECT * FROM (SELECT id FROM plays WHERE id > ${watermarkOf('plays')} AND id < @before AND user_id = @user ORDER BY id DESC LIMIT @limit)
       ) page
       JOIN plays p ON p.id = page.id JOIN chinook_tracks t ON t.id = p.track_id
       LEFT JOIN chinook_albums al ON al.id = t.album_id LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
       ORDER BY p.id DESC LIMIT @limit`,
    );
  }

  async record(userId: number | null, trackId: number, msPlayed?: number): Promise<number> {
    const id = await this.writes.run((db) => {
      try {
        const id = Number(
          statement(db, 'INSERT INTO plays (user_id, track_id, ms_played) VALUES (?, ?, ?)').run(userId, trackId, msPlayed ?? null).lastInsertRowid,
        );
        appendActivity(db, {
          logName: 'store',
          description: 'track played',
          subjectType: 'track',
          subjectId: trackId,
          causerType: userId === null ? null : 'user',
          causerId: userId,
          properties: msPlayed === undefined ? {} : { msPlayed },
        });
        return id;
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new ApiError(404, 'not_found', `track ${trackId} does not exist`);
        throw err;
      }
    });
    await this.events.emit({ type: 'play.recorded', playId: id, userId, trackId });
    return id;
  }

  historyOf(userId: number, page: { limit: number; cursor?: number | undefined }): { items: Play[]; nextCursor: string | null } {
    const rows = this.history.all({ user: userId, before: page.cursor ?? Number.MAX_SAFE_INTEGER, limit: page.limit + 1 }) as Play[];
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: more ? String(items[items.length - 1]?.id) : null };
  }
}
