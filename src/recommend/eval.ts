// Offline evaluation (`chinook eval recommendations`).
//
// Leave-last-invoice-out: every customer's most recent invoice is hidden; the listens-alike
// space, popularity and co-purchases are all recomputed without those invoices (in a copy of
// the database), each method recommends from the rest, and we count the hidden tracks found.
// Chinook's invoices are generated, so this cannot tell methods apart (docs/vectors.md): the
// playlist-completion protocol (eval-playlists.ts) is the one that measures taste.
//
// Similarity sanity: for each space, the share of a track's 10 nearest neighbours that share
// its genre / artist, against 10 random other tracks (seeded).
import { type Db, WriteQueue } from '../db/index.ts';
import { TrackHistory } from '../store/index.ts';
import { buildVectors, SimilarityService, type SimilarSpace, type Space, seededRandom } from '../vectors/index.ts';
import { type EvaluationCopies, recommenderOn } from './eval-copies.ts';
import { DEFAULT_WEIGHTS, only, STRATEGIES, type Weights } from './weights.ts';

export interface MethodScores {
  method: string;
  hitRate10: number;
  recall20: number;
  ndcg10: number;
  coverage10: number;
  /** Softer hits: a top-10 track from an album / artist of the held-out invoice. */
  albumHit10: number;
  artistHit10: number;
}

export interface SanityRow {
  space: SimilarSpace | 'random pairs';
  sameGenre: number;
  sameArtist: number;
  meanSimilarity: number | null;
}

export interface EvaluationResult {
  customers: number;
  heldOutTracks: number;
  catalogTracks: number;
  methods: MethodScores[];
  sanity: { sources: number; rows: SanityRow[] };
  ms: number;
}

/** Exact top-k by dot product over L2-normalised vectors held in one Float32Array. */
export class BruteForceIndex {
  private readonly row = new Map<number, number>();
  constructor(
    readonly ids: Int32Array,
    readonly data: Float32Array,
    readonly dims: number,
  ) {
    for (let i = 0; i < ids.length; i++) this.row.set(ids[i] as number, i);
  }

  static from(vectors: Map<number, Float32Array>, dims: number): BruteForceIndex {
    const ids = Int32Array.from([...vectors.keys()].sort((a, b) => a - b));
    const data = new Float32Array(ids.length * dims);
    for (let i = 0; i < ids.length; i++) data.set(vectors.get(ids[i] as number) as Float32Array, i * dims);
    return new BruteForceIndex(ids, data, dims);
  }

  vector(id: number): Float32Array | null {
    const r = this.row.get(id);
    return r === undefined ? null : this.data.subarray(r * this.dims, (r + 1) * this.dims);
  }

  /** The k most similar rows (cosine = dot for unit vectors), best first. */
  search(q: Float32Array, k: number, skipId?: number): { id: number; similarity: number }[] {
    const { data, dims, ids } = this;
    const topS = new Float64Array(k).fill(Number.NEGATIVE_INFINITY);
    const topI = new Int32Array(k).fill(-1);
    for (let r = 0; r < ids.length; r++) {
      if (ids[r] === skipId) continue;
      let s = 0;
      const o = r * dims;
      for (let j = 0; j < dims; j++) s += (q[j] as number) * (data[o + j] as number);
      if (s <= (topS[k - 1] as number)) continue;
      let p = k - 1;
      while (p > 0 && (topS[p - 1] as number) < s) {
        topS[p] = topS[p - 1] as number;
        topI[p] = topI[p - 1] as number;
        p--;
      }
      topS[p] = s;
      topI[p] = r;
    }
    const out: { id: number; similarity: number }[] = [];
    for (let i = 0; i < k; i++) if ((topI[i] as number) >= 0) out.push({ id: ids[topI[i] as number] as number, similarity: topS[i] as number });
    return out;
  }
}

function heldOutInvoices(db: Db): Map<number, number> {
  const rows = db
    .prepare(
      `SELECT customer_id AS customer, id FROM (
         SELECT customer_id, id, row_number() OVER (PARTITION BY customer_id ORDER BY invoice_date DESC, id DESC) AS rn,
                count(*) OVER (PARTITION BY customer_id) AS n
         FROM chinook_invoices) WHERE rn = 1 AND n >= 2 ORDER BY customer_id`,
    )
    .all() as { customer: number; id: number }[];
  return new Map(rows.map((r) => [r.customer, r.id]));
}

