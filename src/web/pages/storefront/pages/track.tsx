// A track: its facts, buy and play, and "more like this" in each similarity space.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post } from '../../shared/api.ts';
import { duration, idFromSlug, price } from '../../shared/format.ts';
import { Link } from '../../shared/router.tsx';
import { useStore } from '../../shared/store.ts';
import type { SimilarTrack, Track } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { albumHref, artistHref, CartButton, Cover, ErrorNote, genreHref, Loading, trackHref, useCanonicalPath, useTitle } from '../components.tsx';
import { session } from '../state.ts';
import { NotFound } from './not-found.tsx';

/** The spaces, what each is honestly built from (Chinook has no audio and no lyrics). */
export const SPACES = [
  { id: 'blend', label: 'Blend', means: 'All three spaces below, weighted together.' },
  { id: 'audio', label: 'Listens-alike', means: 'Tracks that turn up together in the same playlists and purchases (there is no audio to listen to).' },
  { id: 'lyric', label: 'Text', means: 'Words and letter patterns of the track, album, artist and composer names (there are no lyrics).' },
  { id: 'metadata', label: 'Metadata', means: 'Genre, media type, length, price, composer and album.' },
] as const;
type SpaceId = (typeof SPACES)[number]['id'];

function MoreLikeThis({ track }: { track: Track }) {
  const [space, setSpace] = useState<SpaceId>('blend');
  const similar = useApi(`${track.id}:${space}`, () => get<{ items: SimilarTrack[] }>(`/api/tracks/${track.id}/similar`, { space, limit: 8 }));
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = SPACES.find((s) => s.id === space) ?? SPACES[0];
  const onKey = (e: KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const j = (i + step + SPACES.length) % SPACES.length;
    setSpace(SPACES[j]?.id ?? 'blend');
    tabs.current[j]?.focus();
  };
  return (
    <section class="similar" aria-labelledby="similar-title">
      <h2 id="similar-title">More like this</h2>
      <div role="tablist" aria-label="Similarity space" class="tabs">
        {SPACES.map((s, i) => (
          <button
            key={s.id}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${s.id}`}
            aria-selected={s.id === space}
            aria-controls="similar-panel"
            tabIndex={s.id === space ? 0 : -1}
            class="tab"
            onClick={() => setSpace(s.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {s.label}
          </button>
        ))}
      </div>
      <div id="similar-panel" role="tabpanel" aria-labelledby={`tab-${space}`} data-space={similar.loading ? undefined : space}>
        <p class="space-means">{current.means}</p>
        {similar.error ? (
          <ErrorNote
            error={
              similar.error instanceof ApiError && similar.error.status === 409
                ? new Error('Similarity is not available until the vectors are built.')
                : similar.error
            }
          />
        ) : similar.data ? (
          <ol class="similar-list">
            {similar.data.items.map((s) => (
              <li key={s.id}>
                <Link href={trackHref(s)}>{s.name}</Link>
                <span class="muted">
                  {s.artist ?? 'Unknown artist'}
                  {s.genre ? ` · ${s.genre}` : ''}
                </span>
                <span class="similarity" title="cosine similarity">
                  <meter min={0} max={1} value={Math.max(0, s.similarity)} aria-label={`${Math.round(Math.max(0, s.similarity) * 100)}% similar`} />
                  {Math.round(Math.max(0, s.similarity) * 100)}%
                </span>
              </li>
            ))}
          </ol>
        ) : (
          <div class="similar-list placeholder" />
        )}
      </div>
    </section>
  );
}

/** Chinook has no audio: "playing" records a play and runs a bar for the track's length. */
function Player({ track }: { track: Track }) {
  const { user } = useStore(session);
  const [state, setState] = useState<{ startedAt: number; playId: number } | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!state) return;
    const tick = () => {
      const ms = Date.now() - state.startedAt;
      setElapsed(Math.min(ms, track.milliseconds));
      if (ms >= track.milliseconds) setState(null);
    };
    tick();
    const timer = window.setInterval(tick, 250);
    return () => window.clearInterval(timer);
  }, [state, track.milliseconds]);
  useEffect(() => () => setState(null), []);

  const play = async () => {
    setError(null);
    try {
      const played = await post<{ id: number }>('/api/plays', { trackId: track.id });
      setElapsed(0);
      setState({ startedAt: Date.now(), playId: played.id });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const pct = (100 * elapsed) / Math.max(1, track.milliseconds);
  return (
    <div class="player">
      {user ? (
        <button type="button" class="btn btn-play" onClick={state ? () => setState(null) : play} aria-pressed={state !== null}>
          {state ? '■ Stop' : '▶ Play'}
        </button>
      ) : (
        <Link class="btn" href={`/login?next=${encodeURIComponent(trackHref(track))}`}>
          Log in to play
        </Link>
      )}
      <div class="player-bar">
        <progress max={track.milliseconds} value={elapsed} aria-label="Playback position" data-playing={state ? 'true' : undefined} />
        <span class="player-time">
          {duration(elapsed)} / {duration(track.milliseconds)}
        </span>
      </div>
      <p class="player-note">
        {state ? 'Playing (silently): ' : ''}Chinook has no audio, so there is nothing to hear; a play is recorded in your history and shapes your
        recommendations.{state ? ` ${Math.round(pct)}%` : ''}
      </p>
      {error && (
        <p class="note note-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function TrackPage({ params }: { params: Record<string, string> }) {
  const id = idFromSlug(params.slug ?? '');
  const track = useApi(id === null ? null : `track:${id}`, () => get<Track>(`/api/tracks/${id}`));
  useTitle(track.data ? `${track.data.name} by ${track.data.artist ?? 'unknown artist'}` : null);
  useCanonicalPath(track.data ? `/tracks/${track.data.slug}` : null);

  if (id === null || (track.error instanceof ApiError && track.error.status === 404)) return <NotFound what="track" />;
  if (track.error) return <ErrorNote error={track.error} retry={track.reload} />;
  const t = track.data;
  if (!t) return <Loading label="Loading the track" />;
  return (
    <article class="track-page" data-track-id={t.id}>
      <div class="track-hero">
        <Cover id={t.albumId} title={t.album ?? t.name} size="lg" />
        <div class="track-facts">
          <p class="kicker">Track</p>
          <h1 tabIndex={-1}>{t.name}</h1>
          <p class="byline">
            {t.artistId !== null && t.artist !== null ? <Link href={artistHref(t.artistId, t.artist)}>{t.artist}</Link> : 'Unknown artist'}
            {t.albumId !== null && t.album !== null && (
              <>
                {' · '}
                <Link href={albumHref(t.albumId, t.album)}>{t.album}</Link>
              </>
            )}
          </p>
          <dl class="facts">
            <dt>Length</dt>
            <dd>{duration(t.milliseconds)}</dd>
            <dt>Genre</dt>
            <dd>{t.genreId !== null && t.genre !== null ? <Link href={genreHref(t.genreId, t.genre)}>{t.genre}</Link> : '—'}</dd>
            <dt>Format</dt>
            <dd>{t.mediaType}</dd>
            {t.composer && (
              <>
                <dt>Composer</dt>
                <dd>{t.composer}</dd>
              </>
            )}
            <dt>Price</dt>
            <dd>{price(t.unitPrice)}</dd>
          </dl>
          <CartButton item={{ id: t.id, name: t.name, artist: t.artist, unitPrice: t.unitPrice, milliseconds: t.milliseconds }} />
          {/* Keyed: another track (a "more like this" link reuses this page) starts with its player stopped. */}
          <Player key={t.id} track={t} />
        </div>
      </div>
      <MoreLikeThis track={t} />
    </article>
  );
}
