// Why a track is suggested, in words a storefront can print as they are ("Often in playlists
// with “Enter Sandman”", "More Metallica, like “Enter Sandman”"), beside the machine fields
// (`strategy`, `becauseOfTrackId`). Reasons name only the seeds (the listener's own tracks, the
// playlist's, or the ones asked about) and catalog facts: never another customer's data.
import type { SimilarityService, Space } from '../vectors/index.ts';
import type { CatalogFacts, TrackFact } from './facts.ts';
import type { Ranked, Seed } from './ranker.ts';
import type { Strategy } from './weights.ts';

export interface Reason {
  strategy: Strategy | 'popular';
  becauseOfTrackId?: number;
  becauseOfTrackName?: string;
  /** One line for a page. */
  text: string;
}

/** How the seeds came to be seeds: the listener's history, a playlist, or tracks someone picked. */
export type SeedOrigin = { kind: 'history'; verbs: ReadonlyMap<number, 'played' | 'bought'> } | { kind: 'playlist' } | { kind: 'tracks' };

/** Seeds compared track by track for a reason (the heaviest ones): 20 items × 25 seeds × 576 floats ≈ 0.3 M multiply-adds. */
const EXPLAINING_SEEDS = 25;
/** Reasons per item: a page prints the first; the machine fields of two more are enough to filter by. */
const MAX_REASONS = 3;

const quoted = (f: TrackFact | undefined) => `“${f?.name ?? '?'}”`;

export function explain(
  items: readonly Ranked[],
  seeds: readonly Seed[],
  facts: ReadonlyMap<number, TrackFact>,
  origin: SeedOrigin,
  similarity: SimilarityService,
  catalog: CatalogFacts,
): Reason[][] {
  const heaviest = [...seeds].sort((a, b) => b.weight - a.weight || a.id - b.id).slice(0, EXPLAINING_SEEDS);
  const weightOf = new Map(heaviest.map((s) => [s.id, s.weight]));
  const seedIds = heaviest.map((s) => s.id);
  const shared =
    seedIds.length > 0 && items.some((i) => (i.parts.audio ?? 0) > 0)
      ? catalog.sharedPlaylists(
          items.map((i) => i.id),
          seedIds,
        )
      : new Map<number, Set<number>>();
  // Which strategies each item's reasons name: facts a listener can check (a shared playlist,
  // the same album or artist) first, then "similar to" lines, each group by its share of the
  // score; at most MAX_REASONS.
  const named = items.map((item) =>
    (Object.entries(item.parts) as [Strategy, number][])
      .filter(([, share]) => share > 0)
      .map(([strategy, share]) => ({
        strategy,
        share,
        concrete: strategy === 'album' || strategy === 'artist' || (strategy === 'audio' && shared.has(item.id)),
      }))
      .sort((a, b) => Number(b.concrete) - Number(a.concrete) || b.share - a.share)
      .slice(0, MAX_REASONS),
  );
  // The seed that contributed most to an item in a space (max over seeds of w · cos), for the
  // items whose reasons need it only.
  const bestBySpace = new Map<Space, Map<number, number>>();
  for (const space of ['audio', 'lyric', 'metadata'] as const) {
    const need = items.filter((_, i) => named[i]?.some((n) => n.strategy === space && !(space === 'audio' && n.concrete))).map((i) => i.id);
    if (need.length === 0 || seedIds.length === 0) continue;
    const cos = similarity.pairwise(need, seedIds, space);
    const best = new Map<number, number>();
    need.forEach((id, i) => {
      let top = Number.NEGATIVE_INFINITY;
      seedIds.forEach((s, j) => {
        const v = (cos[i * seedIds.length + j] as number) * (weightOf.get(s) as number);
        if (v > top) {
          top = v;
          best.set(id, s);
        }
      });
    });
    bestBySpace.set(space, best);
  }
  // The heaviest seed with the same album / artist / genre as the item.
  const heaviestWith = (key: 'albumId' | 'artistId' | 'genreId', item: TrackFact | undefined) =>
    item?.[key] == null ? undefined : heaviest.find((s) => facts.get(s.id)?.[key] === item[key])?.id;

  return items.map((item, i) => {
    const f = facts.get(item.id);
    // `text` gets the seed's quoted name, or null when no seed can be named.
    const reason = (strategy: Strategy, seed: number | undefined, text: (x: string | null) => string): Reason =>
      seed === undefined
        ? { strategy, text: text(null) }
        : { strategy, becauseOfTrackId: seed, becauseOfTrackName: facts.get(seed)?.name ?? '', text: text(quoted(facts.get(seed))) };
    const like = (what: string) => (x: string | null) => (x ? `${what}, like ${x}` : what);
    const best = (space: Space) => bestBySpace.get(space)?.get(item.id);
    const reasons = (named[i] ?? []).map(({ strategy }): Reason => {
      if (strategy === 'audio') {
        const together = shared.get(item.id);
        if (together) return reason('audio', heaviest.find((s) => together.has(s.id))?.id, (x) => `Often in playlists with ${x}`);
        const seed = best('audio');
        return reason('audio', seed, (x) =>
          !x
            ? 'Listened to alongside your tracks'
            : origin.kind === 'history'
              ? `Because you ${origin.verbs.get(seed as number) ?? 'played'} ${x}`
              : `Similar to ${x}`,
        );
      }
      if (strategy === 'lyric') return reason('lyric', best('lyric'), (x) => (x ? `A title like ${x}` : 'A similar title'));
      if (strategy === 'metadata') return reason('metadata', best('metadata'), (x) => (x ? `The same kind of track as ${x}` : 'The same kind of track'));
      if (strategy === 'album') return reason('album', heaviestWith('albumId', f), like(`From ${f?.album ?? 'the same album'}`));
      if (strategy === 'artist') return reason('artist', heaviestWith('artistId', f), like(`More ${f?.artist ?? 'by this artist'}`));
      if (strategy === 'genre') return reason('genre', heaviestWith('genreId', f), like(f?.genre ?? 'The same genre'));
      return { strategy: 'collaborative', text: 'Bought by customers who bought what you bought' };
    });
    return reasons.length > 0 ? reasons : [{ strategy: 'popular', text: 'Popular in the store' }];
  });
}
