// The one ranking behind every list of suggestions — personal recommendations, playlist
// continuation and "more like these tracks": a weighted set of seed tracks in, a ranked list
// of other tracks out, with each strategy's share of every score (for the reasons).
//
// - audio / lyric / metadata: Σ_i w_i · cos(seed_i, t) / Σ_i w_i in that space, for the whole
//   catalog in one scan per space however many seeds (SimilarityService.profile).
// - album / artist: the seeds' weight on the track's album (artist), divided by the number of
//   tracks there still to choose from (+1): two seeds on a 3-track album say more about its
//   third track than one seed on a 30-track album says about each of the others. Within an
//   album, earlier tracks count more (ALBUM_POSITION_PRIOR).
// - genre: the share of the seeds' weight in the track's genre.
// - collaborative: co-purchases of the customer's tracks by other customers (personal only).
// Each strategy's scores are divided by its best candidate's, weighted and summed; ties go to
// the more popular track (track_popularity), then the lower id. Then copies of one song
// collapse (a copy of a seed never comes back) and albums are spread (collapse.ts).
import type { Db } from '../db/index.ts';
import { alsoBought } from '../store/index.ts';
import { collapseCopies, identityOf, MAX_PER_ALBUM, type SimilarityService, type Space, spreadAlbums, type TrackIdentity } from '../vectors/index.ts';
import { CatalogFacts, type TrackFact, type TrackKeys } from './facts.ts';
import { STRATEGIES, type Strategy, type Weights } from './weights.ts';

export interface Seed {
  id: number;
  /** > 0; only relative sizes matter. */
  weight: number;
}

export interface RankOptions {
  limit: number;
  weights: Weights;
  /** Never suggested: what the listener owns or played, the playlist's tracks, the seeds. */
  exclude: ReadonlySet<number>;
  maxPerAlbum?: number;
  /** Enables the collaborative strategy (a Chinook customer's purchases). */
  customerId?: number | null;
}

export interface Ranked {
  id: number;
  score: number;
  /** Each strategy's weighted, normalised share of `score`; empty for a popular fill. */
  parts: Partial<Record<Strategy, number>>;
}

export interface Ranking {
  items: Ranked[];
  /** Facts of the seeds and of every ranked track (names, albums, artists, genres). */
  facts: Map<number, TrackFact>;
}

type Offer = (id: number, strategy: Strategy, score: number) => void;

const SPACE_STRATEGIES: readonly (Strategy & Space)[] = ['audio', 'lyric', 'metadata'];
/** Candidates per space (at least 2 × limit). */
const POOL = 60;
/** Albums whose tracks the album strategy reads (the seeds' heaviest). */
const MAX_ALBUMS = 20;
/**
 * Within an album, the first track counts 1 and the last 0.5: albums are sequenced with their
 * singles first, and the catalog has no play counts that would say which tracks are the hits
 * (Chinook's sales are generated). Chinook's curated playlists agree: their tracks sit at 0.37
 * of their album's length on average, the other tracks of those albums at 0.52.
 */
const ALBUM_POSITION_PRIOR = 0.5;

export class SeedRanker {
  readonly facts: CatalogFacts;

  constructor(
    private readonly db: Db,
    private readonly similarity: SimilarityService,
  ) {
    this.facts = new CatalogFacts(db);
  }

