// Catalog reads through the cache database. Each answer is stored as the JSON the client gets,
// with its ETag, and tagged with every id whose change can make it stale (tagsForEvent in
// cache/bus.ts is the other half of that contract).
import { type CacheDb, type Entry, keyOf, type RememberOptions, rememberEntry } from '../cache/index.ts';
import type { AlbumSort, ArtistListQuery } from './artists.ts';
import type { CatalogService } from './index.ts';
import type { PlaylistSort } from './taxonomy.ts';
import type { TrackListQuery } from './tracks.ts';

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
  ) {}

  track(id: number): Entry | Promise<Entry> {
    return this.read(`track:${id}`, { tags: trackTags }, () => this.catalog.tracks.get(id));
  }

  trackBySlug(slug: string): Entry | Promise<Entry> {
    return this.read(`track-slug:${slug}`, { tags: trackTags }, () => this.catalog.tracks.getBySlug(slug));
  }

  tracks(query: TrackListQuery): Entry | Promise<Entry> {
    // Any track change can move a track into or out of any filtered, sorted page.
    return this.read(keyOf('tracks', query), { tags: ['tracks:list'] }, () => this.catalog.tracks.list(query));
  }

  artists(query: ArtistListQuery): Entry | Promise<Entry> {
    return this.read(keyOf('artists', query), { tags: ['artists:list'] }, () => this.catalog.artists.listArtists(query));
  }

  artist(id: number): Entry | Promise<Entry> {
    return this.read(`artist:${id}`, { tags: (a) => [`artist:${id}`, ...a.albums.map((al) => `album:${al.id}`)] }, () => this.catalog.artists.getArtist(id));
  }

  albums(query: { artistId?: number | undefined; sort?: AlbumSort | undefined; limit: number; cursor?: string | undefined }): Entry | Promise<Entry> {
    return this.read(keyOf('albums', query), { tags: ['albums:list'] }, () => this.catalog.artists.listAlbums(query));
  }

  album(id: number): Entry | Promise<Entry> {
    return this.read(`album:${id}`, { tags: (a) => [`album:${id}`, `artist:${a.artistId}`, ...a.tracks.flatMap(trackTags)] }, () =>
      this.catalog.artists.getAlbum(id),
    );
  }

  genres(): Entry | Promise<Entry> {
    return this.read('genres', { tags: ['genres'] }, () => ({ items: this.catalog.taxonomy.listGenres() }));
  }

  mediaTypes(): Entry | Promise<Entry> {
    return this.read('media-types', { tags: ['media-types'] }, () => ({ items: this.catalog.taxonomy.listMediaTypes() }));
  }

  playlists(query: { sort?: PlaylistSort | undefined; limit: number; cursor?: string | undefined }): Entry | Promise<Entry> {
    return this.read(keyOf('playlists', query), { tags: ['playlists'] }, () => this.catalog.taxonomy.listPlaylists(query));
  }

  playlist(id: number, page: { limit: number; cursor?: string | undefined }): Entry | Promise<Entry> {
    return this.read(keyOf(`playlist:${id}`, page), { tags: (p) => ['playlists', `playlist:${id}`, ...p.tracks.items.flatMap(trackTags)] }, () =>
      this.catalog.taxonomy.getPlaylist(id, page),
    );
  }

  private read<T>(key: string, options: RememberOptions<T>, compute: () => T): Entry | Promise<Entry> {
    return rememberEntry(this.cache, key, options, compute);
  }
}
