// "More like this": nearest tracks in one space (or a blend of the three), as similarities
// (1 − cosine distance), through the persistent 24-hour similarity cache.
import { type Db, type Stmt, statement, type WriteQueue } from '../db/index.ts';
import { ApiError, notFound } from '../errors.ts';
import { readIntoPageCache, type WarmResult } from './ann/warm.ts';
import { collapseCopies, identityOf, MAX_PER_ALBUM, spreadAlbums } from './collapse.ts';
import { cosine } from './linalg.ts';
import { SimilarityCache } from './similarity-cache.ts';
import { VectorSnapshot } from './snapshot.ts';
import { DIMS, type SimilarSpace, SPACES, type Space } from './spaces.ts';
import { VectorStore } from './store.ts';

export interface SimilarItem {
  id: number;
  name: string;
  artist: string | null;
  album: string | null;
  genre: string | null;
  similarity: number;
}

interface TrackFacts {
  id: number;
  name: string;
  albumId: number | null;
  artistId: number | null;
  artist: string | null;
  album: string | null;
  genre: string | null;
}

/** The items of a list as the API names them, order kept (ids without facts: deleted since, dropped). */
function named(hits: readonly { id: number; similarity: number }[], facts: ReadonlyMap<number, TrackFacts>): SimilarItem[] {
  return hits.flatMap((h) => {
    const f = facts.get(h.id);
    return f ? [{ id: f.id, name: f.name, artist: f.artist, album: f.album, genre: f.genre, similarity: Math.max(-1, Math.min(1, h.similarity)) }] : [];
  });
}

/** Equal thirds: no space is known to be better for every listener; the evaluation reports each alone. */
export const BLEND_WEIGHTS: Record<Space, number> = { audio: 1 / 3, lyric: 1 / 3, metadata: 1 / 3 };

/**
 * The config default (vectorMemoryMiB): Chinook needs 4.2 MiB (spare rows included). 32 MiB
 * holds ~28 800 tracks, as 64 MiB did when the copy was f32, so catalogs from ANN_MIN_TRACKS
 * (30 000) up still go to the ANN index rather than a scan.
 */
const DEFAULT_VECTOR_MEMORY_BYTES = 32 * 1024 * 1024;

/** Neighbours cached per (source, space): enough for any limit the API accepts without recomputing. */
const CACHED_NEIGHBOURS = 50;
/**
 * The first read of a list's facts: limit + this many candidates (see refine). With limit 10,
 * the first 20 settle 92 % of 1M audio lists and 56 % of lyric ones (1M synthetic, 500 random
 * tracks: 21.8 and 25.4 tracks' facts read per list instead of 31), and 94 / 70 / 52 / 69 % of
 * Chinook's audio / lyric / metadata / blend lists. With 6, audio read fewer rows (20.0) but
 * 22 % of its lists, and 69 % of lyric's, took a second statement.
 */
const SETTLE_FIRST = 10;

export class SimilarityService {
  readonly store: VectorStore;
  readonly cache: SimilarityCache;
  private readonly trackExists: Stmt;
  private readonly snapshot: VectorSnapshot;
  private writes: WriteQueue | undefined;

  constructor(
    private readonly db: Db,
    options: { now?: () => number; vectorMemoryBytes?: number } = {},
  ) {
    this.store = new VectorStore(db);
    this.cache = new SimilarityCache(db, options.now);
    this.snapshot = new VectorSnapshot(db, this.store, options.vectorMemoryBytes ?? DEFAULT_VECTOR_MEMORY_BYTES);
    this.trackExists = db.prepare('SELECT 1 FROM chinook_tracks WHERE id = ?');
  }

  /**
   * Nearest neighbours by similarity, computed (not cached), the source excluded: from the
   * in-memory copy when the catalog fits it, else the ANN index (large catalogs) or vec0.
   */
  neighbours(trackId: number, space: SimilarSpace, k: number): { id: number; similarity: number }[] {
    const inMemory = this.snapshot.nearest(trackId, space === 'blend' ? BLEND_WEIGHTS : { [space]: 1 }, k);
    if (inMemory) return inMemory;
    if (space === 'blend') return this.blendByRescoring(trackId, k);
    return (this.store.knnOfTrack(space, trackId, k + 1) ?? [])
      .filter((n) => n.id !== trackId)
      .slice(0, k)
      .map((n) => ({ id: n.id, similarity: 1 - n.distance }));
  }