  rank(seedsIn: readonly Seed[], options: RankOptions): Ranking {
    // Sorted by id: the same seeds in any order sum in the same order, bit for bit.
    const seeds = [...seedsIn].filter((s) => s.weight > 0).sort((a, b) => a.id - b.id);
    const { weights, exclude } = options;
    const raw = new Map<number, Partial<Record<Strategy, number>>>();
    const offer: Offer = (id, strategy, score) => {
      if (exclude.has(id) || !(score > 0)) return;
      const r = raw.get(id) ?? {};
      r[strategy] = score;
      raw.set(id, r);
    };
    const total = seeds.reduce((s, x) => s + x.weight, 0);
    const seedKeys = this.facts.keys(seeds.map((s) => s.id));
    // Keys of candidates met on the way (album and artist relatives), so as not to read them twice.
    const known = new Map<number, TrackKeys>();
    if (seeds.length > 0) {
      // The metadata space also proposes the genre strategy's candidates (it is mostly genre).
      const spaces = SPACE_STRATEGIES.filter((s) => weights[s] > 0 || (s === 'metadata' && weights.genre > 0));
      if (spaces.length > 0) {
        const unit = seeds.map((s) => ({ id: s.id, weight: s.weight / total }));
        for (const c of this.similarity.profile(unit, spaces, Math.max(POOL, 2 * options.limit), exclude))
          spaces.forEach((s, i) => {
            offer(c.id, s, c.scores[i] as number);
          });
      }
      if (weights.album > 0) for (const r of this.albumShares(seeds, seedKeys, exclude, offer)) known.set(r.id, r);
      if (weights.collaborative > 0 && options.customerId != null) {
        for (const r of alsoBought(this.db, options.customerId, [...exclude], POOL + exclude.size)) offer(r.trackId, 'collaborative', r.score);
      }
    }
    // With no space asked, the artist strategy proposes its heaviest artists' tracks itself.
    if (seeds.length > 0 && weights.artist > 0 && !SPACE_STRATEGIES.some((s) => weights[s] > 0)) {
      for (const r of this.facts.artistTracks(this.heaviestArtists(seeds, seedKeys, 5))) if (!exclude.has(r.id) && !raw.has(r.id)) raw.set(r.id, {});
    }
    const keys = this.facts.keys([...raw.keys()].filter((id) => !known.has(id)));
    for (const [id, k] of known) if (raw.has(id)) keys.set(id, k);
    if (seeds.length > 0 && weights.artist > 0) this.artistShares(seeds, seedKeys, keys, exclude, offer);
    if (weights.genre > 0 && total > 0) {
      const genreWeight = new Map<number, number>();
      for (const s of seeds) {
        const g = seedKeys.get(s.id)?.genreId;
        if (g != null) genreWeight.set(g, (genreWeight.get(g) ?? 0) + s.weight / total);
      }
      for (const id of raw.keys()) {
        const g = keys.get(id)?.genreId;
        if (g != null) offer(id, 'genre', genreWeight.get(g) ?? 0);
      }
    }
    const best = new Map<Strategy, number>();
    for (const r of raw.values()) for (const s of STRATEGIES) if ((r[s] ?? 0) > (best.get(s) ?? 0)) best.set(s, r[s] as number);
    const scored = [...raw.entries()].map(([id, r]) => {
      const parts: Partial<Record<Strategy, number>> = {};
      let score = 0;
      for (const s of STRATEGIES) {
        const v = r[s];
        if (v === undefined || !(weights[s] > 0)) continue;
        parts[s] = (weights[s] * v) / (best.get(s) as number);
        score += parts[s] as number;
      }
      return { id, score, parts };
    });
    scored.sort((a, b) => b.score - a.score || a.id - b.id);
    // Enough head room for the copies and crowded albums that refining drops.
    const head = scored.slice(0, 4 * options.limit + 50);
    const popularity = this.facts.popularity(head.map((h) => h.id));
    head.sort((a, b) => b.score - a.score || (popularity.get(b.id) ?? 0) - (popularity.get(a.id) ?? 0) || a.id - b.id);
    const wanted = new Map(seedKeys);
    for (const h of head) wanted.set(h.id, keys.get(h.id) as TrackKeys);
    const items = this.refine(head, seeds, wanted, options);
    if (items.length < options.limit) this.fillWithPopular(items, seeds, wanted, options);
    // Names for the reply and the reasons: the items, and the seeds a reason may cite.
    const facts = this.facts.describe([...items.map((i) => i.id), ...seeds.map((s) => s.id)]);
    return { items, facts };
  }

  /**
   * The album strategy: the seeds' weight on each of their albums over the album's tracks still
   * to choose from (+1), earlier tracks first; returns those tracks' keys. Only the heaviest
   * albums are read: a profile of hundreds of tracks would otherwise read half the catalog.
   */
  private albumShares(seeds: readonly Seed[], seedKeys: Map<number, TrackKeys>, exclude: ReadonlySet<number>, offer: Offer): TrackKeys[] {
    const onAlbum = weightBy(seeds, seedKeys, 'albumId');
    const all = this.facts.albumTracks(heaviest(onAlbum, MAX_ALBUMS));
    const left = new Map<number, number>();
    for (const r of all) if (!exclude.has(r.id)) left.set(r.albumId, (left.get(r.albumId) ?? 0) + 1);
    // Position on the album (by id, as the catalog has no track numbers): 0 first, 1 last.
    const albums = new Map<number, number[]>();
    for (const r of all) albums.set(r.albumId, [...(albums.get(r.albumId) ?? []), r.id]);
    const position = new Map<number, number>();
    for (const ids of albums.values()) {
      ids.sort((a, b) => a - b);
      ids.forEach((id, i) => {
        position.set(id, ids.length > 1 ? i / (ids.length - 1) : 0);
      });
    }
    for (const r of all) {
      const share = (onAlbum.get(r.albumId) ?? 0) / ((left.get(r.albumId) ?? 0) + 1);
      offer(r.id, 'album', share * (1 - ALBUM_POSITION_PRIOR * (position.get(r.id) ?? 0)));
    }
    return all;
  }

