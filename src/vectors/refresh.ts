// Incremental refresh after catalog edits: a renamed track, album or artist changes the text
// and metadata spaces of the tracks concerned. Events only enqueue ids (and drop the cached
// neighbours of those tracks at once); a timer re-embeds them shortly after, in the background.
// The listens-alike space depends on playlists and purchases, not names, so edits leave it be.
// A new track gets all three spaces: text and metadata from the fitted providers, and as its
// listens-alike vector a cold-start placeholder (it has no baskets yet): the normalised mean
// of its album's tracks, else its artist's, else its genre's. A deleted track loses its
// vectors, its index rows and every cached neighbour list that mentions it.
import type { Db } from '../db/index.ts';
import { CATALOG_EVENT_TYPES, type CatalogEvent, type DomainEvents } from '../events/index.ts';
import { catalogShape, providersFor } from './build.ts';
import type { EmbeddingProvider } from './providers.ts';
import type { SimilarityService } from './service.ts';
import { streamTracks, tracksByIds } from './source.ts';
import { DIMS, type Space } from './spaces.ts';

const REFRESHED: Space[] = ['metadata', 'lyric'];
const FIT_LIMIT = 20_000;
/** Tracks averaged at most for a cold-start listens-alike vector (an artist or genre can be huge). */
const PLACEHOLDER_SAMPLE = 500;

export class VectorRefreshQueue {
  private readonly pending = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  /** Fitted once (one streamed pass), then reused: statistics drift only slightly between full builds. */
  private providers: EmbeddingProvider[] | null = null;
  private readonly unsubscribe: () => void;
  refreshed = 0;
  created = 0;
  removed = 0;

  constructor(
    private readonly db: Db,
    private readonly similarity: SimilarityService,
    events: DomainEvents,
    private readonly delayMs = 200,
  ) {
    // Only this process's edits: the process that made an edit re-embeds it once, for everyone.
    this.unsubscribe = events.on(CATALOG_EVENT_TYPES, (e, { remote }) => {
      if (!remote) this.onEvent(e);
    });
  }

  private onEvent(e: CatalogEvent): void {
    let ids: number[];
    if (e.type === 'track.created' || e.type === 'track.updated' || e.type === 'track.deleted') ids = [e.trackId];
    else if (e.type === 'album.updated') ids = e.trackIds;
    else
      ids = (
        this.db.prepare('SELECT t.id FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id WHERE al.artist_id = ?').all(e.artistId) as {
          id: number;
        }[]
      ).map((r) => r.id);
    this.enqueue(ids);
  }

  enqueue(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.similarity.cache.forget(ids);
    for (const id of ids) this.pending.add(id);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        try {
          this.flush();
        } catch (err) {
          console.error(`vector refresh failed: ${(err as Error).message}`);
        }
      }, this.delayMs);
      this.timer.unref();
    }
  }

  /** Re-embeds the queued tracks now (adds new ones, drops deleted ones); returns how many were written. */
  flush(): number {
    if (this.pending.size === 0 || !this.db.open) return 0;
    const ids = [...this.pending];
    this.pending.clear();
    const store = this.similarity.store;
    if (store.count() === 0) return 0;
    const tracks = tracksByIds(this.db, ids);
    const live = new Set(tracks.map((t) => t.id));
    const gone = ids.filter((id) => !live.has(id));
    if (!this.providers) {
      const providers = providersFor(catalogShape(this.db), REFRESHED);
      const stride = Math.max(1, Math.ceil(store.count() / FIT_LIMIT));
      let i = 0;
      for (const batch of streamTracks(this.db)) {
        for (const t of batch) {
          for (const p of providers) p.observe(t, i % stride === 0);
          i++;
        }
      }
      for (const p of providers) p.fit();
      this.providers = providers;
    }
    const providers = this.providers;
    const isNew = new Set(tracks.filter((t) => !store.get(t.id, 'metadata')).map((t) => t.id));
    // A new track without any placeholder source (empty album, artist and genre) waits for the next build.
    const audio = new Map<number, Float32Array>();
    for (const t of tracks) {
      if (!isNew.has(t.id)) continue;
      const v = this.coldStartAudio(t.id, t.albumId, t.artistId, t.genreId);
      if (v) audio.set(t.id, v);
    }
    const written = tracks.filter((t) => !isNew.has(t.id) || audio.has(t.id));
    const vectors: Partial<Record<Space, (Float32Array | null)[]>> = {};
    for (const p of providers) vectors[p.space] = written.map((t) => p.embed(t));
    vectors.audio = written.map((t) => audio.get(t.id) ?? null);
    this.db.transaction(() => {
      if (gone.length) store.remove(gone);
      store.write({ ids: written.map((t) => t.id), vectors });
    })();
    // Neighbour lists computed between the event and now may have used the old vectors.
    this.similarity.cache.forget(ids);
    this.created += audio.size;
    this.removed += gone.length;
    this.refreshed += written.length;
    return written.length;
  }

  /** The normalised mean listens-alike vector of the track's album, else artist, else genre; null if none. */
  private coldStartAudio(trackId: number, albumId: number | null, artistId: number | null, genreId: number | null): Float32Array | null {
    const groups: [string, number | null][] = [
      ['SELECT id FROM chinook_tracks WHERE album_id = ? AND id != ? ORDER BY id LIMIT ?', albumId],
      ['SELECT t.id FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id WHERE al.artist_id = ? AND t.id != ? ORDER BY t.id LIMIT ?', artistId],
      ['SELECT id FROM chinook_tracks WHERE genre_id = ? AND id != ? ORDER BY id LIMIT ?', genreId],
    ];
    for (const [sql, key] of groups) {
      if (key === null) continue;
      const ids = this.db.prepare(sql).pluck().all(key, trackId, PLACEHOLDER_SAMPLE) as number[];
      const sum = new Float64Array(DIMS.audio);
      let n = 0;
      for (const id of ids) {
        const v = this.similarity.store.get(id, 'audio');
        if (!v) continue;
        for (let j = 0; j < v.length; j++) sum[j] = (sum[j] as number) + (v[j] as number);
        n++;
      }
      const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0));
      if (n > 0 && norm > 0) return Float32Array.from(sum, (x) => x / norm);
    }
    return null;
  }

  stop(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
