// Catalog domain events. Writers emit after COMMIT; listeners (the cache, later the search
// and vector refreshers) react. emit() resolves once every listener has finished, so a write
// route can reply only after, for example, every worker's cache has dropped stale entries.

/** Ids before and after a change: a track moved to another album stales both albums. */
export interface TrackUpdated {
  type: 'track.updated';
  trackId: number;
  albumIds: number[];
  artistIds: number[];
  genreIds: number[];
  fields: string[];
}
export interface AlbumUpdated {
  type: 'album.updated';
  albumId: number;
  artistIds: number[];
  trackIds: number[];
  fields: string[];
}
export interface ArtistUpdated {
  type: 'artist.updated';
  artistId: number;
  fields: string[];
}
export type CatalogEvent = TrackUpdated | AlbumUpdated | ArtistUpdated;

export type CatalogListener = (event: CatalogEvent) => void | Promise<void>;

export class CatalogEvents {
  private readonly listeners = new Set<CatalogListener>();

  /** Returns an unsubscribe function. */
  on(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async emit(event: CatalogEvent): Promise<void> {
    // allSettled: one failing listener must not stop the others or fail the write that already committed.
    const results = await Promise.allSettled([...this.listeners].map(async (l) => l(event)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length)
      console.error(
        `catalog event ${event.type}: ${failed.length} listener(s) failed`,
        failed.map((f) => f.reason),
      );
  }

  get size(): number {
    return this.listeners.size;
  }
}

/** The process-wide bus (each cluster worker has its own; the cache relays across workers). */
export const catalogEvents = new CatalogEvents();