type TrackKeys = Map<number, { album: number | null; artist: number | null }>;

function scoreLists(lists: Map<number, number[]>, truth: Map<number, Set<number>>, keys: TrackKeys, catalog: number, method: string): MethodScores {
  let hits = 0;
  let albumHits = 0;
  let artistHits = 0;
  let recall = 0;
  let ndcg = 0;
  const covered = new Set<number>();
  for (const [customer, list] of lists) {
    const relevant = truth.get(customer) ?? new Set<number>();
    const top10 = list.slice(0, 10);
    for (const id of top10) covered.add(id);
    if (top10.some((id) => relevant.has(id))) hits++;
    const softHit = (key: 'album' | 'artist') => {
      const wanted = new Set<number | null | undefined>([...relevant].map((id) => keys.get(id)?.[key]).filter((k) => k !== null && k !== undefined));
      return top10.some((id) => wanted.has(keys.get(id)?.[key]));
    };
    if (softHit('album')) albumHits++;
    if (softHit('artist')) artistHits++;
    if (relevant.size) recall += list.slice(0, 20).filter((id) => relevant.has(id)).length / relevant.size;
    let dcg = 0;
    top10.forEach((id, i) => {
      if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
    });
    let ideal = 0;
    for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
    if (ideal > 0) ndcg += dcg / ideal;
  }
  const n = Math.max(1, lists.size);
  return {
    method,
    hitRate10: hits / n,
    recall20: recall / n,
    ndcg10: ndcg / n,
    coverage10: covered.size / Math.max(1, catalog),
    albumHit10: albumHits / n,
    artistHit10: artistHits / n,
  };
}

/**
 * Leave-last-invoice-out, in a copy of the database whose held-out invoices are deleted before
 * its vectors are built (so popularity, the spaces and co-purchases never see them).
 */
