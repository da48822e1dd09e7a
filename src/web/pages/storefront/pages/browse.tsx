// Artist, album, genre and playlist pages, and the lists of each.
import { ApiError, get } from '../../shared/api.ts';
import { count, durationWords, idFromSlug } from '../../shared/format.ts';
import { Link, navigate } from '../../shared/router.tsx';
import type { Album, AlbumSummary, Artist, ArtistSummary, Counted, Page, Playlist, Recommendation, Track } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import {
  AlbumCartButton,
  albumHref,
  artistHref,
  Cover,
  ErrorNote,
  GenreChips,
  genreHref,
  Loading,
  Pager,
  PageTitle,
  playlistHref,
  rowOf,
  SortSelect,
  TrackTable,
  useCanonicalPath,
  useTitle,
} from '../components.tsx';
import { useCursorPaging } from '../paging.ts';
import { SuggestionShelf } from '../suggestions.tsx';
import { NotFound } from './not-found.tsx';

const notFound = (e: Error | null) => e instanceof ApiError && e.status === 404;

/** One album in a grid of covers: its cover, title and a line under it. */
function AlbumCard({ album, byline }: { album: { id: number; title: string }; byline: string }) {
  return (
    <li>
      <Link href={albumHref(album.id, album.title)} class="album-card">
        <Cover id={album.id} title={album.title} />
        <span class="album-title">{album.title}</span>
        <span class="muted">{byline}</span>
      </Link>
    </li>
  );
}

export function ArtistPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const id = idFromSlug(params.slug ?? '');
  const sort = query.get('sort') ?? 'name';
  const cursor = query.get('cursor');
  const artist = useApi(id === null ? null : `artist:${id}`, () => get<Artist>(`/api/artists/${id}`));
  // Asked beside the artist, not after it: one round trip for the page, not two.
  const tracks = useApi(id === null ? null : `artist-tracks:${id}:${sort}:${cursor}`, () =>
    get<Page<Track>>('/api/tracks', { artistId: id, sort, limit: 50, cursor: cursor ?? undefined }),
  );
  const paging = useCursorPaging(tracks.data?.nextCursor);
  useTitle(artist.data?.name ?? null);
  useCanonicalPath(artist.data ? artistHref(artist.data.id, artist.data.name) : null);
  if (id === null || notFound(artist.error)) return <NotFound what="artist" />;
  if (artist.error) return <ErrorNote error={artist.error} retry={artist.reload} />;
  if (tracks.error) return <ErrorNote error={tracks.error} retry={tracks.reload} />;
  const a = artist.data;
  if (!a) return <Loading />;
  if (a.albums.length === 0) {
    return (
      <article class="entity-page">
        <PageTitle kicker="Artist">{a.name}</PageTitle>
        <div class="empty-state" data-empty-artist="true">
          <p>The catalog has no albums by {a.name}: nothing to play or buy here yet.</p>
          <p>
            <Link href="/artists">Browse the artists</Link> or <Link href="/genres">the genres</Link>.
          </p>
        </div>
      </article>
    );
  }
  const trackCount = a.albums.reduce((n, al) => n + al.trackCount, 0);
  return (
    <article class="entity-page">
      <PageTitle kicker="Artist">{a.name}</PageTitle>
      <p class="muted">
        {count(a.albumCount, 'album')}, {count(trackCount, 'track')}
      </p>
      <ul class="album-grid">
        {a.albums.map((al) => (
          <AlbumCard key={al.id} album={al} byline={count(al.trackCount, 'track')} />
        ))}
      </ul>
      <div class="list-tools">
        <h2 id="artist-tracks">Tracks</h2>
        <SortSelect value={sort} options={TRACK_SORTS} onChange={(v) => navigate(`${artistHref(a.id, a.name)}?sort=${encodeURIComponent(v)}`)} />
      </div>
      {tracks.data ? <TrackTable rows={tracks.data.items.map(rowOf)} showArtist={false} label={`Tracks by ${a.name}`} /> : <Loading />}
      <Pager label="Track pages" onPrev={paging.onPrev} onNext={paging.onNext} />
    </article>
  );
}

