// Plays: one row per listen, through the write queue; the caller hears back after COMMIT.
// Popularity counters in the cache database are bumped after the commit.
import { type Db, statement } from '../db/connection.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import { ApiError } from '../errors.ts';
import { appendActivity } from './activity.ts';

export interface Play {
  id: number;
  trackId: number;
  name: string;
  artist: string | null;
  msPlayed: number | null;
  playedAt: string;
}

export class PlayService {
  private readonly history;

  constructor(
    db: Db,
    private readonly writes: WriteQueue,
    private readonly onPlayed: (trackId: number) => void = () => {},
  ) {
    this.history = db.prepare(
      `SELECT p.id, p.track_id AS trackId, t.name, ar.name AS artist, p.ms_played AS msPlayed, p.played_at AS playedAt
       FROM plays p JOIN chinook_tracks t ON t.id = p.track_id
       LEFT JOIN chinook_albums al ON al.id = t.album_id LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
       WHERE p.user_id = ? AND p.id < ? ORDER BY p.id DESC LIMIT ?`,
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
    this.onPlayed(trackId);
    return id;
  }

  historyOf(userId: number, page: { limit: number; cursor?: number | undefined }): { items: Play[]; nextCursor: string | null } {
    const rows = this.history.all(userId, page.cursor ?? Number.MAX_SAFE_INTEGER, page.limit + 1) as Play[];
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: more ? String(items[items.length - 1]?.id) : null };
  }
}