export function runEvaluation(
  copies: EvaluationCopies,
  options: { log?: (line: string) => void; sanitySources?: number; seed?: number } = {},
): EvaluationResult {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 42;
  const db = copies.open();
  try {
    const heldOut = heldOutInvoices(db);
    const truth = new Map<number, Set<number>>();
    const lineStmt = db.prepare('SELECT DISTINCT track_id AS id FROM chinook_invoice_lines WHERE invoice_id = ?');
    for (const [customer, invoice] of heldOut) truth.set(customer, new Set((lineStmt.all(invoice) as { id: number }[]).map((r) => r.id)));
    const catalog = (db.prepare('SELECT count(*) AS n FROM chinook_tracks').get() as { n: number }).n;
    log(`held out the last invoice of ${heldOut.size} customers; deleting them and rebuilding the vectors`);
    db.prepare('DELETE FROM chinook_invoices WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify([...heldOut.values()]));
    buildVectors(db);
    const similarity = new SimilarityService(db);
    const recommender = recommenderOn(db, similarity, new WriteQueue(db));
    const history = new TrackHistory(db);
    const list = (c: number, weights: Weights) => recommender.recommend({ customerId: c }, { limit: 20, weights }).items.map((r) => r.id);
    const owned = (c: number) => new Set(history.of({ customerId: c, userIds: [] }).map((e) => e.trackId));
    const methods: [string, (customer: number) => number[]][] = [
      ['hybrid (default weights)', (c) => list(c, DEFAULT_WEIGHTS)],
      ...STRATEGIES.map((s) => [`${s} only`, (c: number) => list(c, only(s))] as [string, (c: number) => number[]]),
      ['popularity baseline', (c) => recommender.ranker.facts.mostPopular(20, owned(c))],
    ];
    const rand = seededRandom(seed);
    const allIds = (db.prepare('SELECT id FROM chinook_tracks ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    methods.push([
      'random baseline (seeded)',
      (c) => {
        const mine = owned(c);
        const out = new Set<number>();
        while (out.size < 20) {
          const id = allIds[Math.floor(rand() * allIds.length)] as number;
          if (!mine.has(id)) out.add(id);
        }
        return [...out];
      },
    ]);
    const keys: TrackKeys = new Map(
      (
        db
          .prepare('SELECT t.id, t.album_id AS album, al.artist_id AS artist FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id')
          .all() as {
          id: number;
          album: number | null;
          artist: number | null;
        }[]
      ).map((r) => [r.id, { album: r.album, artist: r.artist }]),
    );
    const scores = methods.map(([name, f]) => {
      const lists = new Map<number, number[]>();
      for (const customer of heldOut.keys()) lists.set(customer, f(customer));
      log(`evaluated ${name}`);
      return scoreLists(lists, truth, keys, catalog, name);
    });
    log('similarity sanity report over the built vectors');
    const sanity = sanityReport(db, options.sanitySources ?? 400, seed);
    return {
      customers: heldOut.size,
      heldOutTracks: [...truth.values()].reduce((s, t) => s + t.size, 0),
      catalogTracks: catalog,
      methods: scores,
      sanity,
      ms: performance.now() - started,
    };
  } finally {
    copies.close(db);
  }
}

/** Same-genre / same-artist share of the top-10 neighbours per space, against random pairs. */
export function sanityReport(db: Db, sources: number, seed: number): { sources: number; rows: SanityRow[] } {
  const info = new Map(
    (
      db.prepare('SELECT t.id, t.genre_id AS genre, al.artist_id AS artist FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id').all() as {
        id: number;
        genre: number | null;
        artist: number | null;
      }[]
    ).map((r) => [r.id, r]),
  );
  const ids = [...info.keys()].sort((a, b) => a - b);
  const step = Math.max(1, Math.floor(ids.length / sources));
  const picked = ids.filter((_, i) => i % step === 0).slice(0, sources);
  const service = new SimilarityService(db);
  const share = (pairs: [number, number][], key: 'genre' | 'artist') =>
    pairs.filter(([a, b]) => info.get(a)?.[key] !== null && info.get(a)?.[key] === info.get(b)?.[key]).length / Math.max(1, pairs.length);
  const rows: SanityRow[] = [];
  for (const space of ['audio', 'lyric', 'metadata', 'blend'] as (Space | 'blend')[]) {
    const pairs: [number, number][] = [];
    let simSum = 0;
    for (const src of picked) {
      for (const n of service.neighbours(src, space, 10)) {
        pairs.push([src, n.id]);
        simSum += n.similarity;
      }
    }
    rows.push({ space, sameGenre: share(pairs, 'genre'), sameArtist: share(pairs, 'artist'), meanSimilarity: simSum / Math.max(1, pairs.length) });
  }
  const rand = seededRandom(seed + 1);
  const randomPairs: [number, number][] = [];
  for (const src of picked) {
    for (let i = 0; i < 10; i++) {
      let other = src;
      while (other === src) other = ids[Math.floor(rand() * ids.length)] as number;
      randomPairs.push([src, other]);
    }
  }
  rows.push({ space: 'random pairs', sameGenre: share(randomPairs, 'genre'), sameArtist: share(randomPairs, 'artist'), meanSimilarity: null });
  return { sources: picked.length, rows };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatEvaluation(r: EvaluationResult): string {
  const lines = [
    `Leave-last-invoice-out over ${r.customers} customers (${r.heldOutTracks} held-out tracks, ${r.catalogTracks} in the catalog); lists of 20, owned tracks excluded.`,
    '',
    '| method | hit-rate@10 | recall@20 | nDCG@10 | coverage@10 | album hit@10 | artist hit@10 |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.methods.map(
      (m) =>
        `| ${m.method} | ${pct(m.hitRate10)} | ${pct(m.recall20)} | ${m.ndcg10.toFixed(4)} | ${pct(m.coverage10)} | ${pct(m.albumHit10)} | ${pct(m.artistHit10)} |`,
    ),
    '',
    `Similarity sanity: top-10 neighbours of ${r.sanity.sources} tracks (every n-th by id), against 10 random other tracks each.`,
    '',
    '| space | same genre | same artist | mean similarity |',
    '| --- | --- | --- | --- |',
    ...r.sanity.rows.map(
      (s) => `| ${s.space} | ${pct(s.sameGenre)} | ${pct(s.sameArtist)} | ${s.meanSimilarity === null ? '–' : s.meanSimilarity.toFixed(3)} |`,
    ),
    '',
    `(${(r.ms / 1000).toFixed(1)} s)`,
  ];
  return lines.join('\n');
}
