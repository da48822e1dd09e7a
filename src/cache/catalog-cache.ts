// Catalog and report reads through the cache. Each answer is stored as the JSON the client
// gets, with its ETag, and tagged with every id whose change can make it stale (see
// tagsForEvent in bus.ts for the other half of that contract).
import type { AlbumSort, ArtistSort } from '../catalog/artists.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { PlaylistSort } from '../catalog/taxonomy.ts';
import type { TrackListQuery } from '../catalog/tracks.ts';
import type { SalesReports } from '../reports/sales.ts';
import { type CacheDb, type Entry, etagOf, type RememberOptions } from './cache-db.ts';

/** A stable key for a query object: sorted keys, undefined dropped. */
export function keyOf(prefix: string, query: object = {}): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `${prefix}?${parts.join('&')}` : prefix;
}

const trackTags = (t: { id: number; albumId: number | null; artistId: number | null; genreId: number | null }) => {
  const tags = [`track:${t.id}`];
  if (t.albumId !== null) tags.push(`album:${t.albumId}`);
  if (t.artistId !== null) tags.push(`artist:${t.artistId}`);
  if (t.genreId !== null) tags.push(`genre:${t.genreId}`);
  return tags;
};

export class CachedCatalog {
  constructor(
    private readonly cache: CacheDb | null,
    private readonly catalog: CatalogService,
    private readonly reports: SalesReports,
  ) {}

  track(id: number): Promise<Entry> {
    return this.read(`track:${id}`, { tags: trackTags }, () => this.catalog.tracks.get(id));
  }

  trackBySlug(slug: string): Promise<Entry> {
    return this.read(`track-slug:${slug}`, { tags: trackTags }, () => this.catalog.tracks.getBySlug(slug));
  }

  tracks(query: TrackListQuery): Promise<Entry> {
    // Any track change can move a track into or out of any filtered, sorted page.
    return this.read(keyOf('tracks', query), { tags: ['tracks:list'] }, () => this.catalog.tracks.list(query));
  }

  artists(query: { sort?: ArtistSort | undefined; limit: number; cursor?: string | undefined }): Promise<Entry> {
    return this.read(keyOf('artists', query), { tags: ['artists:list'] }, () => this.catalog.artists.listArtists(query));
  }

  artist(id: number): Promise<Entry> {
    return this.read(`artist:${id}`, { tags: (a) => [`artist:${id}`, ...a.albums.map((al) => `album:${al.id}`)] }, () => this.catalog.artists.getArtist(id));
  }

  albums(query: { artistId?: number | undefined; sort?: AlbumSort | undefined; limit: number; cursor?: string | undefined }): Promise<Entry> {
    return this.read(keyOf('albums', query), { tags: ['albums:list'] }, () => this.catalog.artists.listAlbums(query));
  }

  album(id: number): Promise<Entry> {
    return this.read(`album:${id}`, { tags: (a) => [`album:${id}`, `artist:${a.artistId}`, ...a.tracks.flatMap(trackTags)] }, () =>
      this.catalog.artists.getAlbum(id),
    );
  }

  genres(): Promise<Entry> {
    return this.read('genres', { tags: ['genres'] }, () => ({ items: this.catalog.taxonomy.listGenres() }));
  }

  mediaTypes(): Promise<Entry> {
    return this.read('media-types', { tags: ['media-types'] }, () => ({ items: this.catalog.taxonomy.listMediaTypes() }));
  }

  playlists(query: { sort?: PlaylistSort | undefined; limit: number; cursor?: string | undefined }): Promise<Entry> {
    return this.read(keyOf('playlists', query), { tags: ['playlists'] }, () => this.catalog.taxonomy.listPlaylists(query));
  }

  playlist(id: number, page: { limit: number; cursor?: string | undefined }): Promise<Entry> {
    return this.read(keyOf(`playlist:${id}`, page), { tags: (p) => ['playlists', `playlist:${id}`, ...p.tracks.items.flatMap(trackTags)] }, () =>
      this.catalog.taxonomy.getPlaylist(id, page),
    );
  }

  salesByCountry(limit: number): Promise<Entry> {
    return this.read(`reports:sales-by-country:${limit}`, { tags: ['reports'] }, () => ({ items: this.reports.salesByCountry(limit) }));
  }

  topArtists(limit: number): Promise<Entry> {
    return this.read(`reports:top-artists:${limit}`, { tags: ['reports'] }, () => ({ items: this.reports.topArtists(limit) }));
  }

  topTracks(limit: number): Promise<Entry> {
    return this.read(`reports:top-tracks:${limit}`, { tags: ['reports', 'popular'] }, () => ({ items: this.reports.topTracks(limit) }));
  }

  /**
   * Warms what a storefront's first page asks for: the genre list, the best sellers and
   * their track pages. (The `track` popularity ranking is the store's: ctx.preload adds it.)
   */
  async preload(topN = 50): Promise<{ entries: number; ms: number }> {
    const started = performance.now();
    if (!this.cache) return { entries: 0, ms: 0 };
    const before = this.cache.stats().total.entries;
    await this.genres();
    await this.topTracks(10);
    await this.topArtists(10);
    for (const t of this.reports.topTracks(topN)) await this.track(t.id);
    return { entries: this.cache.stats().total.entries - before, ms: performance.now() - started };
  }

  private async read<T>(key: string, options: RememberOptions<T>, compute: () => T): Promise<Entry> {
    if (!this.cache) {
      const json = JSON.stringify(compute());
      return { json, etag: etagOf(json) };
    }
    return this.cache.rememberJson(key, options, compute);
  }
}
