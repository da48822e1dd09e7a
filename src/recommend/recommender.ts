// The hybrid recommender (seed §5.2, corrected): four strategies each produce candidate
// scores, every strategy's scores are divided by its best score (so a strategy's scale does
// not decide the mix), then weighted and summed. Similarity is 1 − cosine distance, so larger
// means closer. Tracks the customer already owns are never recommended; no history → popular.
import type { Db, Stmt } from '../db/index.ts';
import { badRequest, notFound } from '../errors.ts';
import { playIdsOfUsers } from '../store/plays.ts';

export const STRATEGIES = ['audio', 'lyric', 'genre', 'collaborative'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export type Weights = Record<Strategy, number>;

/** The seed's weights: audio-similar 0.4, lyric-similar 0.3, genre-based 0.2, collaborative 0.1. */
export const DEFAULT_WEIGHTS: Weights = { audio: 0.4, lyric: 0.3, genre: 0.2, collaborative: 0.1 };

export interface Reason {
  strategy: Strategy | 'popular';
  becauseOfTrackId?: number;
}
export interface Recommendation {
  id: number;
  name: string;
  artist: string | null;
  score: number;
  reasons: Reason[];
}
export interface Recommendations {
  items: Recommendation[];
  strategyWeights: Weights;
}

export type NeighbourFn = (space: 'audio' | 'lyric', trackId: number, k: number) => { id: number; similarity: number }[];

export interface RecommenderOptions {
  /** Nearest tracks in a vector space (the vec0 store in the app, in-memory vectors in evaluation). */
  neighbours: NeighbourFn;
  /** Invoices treated as never having happened (the evaluation's held-out set). */
  excludeInvoiceIds?: ReadonlySet<number>;
  /** Most recent distinct tracks of the history used as similarity seeds. */
  seeds?: number;
  /** Neighbours fetched per seed and space. */
  perSeed?: number;
}

/** Parses "audio:0.4,lyric:0.3,…" (missing strategies weigh 0) and scales the weights to sum to 1. */
export function parseWeights(spec: string | undefined): Weights {
  if (spec === undefined || spec.trim() === '') return { ...DEFAULT_WEIGHTS };
  const out: Weights = { audio: 0, lyric: 0, genre: 0, collaborative: 0 };
  for (const part of spec.split(',')) {
    const [name, value] = part.split(':').map((s) => s.trim());
    if (!name || !(STRATEGIES as readonly string[]).includes(name))
      throw badRequest(`Unknown strategy "${name ?? ''}" in weights; use ${STRATEGIES.join(', ')}`);
    const w = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(w) || w < 0) throw badRequest(`Weight of ${name} must be a number ≥ 0`);
    out[name as Strategy] = w;
  }
  return normaliseWeights(out);
}

export function normaliseWeights(w: Weights): Weights {
  const sum = STRATEGIES.reduce((s, k) => s + w[k], 0);
  if (!(sum > 0)) throw badRequest('At least one strategy weight must be above 0');
  return Object.fromEntries(STRATEGIES.map((k) => [k, w[k] / sum])) as Weights;
}

interface Candidate {
  score: number;
  because?: number;
}

export class Recommender {
  private readonly exclude: string;
  private readonly stmts: Record<'customer' | 'user' | 'history' | 'genres' | 'collaborative' | 'popular' | 'describe', Stmt>;

