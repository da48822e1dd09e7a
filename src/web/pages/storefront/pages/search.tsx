// /search?q=…: results with highlights, "showing results for …" when the server corrected or
// dropped words, facet filters (genre, media type, artist), price and duration ranges, sorts,
// and paging (by the reply's cursor when the server gives one, else by offset).
import { useEffect, useState } from 'preact/hooks';
import { get } from '../../shared/api.ts';
import { count } from '../../shared/format.ts';
import { Highlighted } from '../../shared/highlight.tsx';
import { Link, navigate } from '../../shared/router.tsx';
import type { Counted, Facet, SearchReply, Suggestion } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { albumHref, artistHref, ErrorNote, genreHref, Pager, SkeletonRows, SortSelect, TrackTable, useTitle } from '../components.tsx';
import { searchUrl } from '../search-box.tsx';

const PAGE_SIZE = 20;
/** Pages linked above the results: four fit on two lines at 1280 px ("miles": the artist and three albums). */
const GO_TO_MAX = 4;
const SORTS = [
  ['relevance', 'Best match'],
  ['name', 'Name A–Z'],
  ['price', 'Price, low to high'],
  ['-price', 'Price, high to low'],
  ['duration', 'Shortest first'],
  ['-duration', 'Longest first'],
] as const;
const FILTER_KEYS = ['genreId', 'mediaTypeId', 'artistId', 'minPrice', 'maxPrice', 'minDurationMs', 'maxDurationMs', 'sort'] as const;

const with_ = (query: URLSearchParams, changes: Record<string, string | null>) => {
  const next = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') next.delete(k);
    else next.set(k, v);
  }
  // Any change of question starts again from the first page.
  if (!('cursor' in changes) && !('offset' in changes)) {
    next.delete('cursor');
    next.delete('offset');
    next.delete('prev');
  }
  return `/search?${next.toString()}`;
};