  /**
   * The artist strategy, for candidates the other strategies found (the spaces put an artist's
   * tracks near each other, so they are there): the seeds' weight by the track's artist over the
   * artist's tracks still to choose from (+1), counted in SQL rather than read.
   */
  private heaviestArtists(seeds: readonly Seed[], seedKeys: Map<number, TrackKeys>, n: number): number[] {
    return heaviest(weightBy(seeds, seedKeys, 'artistId'), n);
  }

  private artistShares(
    seeds: readonly Seed[],
    seedKeys: Map<number, TrackKeys>,
    keys: Map<number, TrackKeys>,
    exclude: ReadonlySet<number>,
    offer: Offer,
  ): void {
    const byArtist = weightBy(seeds, seedKeys, 'artistId');
    const excluded = new Map<number, number>();
    for (const s of seeds) {
      const artist = seedKeys.get(s.id)?.artistId;
      if (artist != null && exclude.has(s.id)) excluded.set(artist, (excluded.get(artist) ?? 0) + 1);
    }
    const sizes = this.facts.artistSizes([...byArtist.keys()]);
    for (const [id, k] of keys) {
      if (k.artistId == null || !byArtist.has(k.artistId)) continue;
      const left = (sizes.get(k.artistId) ?? 0) - (excluded.get(k.artistId) ?? 0);
      offer(id, 'artist', (byArtist.get(k.artistId) as number) / (Math.max(0, left) + 1));
    }
  }

  /** Copies of one song collapse (copies of the seeds go), albums are spread, `limit` kept. */
  private refine(head: Ranked[], seeds: readonly Seed[], keys: Map<number, TrackKeys>, options: RankOptions): Ranked[] {
    const identities = identitiesOf(keys);
    const seedSongs = new Set(seeds.flatMap((s) => identities.get(s.id)?.song ?? []));
    const distinct = collapseCopies(head, identities, seedSongs);
    return spreadAlbums(distinct, identities, options.limit, options.maxPerAlbum ?? MAX_PER_ALBUM);
  }

  /** Too few candidates (a cold start, or a narrow profile): the most popular tracks, copies excepted. */
  private fillWithPopular(items: Ranked[], seeds: readonly Seed[], keys: Map<number, TrackKeys>, options: RankOptions): void {
    const taken = new Set([...options.exclude, ...items.map((i) => i.id), ...seeds.map((s) => s.id)]);
    const extra = this.facts.mostPopular(2 * (options.limit - items.length) + 10, taken);
    for (const [id, k] of this.facts.keys(extra)) keys.set(id, k);
    const identities = identitiesOf(keys);
    const songs = new Set([...seeds, ...items].flatMap((s) => identities.get(s.id)?.song ?? []));
    const fill = collapseCopies(
      extra.map((id) => ({ id, score: 0, parts: {} })),
      identities,
      songs,
    );
    items.push(...fill.slice(0, options.limit - items.length));
  }
}

function identitiesOf(keys: Map<number, TrackKeys>): Map<number, TrackIdentity> {
  return new Map([...keys.values()].map((k) => [k.id, identityOf(k)]));
}

/** The n keys with the largest values (ties by key). */
function heaviest(m: Map<number, number>, n: number): number[] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, n)
    .map(([k]) => k);
}

/** The seeds' weight per album (artist). */
function weightBy(seeds: readonly Seed[], keys: Map<number, TrackKeys>, key: 'albumId' | 'artistId'): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of seeds) {
    const k = keys.get(s.id)?.[key];
    if (k != null) out.set(k, (out.get(k) ?? 0) + s.weight);
  }
  return out;
}