  /**
   * For catalogs over the snapshot's memory cap: candidates from each space's KNN, re-scored
   * in every space and combined by BLEND_WEIGHTS (approximate: a track outside every space's
   * top 3k is never considered).
   */
  blendByRescoring(trackId: number, k: number): { id: number; similarity: number }[] {
    const source = this.store.getAll(trackId);
    if (!source) return [];
    const queries = SPACES.map((s) => [s, source[s]] as const);
    const candidates = new Set<number>();
    for (const [s, q] of queries)
      for (const n of this.store.knn(s, q as Float32Array, 3 * k + 1, { track: trackId })) if (n.id !== trackId) candidates.add(n.id);
    const scored = [...candidates].map((id) => {
      // One read for the three vectors: a read per space cost three times as much.
      const vectors = this.store.getAll(id);
      let sim = 0;
      if (vectors) for (const [s, q] of queries) sim += BLEND_WEIGHTS[s] * cosine(q as Float32Array, vectors[s]);
      return { id, similarity: sim };
    });
    scored.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
    return scored.slice(0, k);
  }

  /** The in-memory copy of the vectors this process holds (null before the first query, or over the cap). */
  vectorMemory(): { tracks: number; bytes: number; revision: number } | null {
    return this.snapshot.held();
  }

  /** Loads the in-memory copy ahead of the first request (see snapshot.ts). */
  warmVectors(): { tracks: number; bytes: number; revision: number } | null {
    return this.snapshot.warm();
  }

  /**
   * Reads a large catalog's index files (each space's graph and unit vectors) through once and
   * loads each space's membership map, ahead of the first request (see ann/warm.ts); null when
   * the catalog has none.
   */
  async warmIndexFiles(): Promise<WarmResult | null> {
    const files = SPACES.flatMap((s) => this.store.index(s)?.ann.servedFiles() ?? []);
    if (files.length === 0) return null;
    const read = await readIntoPageCache(files);
    // The membership maps too (ann/members.ts): the first /similar of each space would load one.
    for (const s of SPACES) this.store.index(s)?.ann.warm();
    return read;
  }

  /**
   * From now on, computed neighbour lists are stored by the write queue's next group commit
   * instead of a write on this connection inside the request: a cache write is not worth a
   * commit on the request path, nor a wait for another process's write lock on the event loop.
   */
  storeNeighboursWith(writes: WriteQueue): void {
    this.writes = writes;
  }

  /** Stores a computed list (see storeNeighboursWith); skipped if any vectors changed since it was computed. */
  private remember(trackId: number, space: SimilarSpace, items: { id: number; similarity: number }[], revision: number): void {
    if (!this.writes) {
      this.cache.put(trackId, space, items);
      return;
    }
    const store = this.store;
    this.writes
      .run((db) => {
        // An edit re-embedded tracks after this list was computed: it may hold old neighbours.
        if (store.revisionOn(db) === revision) this.cache.putOn(db, trackId, space, items);
      })
      .catch(() => {
        // Only a cache fill: a closed queue (shutdown) or a busy database just means recomputing later.
      });
  }

  /** Neighbours through the persistent cache (the recommender's seeds repeat across requests). */
  cachedNeighbours(trackId: number, space: SimilarSpace, k: number): { id: number; similarity: number }[] {
    const hits = this.cache.get(trackId, space, k);
    if (hits) return hits;
    const revision = this.store.revision();
    const computed = this.neighbours(trackId, space, Math.max(k, CACHED_NEIGHBOURS));
    if (computed.length > 0) this.remember(trackId, space, computed, revision);
    return computed.slice(0, k);
  }

