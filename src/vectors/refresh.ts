// Incremental refresh after catalog edits: a renamed track, album or artist changes the text
// and metadata spaces of the tracks concerned. Events only enqueue ids (and drop the cached
// neighbours of those tracks at once); a timer re-embeds them shortly after, in the background.
// The listens-alike space depends on playlists and purchases, not names, so edits leave it be.
import { type CatalogEvent, type CatalogEvents, catalogEvents } from '../catalog/events.ts';
import type { Db } from '../db/connection.ts';
import { catalogShape, providersFor } from './build.ts';
import type { EmbeddingProvider } from './providers.ts';
import type { SimilarityService } from './service.ts';
import { streamTracks, tracksByIds } from './source.ts';
import type { Space } from './spaces.ts';

const REFRESHED: Space[] = ['metadata', 'lyric'];
const FIT_LIMIT = 20_000;

export class VectorRefreshQueue {
  private readonly pending = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  /** Fitted once (one streamed pass), then reused: statistics drift only slightly between full builds. */
  private providers: EmbeddingProvider[] | null = null;
  private readonly unsubscribe: () => void;
  refreshed = 0;

  constructor(
    private readonly db: Db,
    private readonly similarity: SimilarityService,
    events: CatalogEvents = catalogEvents,
    private readonly delayMs = 200,
  ) {
    this.unsubscribe = events.on((e) => this.onEvent(e));
  }

  private onEvent(e: CatalogEvent): void {
    let ids: number[];
    if (e.type === 'track.updated') ids = [e.trackId];
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

  /** Re-embeds the queued tracks now; returns how many were written. */
  flush(): number {
    if (this.pending.size === 0 || !this.db.open) return 0;
    const ids = [...this.pending];
    this.pending.clear();
    if (this.similarity.store.count() === 0) return 0;
    if (!this.providers) {
      const providers = providersFor(catalogShape(this.db), REFRESHED);
      const stride = Math.max(1, Math.ceil(this.similarity.store.count() / FIT_LIMIT));
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
    // Only tracks that already have a row: a new track needs all three spaces (the next build).
    const tracks = tracksByIds(this.db, ids).filter((t) => this.similarity.store.get(t.id, 'metadata'));
    const vectors: Partial<Record<Space, (Float32Array | null)[]>> = {};
    for (const p of this.providers) vectors[p.space] = tracks.map((t) => p.embed(t));
    this.db.transaction(() => this.similarity.store.write({ ids: tracks.map((t) => t.id), vectors }))();
    // Neighbour lists computed between the event and now may have used the old vectors.
    this.similarity.cache.forget(ids);
    this.refreshed += tracks.length;
    return tracks.length;
  }

  stop(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
