// Why a track is suggested, in words a storefront can print as they are ("Often in playlists
// with “Enter Sandman”", "More Metallica, like “Enter Sandman”"), beside the machine fields
// (`strategy`, `becauseOfTrackId`). Reasons name only the seeds (the listener's own tracks, the
// playlist's, or the ones asked about) and catalog facts: never another customer's data.
import type { SimilarityService } from '../vectors/service.ts';
import type { Space } from '../vectors/spaces.ts';
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
  const ids = items.map((i) => i.id);
  const seedIds = heaviest.map((s) => s.id);
  const wanted = (s: Strategy) => items.some((i) => (i.parts[s] ?? 0) > 0);
  // The seed that contributed most to an item in a space: max over seeds of w · cos.
  const bestBySpace = new Map<Space, (number | undefined)[]>();
  for (const space of ['audio', 'lyric', 'metadata'] as const) {
    if (!wanted(space) || seedIds.length === 0) continue;
    const cos = similarity.pairwise(ids, seedIds, space);
    bestBySpace.set(
      space,
      ids.map((_, i) => {
        let best: number | undefined;
        let top = Number.NEGATIVE_INFINITY;
        seedIds.forEach((s, j) => {
          const v = (cos[i * seedIds.length + j] as number) * (weightOf.get(s) as number);
          if (v > top) [top, best] = [v, s];
        });
        return best;
      }),
    );
  }
  const shared = wanted('audio') && seedIds.length > 0 ? catalog.sharedPlaylists(ids, seedIds) : new Map<number, Set<number>>();
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
    // Facts a listener can check (a shared playlist, the same album or artist) lead; "similar
    // to" lines follow, each group by its share of the score.
    const out: { concrete: boolean; share: number; reason: Reason }[] = [];
    for (const [strategy, share] of Object.entries(item.parts) as [Strategy, number][]) {
      if (!(share > 0)) continue;
      let r: Reason;
      if (strategy === 'audio') {
        const best = bestBySpace.get('audio')?.[i];
        const together = shared.get(item.id);
        const partner = together && (best !== undefined && together.has(best) ? best : heaviest.find((s) => together.has(s.id))?.id);
        r =
          partner !== undefined
            ? reason('audio', partner, (x) => `Often in playlists with ${x}`)
            : reason('audio', best, (x) =>
                !x
                  ? 'Listened to alongside your tracks'
                  : origin.kind === 'history'
                    ? `Because you ${origin.verbs.get(best as number) ?? 'played'} ${x}`
                    : `Similar to ${x}`,
              );
      } else if (strategy === 'lyric') {
        r = reason('lyric', bestBySpace.get('lyric')?.[i], (x) => (x ? `A title like ${x}` : 'A similar title'));
      } else if (strategy === 'metadata') {
        r = reason('metadata', bestBySpace.get('metadata')?.[i], (x) => (x ? `The same kind of track as ${x}` : 'The same kind of track'));
      } else if (strategy === 'album') {
        r = reason('album', heaviestWith('albumId', f), like(`From ${f?.album ?? 'the same album'}`));
      } else if (strategy === 'artist') {
        r = reason('artist', heaviestWith('artistId', f), like(`More ${f?.artist ?? 'by this artist'}`));
      } else if (strategy === 'genre') {
        r = reason('genre', heaviestWith('genreId', f), like(f?.genre ?? 'The same genre'));
      } else {
        r = { strategy: 'collaborative', text: 'Bought by customers who bought what you bought' };
      }
      const concrete = strategy === 'album' || strategy === 'artist' || r.text.startsWith('Often in playlists');
      out.push({ concrete, share, reason: r });
    }
    out.sort((a, b) => Number(b.concrete) - Number(a.concrete) || b.share - a.share);
    return out.length > 0 ? out.map((o) => o.reason) : [{ strategy: 'popular', text: 'Popular in the store' }];
  });
}