  constructor(
    db: Db,
    private readonly options: RecommenderOptions,
  ) {
    this.exclude = JSON.stringify([...(options.excludeInvoiceIds ?? [])]);
    const kept = 'i.id NOT IN (SELECT value FROM json_each(@exclude))';
    this.stmts = {
      customer: db.prepare('SELECT 1 FROM chinook_customers WHERE id = ?'),
      // Purchases and plays (of the user, or of any user linked to the customer), newest first.
      // Invoice dates are 'YYYY-MM-DD hh:mm:ss', play times ISO: normalised to compare.
      history: db.prepare(
        `SELECT id, genreId FROM (
           SELECT il.track_id AS id, t.genre_id AS genreId, substr(i.invoice_date, 1, 19) AS at, il.id AS seq
           FROM chinook_invoices i
           JOIN chinook_invoice_lines il ON il.invoice_id = i.id JOIN chinook_tracks t ON t.id = il.track_id
           WHERE i.customer_id = @customer AND ${kept}
           UNION ALL
           SELECT p.track_id, t.genre_id, replace(substr(p.played_at, 1, 19), 'T', ' '), p.id
           FROM plays p JOIN chinook_tracks t ON t.id = p.track_id
           WHERE p.id IN (${playIdsOfUsers('SELECT @user UNION ALL SELECT u.id FROM users u WHERE u.customer_id = @customer')}))
         ORDER BY at DESC, seq DESC`,
      ),
      user: db.prepare('SELECT customer_id AS customerId FROM users WHERE id = ?'),
      // Genre picks are plain SQL ranked by sales in the genre (the seed's FTS '*' query is invalid).
      genres: db.prepare(
        `SELECT t.id, t.genre_id AS genreId, count(il.id) AS sales FROM chinook_tracks t
         LEFT JOIN chinook_invoice_lines il ON il.track_id = t.id
           AND il.invoice_id NOT IN (SELECT value FROM json_each(@exclude))
         WHERE t.genre_id IN (SELECT value FROM json_each(@genres))
         GROUP BY t.id ORDER BY sales DESC, t.id LIMIT @limit`,
      ),
      // Customers who bought what this customer bought, and what else they bought.
      collaborative: db.prepare(
        `WITH mine AS (SELECT value AS track_id FROM json_each(@owned)),
         peers AS (
           SELECT i.customer_id AS peer, count(DISTINCT il.track_id) AS overlap
           FROM chinook_invoice_lines il JOIN chinook_invoices i ON i.id = il.invoice_id
           WHERE il.track_id IN (SELECT track_id FROM mine) AND i.customer_id <> @customer AND ${kept}
           GROUP BY i.customer_id)
         SELECT il.track_id AS id, sum(p.overlap) AS score
         FROM peers p JOIN chinook_invoices i ON i.customer_id = p.peer AND ${kept}
         JOIN chinook_invoice_lines il ON il.invoice_id = i.id
         GROUP BY il.track_id ORDER BY score DESC, il.track_id LIMIT @limit`,
      ),
      popular: db.prepare(
        `SELECT t.id, count(il.id) + coalesce((SELECT plays FROM track_play_counts pc WHERE pc.track_id = t.id), 0) AS sales
         FROM chinook_tracks t LEFT JOIN chinook_invoice_lines il ON il.track_id = t.id
           AND il.invoice_id NOT IN (SELECT value FROM json_each(@exclude))
         GROUP BY t.id ORDER BY sales DESC, t.id LIMIT @limit`,
      ),
      describe: db.prepare(
        `SELECT t.id, t.name, ar.name AS artist FROM chinook_tracks t
         LEFT JOIN chinook_albums al ON al.id = t.album_id LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
         WHERE t.id IN (SELECT value FROM json_each(?))`,
      ),
    };
  }

  /** The customer's purchased (and played) tracks, most recent first (distinct). */
  history(customerId: number, userId: number | null = null): { id: number; genreId: number | null }[] {
    const rows = this.stmts.history.all({ customer: customerId, user: userId, exclude: this.exclude }) as { id: number; genreId: number | null }[];
    const seen = new Set<number>();
    return rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
  }

