// Neighbour lists a listener would trust: copies of one song (the same folded title by the same
// artist on another album: "Layla" on The Cream Of Clapton and on Unplugged, "Polly" on
// Nevermind and on a live album) collapse into the best-ranked one, a copy of the seed never
// comes back, and one album does not fill a top 10 (at most `maxPerAlbum` of its tracks in
// each run of 10 results). Used by /similar and by every recommender list.

/** Words in brackets or after " - " that name a version of a recording, not another song. */
const VERSION = /\b(live|ao vivo|en vivo|acoustic|unplugged|remaster(?:ed)?|demo|edit|version|mono|stereo|mix|remix|bonus(?: track)?|single|take \d+)\b/;

/**
 * A title folded for comparison: no accents, no case, no version qualifiers — "Layla (Live)",
 * "Layla - Remastered 2004" and "layla" fold alike, while "Lost (Pilot, Part 1)" keeps its part.
 */
export function foldTitle(name: string): string {
  let folded = foldedTitles.get(name);
  if (folded === undefined) {
    // A whole cache dropped at once: simpler than an LRU, and a refill costs ~1.4 µs a title.
    if (foldedTitles.size >= FOLDED_TITLES_KEPT) foldedTitles.clear();
    folded = fold(name);
    foldedTitles.set(name, folded);
  }
  return folded;
}

/**
 * Folded titles by title: a list folds ~30 (~1.4 µs each, its regular expressions), and the
 * same neighbours come back across requests. A pure function of the title, so never stale.
 */
const foldedTitles = new Map<string, string>();
const FOLDED_TITLES_KEPT = 50_000;

function fold(name: string): string {
  let s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  s = s.replace(/[([]([^)\]]*)[)\]]/g, (all, inner: string) => (VERSION.test(inner) ? ' ' : all));
  s = s.replace(/\s+-\s+(.*)$/, (all, tail: string) => (VERSION.test(tail) ? '' : all));
  return s
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export interface TrackIdentity {
  id: number;
  albumId: number | null;
  /** Folded title and artist: equal keys are copies of one song. */
  song: string;
}

export function identityOf(t: { id: number; name: string; albumId: number | null; artistId: number | null }): TrackIdentity {
  // Without an artist a title alone says too little: such a track is only ever a copy of itself.
  return { id: t.id, albumId: t.albumId, song: t.artistId === null ? `#${t.id}` : `${t.artistId}:${foldTitle(t.name)}` };
}

/**
 * Best-first items without copies: the first of each song is kept, and songs in `exclude`
 * (the seeds' own songs) are dropped. Items without an identity are kept as they are.
 */
export function collapseCopies<T extends { id: number }>(
  items: readonly T[],
  identities: ReadonlyMap<number, TrackIdentity>,
  exclude: ReadonlySet<string> = new Set(),
): T[] {
  const seen = new Set(exclude);
  return items.filter((it) => {
    const song = identities.get(it.id)?.song;
    if (song === undefined) return true;
    if (seen.has(song)) return false;
    seen.add(song);
    return true;
  });
}

/**
 * Re-ranks best-first items so that one album does not fill a list: in each run of `window`
 * results (positions 1-10, 11-20, …) an album gets at most `maxPerAlbum` tracks while another
 * album offers one scoring at least `COMPARABLE` of the blocked one. Greedy: the best item
 * whose album has room, unless only clearly weaker ones do (Layla's 4th Clapton track at 0.68
 * beats an Iron Maiden instrumental at 0.36: a few albums of one artist are a fine list, a
 * stranger to fill a quota is not). Order within an album is kept.
 *
 * `report.settled` says whether more items after these could have changed the answer: false
 * when the items ran out before `limit`, or when at some step no remaining item's album had
 * room (a later item might have). When true, the answer for any longer list that starts with
 * these items is the same (each step picks the first item with room, which is then among them).
 */
export function spreadAlbums<T extends { id: number; score?: number; similarity?: number }>(
  items: readonly T[],
  identities: ReadonlyMap<number, TrackIdentity>,
  limit: number,
  maxPerAlbum: number,
  window = 10,
  report: { settled?: boolean } = {},
): T[] {
  const value = (it: T) => it.score ?? it.similarity ?? 0;
  const out: T[] = [];
  const rest = [...items];
  const taken = new Map<number, number>();
  report.settled = true;
  while (out.length < limit && rest.length > 0) {
    const room = maxPerAlbum * (Math.floor(out.length / window) + 1);
    let pick = rest.findIndex((it) => {
      const album = identities.get(it.id)?.albumId;
      return album === null || album === undefined || (taken.get(album) ?? 0) < room;
    });
    if (pick < 0) report.settled = false;
    if (pick < 0 || value(rest[pick] as T) < COMPARABLE * value(rest[0] as T)) pick = 0;
    const [it] = rest.splice(pick, 1) as [T];
    out.push(it);
    const album = identities.get(it.id)?.albumId;
    if (album !== null && album !== undefined) taken.set(album, (taken.get(album) ?? 0) + 1);
  }
  if (out.length < limit) report.settled = false;
  return out;
}

/** An item from another album is an alternative to a crowded album's if it scores at least this share of it. */
export const COMPARABLE = 0.8;

/** Default cap: "no more than a few tracks of one album in a top 10". */
export const MAX_PER_ALBUM = 3;