function FacetGroup({ title, name, facets, query }: { title: string; name: string; facets: Facet[]; query: URLSearchParams }) {
  const selected = query.get(name);
  if (!facets.length && !selected) return null;
  return (
    <fieldset class="facet">
      <legend>{title}</legend>
      <ul>
        {facets.map((f) => {
          const on = selected === String(f.id);
          return (
            <li key={f.id}>
              <button
                type="button"
                class={`facet-option ${on ? 'on' : ''}`}
                aria-pressed={on}
                onClick={() => navigate(with_(query, { [name]: on ? null : String(f.id) }), { keepScroll: true })}
              >
                <span>{f.name}</span>
                <span class="facet-count">{f.count}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

/** Min/max inputs that apply on change (Enter or leaving the field), in people's units. */
function RangeFilter(props: { legend: string; unit: string; minKey: string; maxKey: string; scale: number; step: string; query: URLSearchParams }) {
  const { legend, unit, minKey, maxKey, scale, step, query } = props;
  const shown = (k: string) => {
    const v = query.get(k);
    return v === null ? '' : String(Number(v) / scale);
  };
  const apply = (k: string, value: string) => {
    const n = Number(value);
    const v = value.trim() === '' || !Number.isFinite(n) || n < 0 ? null : String(Math.round(n * scale * 100) / 100);
    if (v !== query.get(k)) navigate(with_(query, { [k]: v }), { keepScroll: true });
  };
  return (
    <fieldset class="facet range">
      <legend>{legend}</legend>
      <div class="range-inputs">
        <label>
          <span>Min {unit}</span>
          <input
            type="number"
            min="0"
            step={step}
            inputMode="decimal"
            value={shown(minKey)}
            onChange={(e) => apply(minKey, (e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          <span>Max {unit}</span>
          <input
            type="number"
            min="0"
            step={step}
            inputMode="decimal"
            value={shown(maxKey)}
            onChange={(e) => apply(maxKey, (e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
    </fieldset>
  );
}

/** A page the query names: an artist, a genre or an album. */
interface Destination {
  kind: 'artist' | 'genre' | 'album';
  id: number;
  text: string;
  artist?: string | undefined;
}

/** The search's answer and, on its first page, the artists, genres and albums named like the query. */
type Answer = SearchReply & { goTo: Destination[] };

const KIND_LABEL: Record<Destination['kind'], string> = { artist: 'Artist', genre: 'Genre', album: 'Album' };
const hrefOf = (d: Destination) => (d.kind === 'artist' ? artistHref(d.id, d.text) : d.kind === 'genre' ? genreHref(d.id, d.text) : albumHref(d.id, d.text));

/** Lower-case words without accents: "Rock And Roll" → rock, and, roll. */
const wordsOf = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/**
 * Genres the query names: each of its words starts a word of the genre's name ("metal" →
 * Metal, Heavy Metal; "rock and" → Rock And Roll), the one named exactly first, then the larger. Three letters at least, so that "r" does not
 * name every genre with an R. The suggestion index holds no genres; the 25 are one cached GET.
 */
function genresNamed(q: string, genres: Counted[]): Counted[] {
  const words = wordsOf(q);
  if (words.join('').length < 3) return [];
  const exact = (g: Counted) => (wordsOf(g.name).join(' ') === words.join(' ') ? 0 : 1);
  return genres
    .filter((g) => {
      const name = wordsOf(g.name);
      return g.trackCount > 0 && words.every((w) => name.some((n) => n.startsWith(w)));
    })
    .sort((a, b) => exact(a) - exact(b) || b.trackCount - a.trackCount);
}

/**
 * Artists, genres and albums whose names match the query (artists and albums from the
 * suggestion index, as the search box's list reads it): a results page of tracks otherwise
 * has no way to their own pages. None on later pages.
 */
function GoTo({ items }: { items: Destination[] }) {
  if (!items.length) return null;
  return (
    <nav class="go-to" aria-label="Artists, genres and albums">
      <span class="muted">Go to</span>
      {items.map((d) => (
        <Link key={`${d.kind}:${d.id}`} class="go-to-item" href={hrefOf(d)}>
          <span class="go-to-kind">{KIND_LABEL[d.kind]}</span>
          {d.text}
          {d.artist && <span class="muted"> · {d.artist}</span>}
        </Link>
      ))}
    </nav>
  );
}

/**
 * The genres, asked once per visit: the results follow every keystroke, and the 25 genres change
 * only by an admin's edit, which at worst leaves a "Go to" link stale until the next page load.
 * A failed answer is forgotten, so the next search asks again.
 */
let genresOnce: Promise<Counted[]> | null = null;
const allGenres = (): Promise<Counted[]> =>
  (genresOnce ??= get<{ items: Counted[] }>('/api/genres').then(
    (r) => r.items,
    (e: unknown) => {
      genresOnce = null;
      throw e;
    },
  ));

/** Artists first, then genres, then albums: the broader page before the narrower. */
async function destinations(q: string): Promise<Destination[]> {
  // The results matter more than the links: a failure here only leaves the line out.
  const [names, genres] = await Promise.all([
    get<{ suggestions: Suggestion[] }>('/api/search/suggest', { q, limit: 12 }).catch(() => null),
    allGenres().catch(() => []),
  ]);
  const found = names?.suggestions ?? [];
  const of = (kind: 'artist' | 'album') => found.filter((n) => n.type === kind).map((n): Destination => ({ kind, id: n.id, text: n.text, artist: n.artist }));
  const named = genresNamed(q, genres).map((g): Destination => ({ kind: 'genre', id: g.id, text: g.name }));
  return [...of('artist'), ...named, ...of('album')].slice(0, GO_TO_MAX);
}

export function SearchPage({ query }: { query: URLSearchParams }) {
  const q = (query.get('q') ?? '').trim();
  useTitle(q ? `“${q}”` : 'Search');
  const params: Record<string, string> = { q, limit: String(PAGE_SIZE) };
  for (const k of FILTER_KEYS) {
    const v = query.get(k);
    if (v !== null && v !== '' && !(k === 'sort' && v === 'relevance')) params[k] = v;
  }
  const cursor = query.get('cursor');
  const offset = Number(query.get('offset') ?? 0) || 0;
  if (cursor) params.cursor = cursor;
  else if (offset) params.offset = String(offset);
  const key = q ? JSON.stringify(params) : null;
  // Both asked at once and shown together, so the "Go to" line never pushes painted results down.
  const result = useApi(key, async (): Promise<Answer> => {
    const [reply, goTo] = await Promise.all([get<SearchReply>('/api/search', params), cursor || offset ? [] : destinations(q)]);
    return { ...reply, goTo };
  });
  // Keep the last answer on screen while the next one loads: no flash, no layout shift.
  const [shown, setShown] = useState<{ key: string; reply: Answer } | null>(null);
  useEffect(() => {
    if (result.data && key) setShown({ key, reply: result.data });
  }, [result.data, key]);
  const [filtersOpen, setFiltersOpen] = useState(false);

  if (!q) {
    return (
      <div class="empty-state">
        <h1 tabIndex={-1}>Search the catalog</h1>
        <p>Type in the box above: a track, an album, an artist or a composer. Try “metal”, “miles davis” or “love”.</p>
      </div>
    );
  }

  const reply = result.data ?? shown?.reply ?? null;
  const current = result.data !== null && !result.loading;
  const activeFilters = FILTER_KEYS.filter((k) => k !== 'sort' && query.get(k));
  const prevCursors = (query.get('prev') ?? '').split(' ').filter(Boolean);
  const next = reply?.nextCursor
    ? () => navigate(with_(query, { cursor: reply.nextCursor ?? null, prev: [...prevCursors, cursor ?? '-'].join(' ') }))
    : reply && reply.nextCursor === undefined && offset + PAGE_SIZE < reply.total
      ? () => navigate(with_(query, { offset: String(offset + PAGE_SIZE) }))
      : null;
  const prev = cursor
    ? () => {
        const back = prevCursors.at(-1);
        navigate(with_(query, { cursor: back && back !== '-' ? back : null, prev: prevCursors.slice(0, -1).join(' ') || null }));
      }
    : offset > 0
      ? () => navigate(with_(query, { offset: offset > PAGE_SIZE ? String(offset - PAGE_SIZE) : null }))
      : null;
  const corrected = reply?.correctedQuery;
  const dropped = reply?.droppedWords ?? [];

  return (
    <div class="search-page">
      <div class="search-head">
        <h1 tabIndex={-1} aria-live="polite">
          {reply ? (
            <>
              {count(reply.total, 'result')} for <q>{corrected ?? q}</q>
            </>
          ) : (
            <>Searching for “{q}”…</>
          )}
        </h1>
        {/* Always one line here, so a correction arriving with the results moves nothing below it. */}
        {corrected ? (
          <p class="subline corrected" role="status">
            Showing results for <strong>{corrected}</strong>
            {/* A dropped word may be in many tracks, just in none with the other words. */}
            {dropped.length > 0 && (
              <>
                {' '}
                (no track also has {dropped.map((w) => `“${w}”`).join(', ')}, so we left {dropped.length === 1 ? 'it' : 'them'} out)
              </>
            )}{' '}
            instead of <q>{q}</q>.
          </p>
        ) : (
          <p class="subline muted">Tracks, albums, artists and composers; typos and half-typed words are forgiven. Quote a phrase to match it exactly.</p>
        )}
        <div class="search-tools">
          <SortSelect value={query.get('sort') ?? 'relevance'} options={SORTS} onChange={(v) => navigate(with_(query, { sort: v }))} />
          <button type="button" class="btn filters-toggle" aria-expanded={filtersOpen} aria-controls="filters" onClick={() => setFiltersOpen((o) => !o)}>
            Filters{activeFilters.length ? ` (${activeFilters.length})` : ''}
          </button>
          {activeFilters.length > 0 && (
            <button
              type="button"
              class="btn btn-link"
              onClick={() => navigate(searchUrl(q, new URLSearchParams(query.get('sort') ? { sort: query.get('sort') ?? '' } : {})))}
            >
              Clear filters
            </button>
          )}
        </div>
      </div>
      <div class="search-layout">
        <aside id="filters" class={`filters ${filtersOpen ? 'open' : ''}`} aria-label="Filters">
          {/* The ranges first: they are there before the answer, the facets arrive with it below them. */}
          <RangeFilter legend="Price" unit="$" minKey="minPrice" maxKey="maxPrice" scale={1} step="0.01" query={query} />
          <RangeFilter legend="Length" unit="min" minKey="minDurationMs" maxKey="maxDurationMs" scale={60000} step="0.5" query={query} />
          {reply && (
            <>
              <FacetGroup title="Genre" name="genreId" facets={reply.facets.genre} query={query} />
              <FacetGroup title="Artist" name="artistId" facets={reply.facets.artist} query={query} />
              <FacetGroup title="Media type" name="mediaTypeId" facets={reply.facets.mediaType} query={query} />
            </>
          )}
        </aside>
        <section class="results" aria-label="Results" aria-busy={!current} data-query={current ? q : undefined}>
          {result.error ? (
            <ErrorNote error={result.error} retry={result.reload} />
          ) : !reply ? (
            <SkeletonRows rows={10} />
          ) : reply.hits.length === 0 ? (
            <div class="empty-state">
              <h2>Nothing matched</h2>
              <ul>
                {activeFilters.length > 0 && <li>Some filters are on: try clearing them.</li>}
                <li>Try fewer or shorter words: a word that matches nothing is left out, but a quoted phrase must match as typed.</li>
                <li>
                  Or browse: <Link href="/genres">genres</Link>, <Link href="/artists">artists</Link>, <Link href="/playlists">playlists</Link>.
                </li>
              </ul>
            </div>
          ) : (
            <>
              <GoTo items={reply.goTo} />
              <TrackTable
                label="Search results"
                rows={reply.hits.map((h) => ({
                  id: h.id,
                  name: <Highlighted html={h.highlight.name} />,
                  plainName: h.name,
                  artist: h.highlight.artist !== null ? <Highlighted html={h.highlight.artist} /> : null,
                  artistId: h.artistId,
                  artistName: h.artist,
                  album: h.highlight.album !== null ? <Highlighted html={h.highlight.album} /> : null,
                  albumId: h.albumId,
                  albumTitle: h.album,
                  milliseconds: h.milliseconds,
                  unitPrice: h.unitPrice,
                  note:
                    h.genre && h.genreId ? (
                      <>
                        <Link href={genreHref(h.genreId, h.genre)}>{h.genre}</Link>
                        {h.composer && (
                          <>
                            {' · '}
                            {h.highlight.composer !== null ? <Highlighted html={h.highlight.composer} /> : h.composer}
                          </>
                        )}
                      </>
                    ) : undefined,
                }))}
              />
              <Pager label="Result pages" onPrev={prev} onNext={next} />
            </>
          )}
        </section>
      </div>
    </div>
  );
}
