// Home: a personal shelf for a logged-in listener ("recommended for you", each with why),
// the popular shelf for a visitor, then the genres and best-selling artists.
import { get, prefetch } from '../../shared/api.ts';
import { count } from '../../shared/format.ts';
import { Link } from '../../shared/router.tsx';
import { useStore } from '../../shared/store.ts';
import type { Counted, PopularTrack, Recommendation } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { artistHref, ErrorNote, GenreChips, Loading, rowOf, type TrackRow, TrackTable, useTitle } from '../components.tsx';
import { session } from '../state.ts';
import { suggestionRows } from '../suggestions.tsx';

interface TopArtist {
  artistId: number;
  name: string;
  unitsSold: number;
}

interface Shelf {
  rows: TrackRow[];
}

async function loadRecommendations(): Promise<Shelf> {
  const recs = await get<{ items: Recommendation[] }>('/api/recommendations', { limit: 12 });
  return { rows: await suggestionRows(recs.items) };
}

async function loadPopular(): Promise<Shelf> {
  const popular = await get<{ items: PopularTrack[] }>(...POPULAR);
  return { rows: popular.items.map((t) => ({ ...rowOf(t), note: `Popular: bought or played ${count(t.popularity, 'time')}` })) };
}

const POPULAR = ['/api/tracks/popular', { limit: 12 }] as const;
const GENRES = ['/api/genres'] as const;
const TOP_ARTISTS = ['/api/reports/top-artists', { limit: 8 }] as const;

/**
 * Called at boot on "/", before the session is known: everything the page shows either way,
 * plus the visitor's shelf (a logged-in user's is asked for as soon as the session says so).
 */
export function prefetchHome(): void {
  prefetch(...POPULAR);
  prefetch(...GENRES);
  prefetch(...TOP_ARTISTS);
}

export function HomePage() {
  const { user, ready } = useStore(session);
  useTitle('Music store');
  const shelf = useApi(ready ? `shelf:${user?.id ?? 'visitor'}` : null, () => (user ? loadRecommendations() : loadPopular()));
  const genres = useApi('genres', () => get<{ items: Counted[] }>(...GENRES));
  const artists = useApi('top-artists', () => get<{ items: TopArtist[] }>(...TOP_ARTISTS));
  const done = !shelf.loading && !genres.loading && !artists.loading && shelf.data !== null;

  return (
    <div class="home" data-ready={done ? 'true' : undefined}>
      <section class="hero">
        <h1 tabIndex={-1}>{user ? `Welcome back, ${user.displayName}` : 'Find your next favourite track'}</h1>
        <p>
          Every track of the Chinook catalog, searchable as you type. Every track {user ? 'you buy or play' : 'bought or played'} teaches the recommendations.
        </p>
      </section>

      <section class="shelf" aria-labelledby="shelf-title">
        <h2 id="shelf-title">{user ? 'Recommended for you' : 'Popular right now'}</h2>
        {!user && ready && (
          <p class="muted">
            <Link href="/login?next=%2F">Log in</Link> for recommendations from what you buy and play.
          </p>
        )}
        {shelf.error ? (
          <ErrorNote error={shelf.error} retry={shelf.reload} />
        ) : shelf.data ? (
          <TrackTable rows={shelf.data.rows} label={user ? 'Recommended tracks' : 'Popular tracks'} />
        ) : (
          <Loading label="Loading tracks" />
        )}
      </section>

      <div class="two-col">
        <section aria-labelledby="genres-title">
          <h2 id="genres-title">Browse by genre</h2>
          <GenreChips genres={genres.data?.items.filter((g) => g.trackCount > 0) ?? []} />
        </section>
        <section aria-labelledby="artists-title">
          <h2 id="artists-title">Best-selling artists</h2>
          <ol class="ranked">
            {artists.data?.items.map((a) => (
              <li key={a.artistId}>
                <Link href={artistHref(a.artistId, a.name)}>{a.name}</Link>
                <span class="muted"> · {count(a.unitsSold, 'track')} sold</span>
              </li>
            ))}
          </ol>
          <p>
            <Link href="/artists">All artists →</Link> · <Link href="/albums">All albums →</Link>
          </p>
        </section>
      </div>
    </div>
  );
}