  /** Raw candidate scores of one strategy (owned tracks already removed). */
  strategy(name: Strategy, customerId: number, history: { id: number; genreId: number | null }[], owned: Set<number>, limit: number): Map<number, Candidate> {
    const out = new Map<number, Candidate>();
    const offer = (id: number, score: number, because?: number) => {
      if (owned.has(id) || !(score > 0)) return;
      const prev = out.get(id);
      if (!prev || score > prev.score) out.set(id, { score, because });
    };
    if (name === 'audio' || name === 'lyric') {
      const k = this.options.perSeed ?? 20;
      for (const seed of history.slice(0, this.options.seeds ?? 10)) {
        for (const n of this.options.neighbours(name, seed.id, k)) offer(n.id, n.similarity, seed.id);
      }
    } else if (name === 'genre') {
      const counts = new Map<number, number>();
      for (const h of history) if (h.genreId !== null) counts.set(h.genreId, (counts.get(h.genreId) ?? 0) + 1);
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 3);
      const share = new Map(top.map(([g, c]) => [g, c / history.length]));
      const rows = this.stmts.genres.all({ genres: JSON.stringify(top.map(([g]) => g)), exclude: this.exclude, limit: limit + owned.size }) as {
        id: number;
        genreId: number;
        sales: number;
      }[];
      // Genre share × (1 + sales): the customer's main genre first, its best sellers first within it.
      for (const r of rows) offer(r.id, (share.get(r.genreId) ?? 0) * (1 + r.sales));
    } else {
      const rows = this.stmts.collaborative.all({
        owned: JSON.stringify([...owned]),
        customer: customerId,
        exclude: this.exclude,
        limit: limit + owned.size,
      }) as { id: number; score: number }[];
      // Score: how many of this customer's tracks the buyers of the candidate share with them.
      for (const r of rows) offer(r.id, r.score);
    }
    return out;
  }

  popular(limit: number, owned: ReadonlySet<number> = new Set()): number[] {
    const rows = this.stmts.popular.all({ exclude: this.exclude, limit: limit + owned.size }) as { id: number }[];
    return rows
      .map((r) => r.id)
      .filter((id) => !owned.has(id))
      .slice(0, limit);
  }

  /** Ranked track ids with their reasons (no names: the evaluation needs only ids). */
  rank(
    customerId: number,
    limit: number,
    weights: Weights = DEFAULT_WEIGHTS,
    userId: number | null = null,
  ): { id: number; score: number; reasons: Reason[] }[] {
    const history = this.history(customerId, userId);
    const owned = new Set(history.map((h) => h.id));
    const merged = new Map<number, { score: number; reasons: Reason[] }>();
    if (history.length > 0) {
      const pool = Math.max(limit * 3, 50);
      for (const name of STRATEGIES) {
        if (!(weights[name] > 0)) continue;
        const cands = this.strategy(name, customerId, history, owned, pool);
        let max = 0;
        for (const c of cands.values()) max = Math.max(max, c.score);
        if (max <= 0) continue;
        for (const [id, c] of cands) {
          const m = merged.get(id) ?? { score: 0, reasons: [] };
          m.score += weights[name] * (c.score / max);
          m.reasons.push(c.because !== undefined ? { strategy: name, becauseOfTrackId: c.because } : { strategy: name });
          merged.set(id, m);
        }
      }
    }
    const ranked = [...merged.entries()].map(([id, m]) => ({ id, ...m })).sort((a, b) => b.score - a.score || a.id - b.id);
    const out = ranked.slice(0, limit);
    // Cold start (or too little signal): fill with popular tracks the customer does not own.
    if (out.length < limit) {
      const taken = new Set([...owned, ...out.map((o) => o.id)]);
      for (const id of this.popular(limit - out.length, taken)) out.push({ id, score: 0, reasons: [{ strategy: 'popular' }] });
    }
    return out;
  }

  /**
   * For a customer, or for a logged-in user (their linked customer's purchases plus their
   * plays; plays alone when no customer is linked). Played tracks count as owned.
   */
  recommend(subject: { customerId?: number | null; userId?: number | null }, options: { limit?: number; weights?: Weights } = {}): Recommendations {
    let customerId = subject.customerId ?? null;
    const userId = subject.userId ?? null;
    if (userId !== null) {
      const user = this.stmts.user.get(userId) as { customerId: number | null } | undefined;
      if (!user) throw notFound('user', userId);
      customerId ??= user.customerId;
    }
    if (customerId === null && userId === null) throw badRequest('customerId is required unless you are logged in');
    if (customerId !== null && !this.stmts.customer.get(customerId)) throw notFound('customer', customerId);
    const weights = options.weights ?? DEFAULT_WEIGHTS;
    // No customer: -1 matches no invoice and no peer.
    const ranked = this.rank(customerId ?? -1, options.limit ?? 20, weights, userId);
    const rows = this.stmts.describe.all(JSON.stringify(ranked.map((r) => r.id))) as { id: number; name: string; artist: string | null }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return {
      items: ranked.map((r) => ({
        id: r.id,
        name: byId.get(r.id)?.name ?? '',
        artist: byId.get(r.id)?.artist ?? null,
        score: Math.round(r.score * 1e6) / 1e6,
        reasons: r.reasons,
      })),
      strategyWeights: weights,
    };
  }
}