  /**
   * Up to `limit` nearest tracks, named: copies of one song collapsed (and of the track itself
   * dropped), at most `maxPerAlbum` tracks of one album in each run of 10 (collapse.ts). The
   * 50 cached neighbours are what is refined, so a list may come back shorter than 50.
   *
   * A list of `limit` usually needs no more than 2 × limit + 10 neighbours once copies collapse
   * and albums spread, so that many are computed first (30 for the storefront's 10), and all 50
   * only when those run short: at 1M each neighbour asked of the ANN index is one more unit
   * vector and member read (1M audio, uncached, fresh random tracks in one process: p50
   * 1.28 ms with 50, 1.08 ms with 30: bench/vectors-similar-breakdown.ts --ab).
   */
  similar(trackId: number, space: SimilarSpace, limit: number, options: { maxPerAlbum?: number } = {}): { items: SimilarItem[] } {
    if (!this.trackExists.get(trackId)) throw notFound('track', trackId);
    const maxPerAlbum = options.maxPerAlbum ?? MAX_PER_ALBUM;
    const all = Math.max(limit, CACHED_NEIGHBOURS);
    const first = Math.min(all, 2 * limit + 10);
    const hits = this.neighboursThroughCache(trackId, space, first);
    let items = this.refine(trackId, hits, limit, maxPerAlbum);
    // Fewer hits than asked: the catalog has no more to give.
    if (items.length < limit && first < all && hits.length === first)
      items = this.refine(trackId, this.neighboursThroughCache(trackId, space, all), limit, maxPerAlbum);
    return { items };
  }

  /** The `wanted` nearest from the persistent cache, or computed and handed to it. */
  private neighboursThroughCache(trackId: number, space: SimilarSpace, wanted: number): { id: number; similarity: number }[] {
    const hits = this.cache.get(trackId, space, wanted);
    if (hits) return hits;
    const revision = this.store.revision();
    const computed = this.neighbours(trackId, space, wanted);
    if (computed.length === 0) {
      throw new ApiError(409, 'vectors_not_built', 'Vectors for this track are not built yet; run `chinook vectors build`.');
    }
    this.remember(trackId, space, computed, revision);
    return computed;
  }

  /**
   * Copies collapsed, albums spread, named. The facts of 2 × limit + 10 candidates usually do
   * (which also names the reply); all of them are read only when those run short. They are
   * read in steps, first limit + SETTLE_FIRST: a list those settle (spreadAlbums' report) is the
   * one 2 × limit + 10 would give. The facts were 0.18–0.32 ms of a 1–1.6 ms uncached audio
   * /similar at 1M (docs/BENCHMARKS.md, issue 16's fifth round).
   */
  private refine(trackId: number, hits: { id: number; similarity: number }[], limit: number, maxPerAlbum: number): SimilarItem[] {
    // Each step reads the facts of the candidates up to n that the steps before did not (the track's own in the first).
    const steps = [...new Set([limit + SETTLE_FIRST, 2 * limit + 10, hits.length].map((n) => Math.min(n, hits.length)))];
    const facts = new Map<number, TrackFacts>();
    let read = 0;
    for (const [step, n] of steps.entries()) {
      for (const [id, f] of this.facts([...(step === 0 ? [trackId] : []), ...hits.slice(read, n).map((h) => h.id)])) facts.set(id, f);
      read = n;
      const identities = new Map([...facts].map(([id, f]) => [id, identityOf(f)]));
      const own = identities.get(trackId)?.song;
      const report: { settled?: boolean } = {};
      const refined = spreadAlbums(
        collapseCopies(hits.slice(0, n), identities, new Set(own === undefined ? [] : [own])),
        identities,
        limit,
        maxPerAlbum,
        undefined,
        report,
      );
      // The last step holds every candidate, so the loop always returns here.
      const done = n === hits.length || (step === 0 ? report.settled : refined.length >= limit);
      if (done) return named(refined, facts);
    }
    return [];
  }

  /** Names for track ids, order kept. */
  describe(hits: readonly { id: number; similarity: number }[]): SimilarItem[] {
    return hits.length === 0 ? [] : named(hits, this.facts(hits.map((h) => h.id)));
  }