export function AlbumPage({ params }: { params: Record<string, string> }) {
  const id = idFromSlug(params.slug ?? '');
  const album = useApi(id === null ? null : `album:${id}`, () => get<Album>(`/api/albums/${id}`));
  useTitle(album.data ? `${album.data.title} by ${album.data.artist}` : null);
  useCanonicalPath(album.data ? albumHref(album.data.id, album.data.title) : null);
  if (id === null || notFound(album.error)) return <NotFound what="album" />;
  if (album.error) return <ErrorNote error={album.error} retry={album.reload} />;
  const a = album.data;
  if (!a) return <Loading />;
  return (
    <article class="entity-page">
      <div class="album-hero">
        <Cover id={a.id} title={a.title} size="lg" />
        <div>
          <PageTitle kicker="Album">{a.title}</PageTitle>
          <p class="byline">
            <Link href={artistHref(a.artistId, a.artist)}>{a.artist}</Link>
            <span class="muted">
              {' · '}
              {count(a.trackCount, 'track')}, {durationWords(a.durationMs)}
              {a.releaseDate ? ` · ${a.releaseDate.slice(0, 4)}` : ''}
            </span>
          </p>
          <AlbumCartButton
            title={a.title}
            items={a.tracks.map((t) => ({ id: t.id, name: t.name, artist: t.artist, unitPrice: t.unitPrice, milliseconds: t.milliseconds }))}
          />
        </div>
      </div>
      <TrackTable rows={a.tracks.map(rowOf)} showAlbum={false} showArtist={false} numbered label={`Tracks on ${a.title}`} />
    </article>
  );
}

/** The sorts of /api/tracks a shopper cares about: a genre's and an artist's track lists. */
const TRACK_SORTS = [
  ['name', 'Name A–Z'],
  ['-price', 'Price, high to low'],
  ['price', 'Price, low to high'],
  ['-duration', 'Longest first'],
  ['duration', 'Shortest first'],
  ['newest', 'Newest'],
] as const;

export function GenrePage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const id = idFromSlug(params.slug ?? '');
  const genres = useApi('genres', () => get<{ items: Counted[] }>('/api/genres'));
  const genre = genres.data?.items.find((g) => g.id === id);
  const sort = query.get('sort') ?? 'name';
  const cursor = query.get('cursor');
  const tracks = useApi(id === null ? null : `genre:${id}:${sort}:${cursor}`, () =>
    get<Page<Track>>('/api/tracks', { genreId: id, sort, limit: 25, cursor: cursor ?? undefined }),
  );
  const paging = useCursorPaging(tracks.data?.nextCursor);
  useTitle(genre?.name ?? null);
  useCanonicalPath(genre ? genreHref(genre.id, genre.name) : null);
  if (id === null || (genres.data && !genre)) return <NotFound what="genre" />;
  if (tracks.error) return <ErrorNote error={tracks.error} retry={tracks.reload} />;
  return (
    <article class="entity-page">
      <PageTitle kicker="Genre">{genre?.name ?? '…'}</PageTitle>
      <div class="list-tools">
        <span class="muted">{genre ? count(genre.trackCount, 'track') : ''}</span>
        <SortSelect value={sort} options={TRACK_SORTS} onChange={(v) => navigate(`${genreHref(id, genre?.name ?? '')}?sort=${encodeURIComponent(v)}`)} />
      </div>
      {tracks.data ? <TrackTable rows={tracks.data.items.map(rowOf)} label={`${genre?.name ?? ''} tracks`} /> : <Loading />}
      <Pager label="Track pages" onPrev={paging.onPrev} onNext={paging.onNext} />
    </article>
  );
}

export function PlaylistPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const id = idFromSlug(params.slug ?? '');
  const cursor = query.get('cursor');
  const playlist = useApi(id === null ? null : `playlist:${id}:${cursor}`, () =>
    get<Playlist>(`/api/playlists/${id}`, { limit: 50, cursor: cursor ?? undefined }),
  );
  const paging = useCursorPaging(playlist.data?.tracks.nextCursor);
  useTitle(playlist.data?.name ?? null);
  useCanonicalPath(playlist.data ? playlistHref(playlist.data.id, playlist.data.name) : null);
  if (id === null || notFound(playlist.error)) return <NotFound what="playlist" />;
  if (playlist.error) return <ErrorNote error={playlist.error} retry={playlist.reload} />;
  const p = playlist.data;
  if (!p) return <Loading />;
  return (
    <article class="entity-page">
      <PageTitle kicker="Playlist">{p.name}</PageTitle>
      <p class="muted">{count(p.trackCount, 'track')}</p>
      {p.tracks.items.length ? <TrackTable rows={p.tracks.items.map(rowOf)} label={`Tracks in ${p.name}`} /> : <p>This playlist is empty.</p>}
      <Pager label="Track pages" onPrev={paging.onPrev} onNext={paging.onNext} />
      {p.trackCount > 0 && (
        <SuggestionShelf
          id="continue-title"
          title="Continue this playlist"
          hint="Tracks that fit after these: from the same albums and artists, and tracks that share playlists and purchases with them."
          loadKey={`continue:${p.id}`}
          load={() => get<{ items: Recommendation[] }>(`/api/playlists/${p.id}/continue`, { limit: 8 }).then((r) => r.items)}
        />
      )}
    </article>
  );
}

