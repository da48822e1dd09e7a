// Tracks suggested from other tracks, as rows a shopper can buy from: the home page's
// "recommended for you", a playlist's continuation (GET /api/playlists/:id/continue) and the
// cart's "more like these" (POST /api/recommendations/from-tracks). The replies name each track
// by id with its reasons; a row also needs the album and price, so each track is read (a cached
// GET) before the shelf shows.
import { get } from '../shared/api.ts';
import type { Recommendation, Track } from '../shared/types.ts';
import { useApi } from '../shared/use-api.ts';
import { ErrorNote, Loading, rowOf, type TrackRow, TrackTable } from './components.tsx';

const STRATEGY: Record<string, string> = {
  audio: 'listened alongside',
  lyric: 'a title like',
  genre: 'same genre as what you own',
  collaborative: 'customers like you bought it',
  popular: 'popular in the store',
};

/** "Why: From Nevermind, like “Smells Like Teen Spirit” · …": the reasons in words, strongest first. */
function reasonText(r: Recommendation, names: Map<number, string>): string {
  const parts = r.reasons.map((reason) => {
    if (reason.text) return reason.text;
    const label = STRATEGY[reason.strategy] ?? reason.strategy;
    const because = reason.becauseOfTrackId !== undefined ? names.get(reason.becauseOfTrackId) : undefined;
    return because ? `${label} “${because}”` : label;
  });
  return parts.length ? `Why: ${parts.join(' · ')}` : '';
}

/** Suggestions as track rows, each with its reasons; the tracks a reason names are read too when it has no sentence of its own. */
export async function suggestionRows(items: Recommendation[]): Promise<TrackRow[]> {
  const named = items.flatMap((r) => r.reasons.flatMap((x) => (!x.text && x.becauseOfTrackId ? [x.becauseOfTrackId] : [])));
  const ids = [...new Set([...items.map((r) => r.id), ...named])];
  const tracks = new Map((await Promise.all(ids.map((id) => get<Track>(`/api/tracks/${id}`)))).map((t) => [t.id, t]));
  const names = new Map([...tracks.values()].map((t) => [t.id, t.name]));
  return items.flatMap((r) => {
    const t = tracks.get(r.id);
    return t ? [{ ...rowOf(t), note: reasonText(r, names) }] : [];
  });
}

/**
 * A titled shelf of suggested tracks, loaded after the page around it. Shows nothing when there
 * is nothing to suggest; a failed load says so with a retry, without taking the page down.
 */
export function SuggestionShelf({
  id,
  title,
  hint,
  loadKey,
  load,
}: {
  id: string;
  title: string;
  hint?: string;
  loadKey: string | null;
  load: () => Promise<Recommendation[]>;
}) {
  const rows = useApi(loadKey, async () => suggestionRows(await load()));
  if (rows.data?.length === 0) return null;
  return (
    <section class="suggested-shelf" aria-labelledby={id} data-ready={rows.data ? 'true' : undefined}>
      <h2 id={id}>{title}</h2>
      {hint && <p class="muted">{hint}</p>}
      {rows.error ? (
        <ErrorNote error={rows.error} retry={rows.reload} />
      ) : rows.data ? (
        <TrackTable rows={rows.data} label={title} />
      ) : (
        <Loading label="Loading suggestions" />
      )}
    </section>
  );
}