  /**
   * What a list needs of each track (its song identity and its names) in ONE read: identities
   * and names were two statements, ~1/4 of an uncached /similar at 100k (docs/vectors.md).
   * Rows come as arrays and become objects here: better-sqlite3's named rows took 114–122 µs
   * p50 for 21 random tracks at 1M against 100–107 µs (bench/vectors-facts-rows.ts, three runs).
   */
  private facts(ids: readonly number[]): Map<number, TrackFacts> {
    const rows = statement(
      this.db,
      `SELECT t.id, t.name, t.album_id, al.artist_id, ar.name, al.title, g.name
         FROM chinook_tracks t
         LEFT JOIN chinook_albums al ON al.id = t.album_id
         LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
         LEFT JOIN chinook_genres g ON g.id = t.genre_id
         WHERE t.id IN (SELECT value FROM json_each(?))`,
    )
      .raw(true)
      .all(JSON.stringify(ids)) as [number, string, number | null, number | null, string | null, string | null, string | null][];
    const facts = new Map<number, TrackFacts>();
    for (const [id, name, albumId, artistId, artist, album, genre] of rows) facts.set(id, { id, name, albumId, artistId, artist, album, genre });
    return facts;
  }

  /**
   * Σ_i w_i · cos(seed_i, t) in each asked space for a weighted set of tracks (a playlist, a
   * listening profile): the union of each space's top k, `skip` and the seeds left out, with
   * scores in every asked space (exact over the cap; in memory within the int16 copy's rounding,
   * snapshot.ts). In memory one scan per space; over the cap, each
   * space's vec0 KNN of the summed query, every candidate re-scored by one read.
   */
  profile(
    seeds: readonly { id: number; weight: number }[],
    spaces: readonly Space[],
    k: number,
    skip: ReadonlySet<number>,
  ): { id: number; scores: number[] }[] {
    const inMemory = this.snapshot.profile(seeds, spaces, k, skip);
    if (inMemory) return inMemory;
    const queries = spaces.map((s) => new Float32Array(DIMS[s]));
    const seedIds = new Set<number>();
    for (const seed of seeds) {
      const v = this.store.getAll(seed.id);
      if (!v) continue;
      seedIds.add(seed.id);
      spaces.forEach((s, i) => {
        addScaled(queries[i] as Float32Array, v[s], seed.weight);
      });
    }
    if (seedIds.size === 0) return [];
    const candidates = new Set<number>();
    spaces.forEach((s, i) => {
      const found = this.store.knn(s, queries[i] as Float32Array, k + seedIds.size + skip.size).filter((n) => !seedIds.has(n.id) && !skip.has(n.id));
      for (const n of found.slice(0, k)) candidates.add(n.id);
    });
    const norms = queries.map((q) => Math.hypot(...q));
    return [...candidates].flatMap((id) => {
      const v = this.store.getAll(id);
      return v ? [{ id, scores: spaces.map((s, i) => cosine(queries[i] as Float32Array, v[s]) * (norms[i] as number)) }] : [];
    });
  }

  /** cos(a_i, b_j) in one space, row-major (a.length × b.length), NaN where a track has no vectors. */
  pairwise(a: readonly number[], b: readonly number[], space: Space): Float32Array {
    const inMemory = this.snapshot.pairwise(a, b, space);
    if (inMemory) return inMemory;
    const read = (ids: readonly number[]) => ids.map((id) => this.store.get(id, space));
    const va = read(a);
    const vb = read(b);
    const out = new Float32Array(a.length * b.length).fill(Number.NaN);
    va.forEach((x, i) => {
      vb.forEach((y, j) => {
        if (x && y) out[i * b.length + j] = cosine(x, y);
      });
    });
    return out;
  }
}

/** q += w · v/|v| */
function addScaled(q: Float32Array, v: Float32Array, w: number): void {
  const n = Math.hypot(...v);
  if (n === 0) return;
  for (let j = 0; j < q.length; j++) q[j] = (q[j] as number) + (w * (v[j] as number)) / n;
}
