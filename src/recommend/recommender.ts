// Personal recommendations: the listener's whole profile (every purchase of the linked Chinook
// customer and every play, recency-weighted: profile.ts) ranked by the shared seed ranker.
// Tracks the listener bought or played are never recommended; no history → popular tracks.

import type { User } from '../accounts/index.ts';
import type { Db } from '../db/index.ts';
import { badRequest, notFound } from '../errors.ts';
import type { Customers, TrackHistory } from '../store/index.ts';
import type { SimilarityService } from '../vectors/index.ts';
import { profileOf } from './profile.ts';
import { SeedRanker } from './ranker.ts';
import { explain, type Reason, type SeedOrigin } from './reasons.ts';
import { DEFAULT_WEIGHTS, type Weights } from './weights.ts';

export interface Suggestion {
  id: number;
  name: string;
  artist: string | null;
  album: string | null;
  genre: string | null;
  score: number;
  reasons: Reason[];
}

export interface Recommendations {
  items: Suggestion[];
  strategyWeights: Weights;
}

export interface ListOptions {
  limit?: number;
  weights?: Weights;
  maxPerAlbum?: number;
}

/** Where a listener's profile comes from: the store's history, the accounts linked to a customer. */
export interface ProfileSources {
  history: TrackHistory;
  customers: Pick<Customers, 'exists'>;
  users: { get(id: number): User | undefined; linkedTo(customerId: number): User | undefined };
}

export class Recommender {
  readonly ranker: SeedRanker;

  constructor(
    db: Db,
    private readonly similarity: SimilarityService,
    private readonly sources: ProfileSources,
  ) {
    this.ranker = new SeedRanker(db, similarity);
  }

  /**
   * For a customer, or for a logged-in user (their linked customer's purchases plus their
   * plays; plays alone when no customer is linked).
   */
  recommend(subject: { customerId?: number | null; userId?: number | null }, options: ListOptions = {}): Recommendations {
    let customerId = subject.customerId ?? null;
    const userId = subject.userId ?? null;
    if (userId !== null) {
      const user = this.sources.users.get(userId);
      if (!user) throw notFound('user', userId);
      customerId ??= user.customerId;
    }
    if (customerId === null && userId === null) throw badRequest('customerId is required unless you are logged in');
    if (customerId !== null && !this.sources.customers.exists(customerId)) throw notFound('customer', customerId);
    // The plays of the user asking and of the account linked to the customer (the same one, usually).
    const linked = customerId === null ? undefined : this.sources.users.linkedTo(customerId)?.id;
    const userIds = [...new Set([userId, linked].filter((u): u is number => u != null))];
    const profile = profileOf(this.sources.history.dated({ customerId, userIds }));
    const weights = options.weights ?? DEFAULT_WEIGHTS;
    const items = this.suggest(
      profile.seeds,
      new Set(profile.seeds.map((s) => s.id)),
      { kind: 'history', verbs: profile.verbs },
      { ...options, weights },
      customerId,
    );
    return { items, strategyWeights: weights };
  }

  /** Ranks, explains and names: shared by personal recommendations, playlist continuation and "from these tracks". */
  suggest(
    seeds: readonly { id: number; weight: number }[],
    exclude: ReadonlySet<number>,
    origin: SeedOrigin,
    options: ListOptions,
    customerId: number | null = null,
  ): Suggestion[] {
    const ranking = this.ranker.rank(seeds, {
      limit: options.limit ?? 20,
      weights: options.weights ?? DEFAULT_WEIGHTS,
      exclude,
      maxPerAlbum: options.maxPerAlbum,
      customerId,
    });
    const reasons = explain(ranking.items, seeds, ranking.facts, origin, this.similarity, this.ranker.facts);
    return ranking.items.map((r, i) => {
      const f = ranking.facts.get(r.id);
      return {
        id: r.id,
        name: f?.name ?? '',
        artist: f?.artist ?? null,
        album: f?.album ?? null,
        genre: f?.genre ?? null,
        score: Math.round(r.score * 1e6) / 1e6,
        reasons: reasons[i] as Reason[],
      };
    });
  }
}