export function GenresPage() {
  const genres = useApi('genres', () => get<{ items: Counted[] }>('/api/genres'));
  useTitle('Genres');
  return (
    <article class="entity-page">
      <PageTitle>Genres</PageTitle>
      {genres.error && <ErrorNote error={genres.error} retry={genres.reload} />}
      <GenreChips genres={genres.data?.items ?? []} large />
    </article>
  );
}

export function PlaylistsPage({ query }: { query: URLSearchParams }) {
  const cursor = query.get('cursor');
  const lists = useApi(`playlists:${cursor}`, () => get<Page<Counted>>('/api/playlists', { limit: 50, sort: 'name', cursor: cursor ?? undefined }));
  const paging = useCursorPaging(lists.data?.nextCursor);
  useTitle('Playlists');
  return (
    <article class="entity-page">
      <PageTitle>Playlists</PageTitle>
      {lists.error && <ErrorNote error={lists.error} retry={lists.reload} />}
      <ul class="link-list">
        {lists.data?.items.map((p) => (
          <li key={p.id}>
            <Link href={playlistHref(p.id, p.name)}>{p.name}</Link> <span class="muted">{count(p.trackCount, 'track')}</span>
          </li>
        ))}
      </ul>
      <Pager label="Playlist pages" onPrev={paging.onPrev} onNext={paging.onNext} />
    </article>
  );
}

/** Title order either way; the sort is in the address (?sort=-title) like every list's. */
export function AlbumsPage({ query }: { query: URLSearchParams }) {
  const cursor = query.get('cursor');
  const sort = query.get('sort') === '-title' ? '-title' : 'title';
  const albums = useApi(`albums:${sort}:${cursor}`, () => get<Page<AlbumSummary>>('/api/albums', { limit: 48, sort, cursor: cursor ?? undefined }));
  const paging = useCursorPaging(albums.data?.nextCursor);
  useTitle('Albums');
  return (
    <article class="entity-page">
      <PageTitle>Albums</PageTitle>
      <div class="list-tools">
        <span class="muted">Every album in the catalog</span>
        <SortSelect
          value={sort}
          options={[
            ['title', 'Title A–Z'],
            ['-title', 'Title Z–A'],
          ]}
          onChange={(v) => navigate(`/albums?sort=${encodeURIComponent(v)}`)}
        />
      </div>
      {albums.error && <ErrorNote error={albums.error} retry={albums.reload} />}
      {albums.data ? (
        <ul class="album-grid" aria-label="Albums">
          {albums.data.items.map((al) => (
            <AlbumCard key={al.id} album={al} byline={`${al.artist} · ${count(al.trackCount, 'track')}`} />
          ))}
        </ul>
      ) : (
        !albums.error && <Loading />
      )}
      <Pager label="Album pages" onPrev={paging.onPrev} onNext={paging.onNext} />
    </article>
  );
}

export function ArtistsPage({ query }: { query: URLSearchParams }) {
  const cursor = query.get('cursor');
  const sort = query.get('sort') === '-name' ? '-name' : 'name';
  // Only artists with an album: a directory entry should lead to something to play or buy.
  const artists = useApi(`artists:${sort}:${cursor}`, () =>
    get<Page<ArtistSummary>>('/api/artists', { limit: 60, sort, cursor: cursor ?? undefined, withAlbums: true }),
  );
  const paging = useCursorPaging(artists.data?.nextCursor);
  useTitle('Artists');
  return (
    <article class="entity-page">
      <PageTitle>Artists</PageTitle>
      <div class="list-tools">
        <span class="muted">Every artist with an album in the catalog</span>
        <SortSelect
          value={sort}
          options={[
            ['name', 'Name A–Z'],
            ['-name', 'Name Z–A'],
          ]}
          onChange={(v) => navigate(`/artists?sort=${encodeURIComponent(v)}`)}
        />
      </div>
      {artists.error && <ErrorNote error={artists.error} retry={artists.reload} />}
      <ul class="link-list columns">
        {artists.data?.items.map((a) => (
          <li key={a.id}>
            <Link href={artistHref(a.id, a.name)}>{a.name}</Link> <span class="muted">{count(a.albumCount, 'album')}</span>
          </li>
        ))}
      </ul>
      <Pager label="Artist pages" onPrev={paging.onPrev} onNext={paging.onNext} />
    </article>
  );
}
