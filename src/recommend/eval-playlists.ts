// Playlist completion: the one test of taste Chinook can give (its invoices are generated).
// For each curated playlist (Chinook: 11-17), sorted by track id, every 3rd track is hidden
// and the rest are the seeds; each method ranks tracks outside the seeds, and we count the
// hidden tracks in its top 20 (recall@20) and the rank of the first one (MRR, over the top 100).
//
// Strict protocol: the hidden tracks are deleted from *every* curated playlist in a copy of
// the database, then that copy's vectors are built (one build per playlist), then everything
// is served from it. Playlists 13-15 are parts of 12: a track hidden from 13 but left in 12
// teaches the listens-alike space where it belongs. The "leaky" row shows what a looser
// protocol measures: the same continuation served from vectors built with the hidden rows.
import { type Db, WriteQueue } from '../db/index.ts';
import { buildVectors, SimilarityService, type Space } from '../vectors/index.ts';
import { Continuations } from './continuation.ts';
import { type EvaluationCopies, recommenderOn } from './eval-copies.ts';
import { newListener } from './eval-listener.ts';

export const CHINOOK_CURATED = [11, 12, 13, 14, 15, 16, 17] as const;
/** Playlists that are not classical music (12-15 are): the hardest cases. */
export const NON_CLASSICAL = [11, 16, 17] as const;
const LIST = 100;

export interface Score {
  recall20: number;
  mrr: number;
}

export interface MethodRow {
  method: string;
  kind: 'space' | 'served' | 'baseline' | 'leaky';
  perPlaylist: Record<number, Score>;
  mean: Score;
  /** Mean recall@20 over 11, 16 and 17. */
  nonClassicalRecall20: number;
}

export interface PlaylistEvaluation {
  playlists: { id: number; name: string; tracks: number; hidden: number }[];
  rows: MethodRow[];
  ms: number;
}

type Ranker = (seeds: number[], playlistId: number) => number[] | Promise<number[]>;

export function hiddenOf(trackIds: readonly number[]): { seeds: number[]; hidden: number[] } {
  const sorted = [...trackIds].sort((a, b) => a - b);
  return { seeds: sorted.filter((_, i) => i % 3 !== 2), hidden: sorted.filter((_, i) => i % 3 === 2) };
}

export function score(list: readonly number[], hidden: ReadonlySet<number>): Score {
  const first = list.findIndex((id) => hidden.has(id));
  return { recall20: list.slice(0, 20).filter((id) => hidden.has(id)).length / Math.max(1, hidden.size), mrr: first < 0 ? 0 : 1 / (first + 1) };
}

/** The baselines: no vectors, no learning, the same tie-break (popularity, then id) as the ranker. */
export function baselines(db: Db): Record<string, (seeds: number[]) => number[]> {
  const tracks = db
    .prepare(
      `SELECT t.id, t.genre_id AS genre, al.artist_id AS artist, coalesce(p.score, 0) AS popularity FROM chinook_tracks t
       LEFT JOIN chinook_albums al ON al.id = t.album_id LEFT JOIN track_popularity p ON p.track_id = t.id`,
    )
    .all() as { id: number; genre: number | null; artist: number | null; popularity: number }[];
  const byId = new Map(tracks.map((t) => [t.id, t]));
  // Co-playlist counts use the narrow playlists only, as the listens-alike space does.
  const playlistsOf = new Map<number, number[]>();
  for (const r of db
    .prepare(
      `SELECT track_id AS t, playlist_id AS p FROM chinook_playlist_track WHERE playlist_id IN (
         SELECT playlist_id FROM chinook_playlist_track GROUP BY playlist_id HAVING count(*) <= 0.25 * (SELECT count(*) FROM chinook_tracks))`,
    )
    .all() as { t: number; p: number }[]) {
    const list = playlistsOf.get(r.t) ?? [];
    list.push(r.p);
    playlistsOf.set(r.t, list);
  }
  const rank = (seeds: number[], scoreOf: (id: number) => number) => {
    const skip = new Set(seeds);
    return tracks
      .filter((t) => !skip.has(t.id))
      .map((t) => ({ t, s: scoreOf(t.id) }))
      .sort((a, b) => b.s - a.s || b.t.popularity - a.t.popularity || a.t.id - b.t.id)
      .slice(0, LIST)
      .map((x) => x.t.id);
  };
  const counts = (seeds: number[], key: 'genre' | 'artist') => {
    const m = new Map<number | null, number>();
    for (const s of seeds) m.set(byId.get(s)?.[key] ?? null, (m.get(byId.get(s)?.[key] ?? null) ?? 0) + 1);
    m.delete(null);
    return m;
  };
  return {
    popularity: (seeds) => rank(seeds, () => 0),
    genre: (seeds) => {
      const g = counts(seeds, 'genre');
      return rank(seeds, (id) => g.get(byId.get(id)?.genre ?? null) ?? 0);
    },
    'genre + artist': (seeds) => {
      const g = counts(seeds, 'genre');
      const a = counts(seeds, 'artist');
      // Same-artist seeds first, the genre's share of the seeds breaks ties.
      return rank(seeds, (id) => (a.get(byId.get(id)?.artist ?? null) ?? 0) + (g.get(byId.get(id)?.genre ?? null) ?? 0) / seeds.length);
    },
    'co-playlist counts': (seeds) => {
      const shared = new Map<number, number>();
      for (const s of seeds) for (const p of playlistsOf.get(s) ?? []) shared.set(p, (shared.get(p) ?? 0) + 1);
      return rank(seeds, (id) => (playlistsOf.get(id) ?? []).reduce((n, p) => n + (shared.get(p) ?? 0), 0));
    },
  };
}

/** Ranks by Σ similarity to the seeds in one space, or the mean of the three (blend), from the served vectors. */
function spaceRanker(similarity: SimilarityService, spaces: readonly Space[]): Ranker {
  return (seeds) => {
    const found = similarity.profile(
      seeds.map((id) => ({ id, weight: 1 })),
      spaces,
      LIST,
      new Set(seeds),
    );
    return found
      .map((c) => ({ id: c.id, s: c.scores.reduce((a, b) => a + b, 0) }))
      .sort((a, b) => b.s - a.s || a.id - b.id)
      .slice(0, LIST)
      .map((c) => c.id);
  };
}

export async function runPlaylistEvaluation(
  copies: EvaluationCopies,
  options: { playlists?: readonly number[]; log?: (line: string) => void } = {},
): Promise<PlaylistEvaluation> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const ids = options.playlists ?? CHINOOK_CURATED;
  const results = new Map<string, { kind: MethodRow['kind']; per: Record<number, Score> }>();
  const record = (method: string, kind: MethodRow['kind'], playlist: number, s: Score) => {
    const row = results.get(method) ?? { kind, per: {} };
    row.per[playlist] = s;
    results.set(method, row);
  };
  const playlists: PlaylistEvaluation['playlists'] = [];
  for (const protocol of ['strict', 'leaky'] as const) {
    for (const playlistId of ids) {
      const db = copies.open();
      try {
        const members = (db.prepare('SELECT track_id AS id FROM chinook_playlist_track WHERE playlist_id = ?').all(playlistId) as { id: number }[]).map(
          (r) => r.id,
        );
        const { seeds, hidden } = hiddenOf(members);
        if (protocol === 'strict') {
          const name = (db.prepare('SELECT name FROM chinook_playlists WHERE id = ?').get(playlistId) as { name: string } | undefined)?.name;
          if (name === undefined || members.length < 3) throw new Error(`playlist ${playlistId} does not exist or has fewer than 3 tracks`);
          playlists.push({ id: playlistId, name, tracks: members.length, hidden: hidden.length });
        }
        const hide = db.prepare(
          `DELETE FROM chinook_playlist_track WHERE playlist_id IN (SELECT value FROM json_each(?)) AND track_id IN (SELECT value FROM json_each(?))`,
        );
        if (protocol === 'strict') {
          hide.run(JSON.stringify(ids), JSON.stringify(hidden));
          // Only the listens-alike and metadata spaces read playlists; the text space is the same in every copy.
          buildVectors(db, { spaces: ['audio', 'metadata'] });
        } else {
          // The copy's vectors were built with every row: hide the tracks from the playlist only now.
          hide.run(JSON.stringify([playlistId]), JSON.stringify(hidden));
        }
        const truth = new Set(hidden);
        const similarity = new SimilarityService(db);
        const writes = new WriteQueue(db);
        const recommender = recommenderOn(db, similarity, writes);
        const continuations = new Continuations(recommender);
        const served: Ranker = (_, p) => continuations.continuePlaylist(p, { limit: LIST }).items.map((i) => i.id);
        const methods: [string, MethodRow['kind'], Ranker][] =
          protocol === 'leaky'
            ? [['continuation, leaky (vectors built with the hidden rows)', 'leaky', served]]
            : [
                ['audio (listens-alike) space', 'space', spaceRanker(similarity, ['audio'])],
                ['lyric (text) space', 'space', spaceRanker(similarity, ['lyric'])],
                ['metadata space', 'space', spaceRanker(similarity, ['metadata'])],
                ['blend (mean of the three)', 'space', spaceRanker(similarity, ['audio', 'lyric', 'metadata'])],
                ['recommender (a new listener who played the seeds)', 'served', (s) => newListener(db, writes, recommender, s, LIST)],
                ['continuation (GET /api/playlists/:id/continue)', 'served', served],
                ...Object.entries(baselines(db)).map(([name, f]) => [`${name} (baseline)`, 'baseline', f] as [string, MethodRow['kind'], Ranker]),
              ];
        for (const [method, kind, f] of methods) record(method, kind, playlistId, score(await f(seeds, playlistId), truth));
        await writes.close();
        log(`${protocol}: playlist ${playlistId} (${seeds.length} seeds, ${hidden.length} hidden) evaluated`);
      } finally {
        copies.close(db);
      }
    }
  }
  const mean = (per: Record<number, Score>, of: readonly number[]) => ({
    recall20: of.reduce((s, p) => s + (per[p]?.recall20 ?? 0), 0) / of.length,
    mrr: of.reduce((s, p) => s + (per[p]?.mrr ?? 0), 0) / of.length,
  });
  const nonClassical = NON_CLASSICAL.filter((p) => ids.includes(p));
  const rows: MethodRow[] = [...results.entries()].map(([method, r]) => ({
    method,
    kind: r.kind,
    perPlaylist: r.per,
    mean: mean(r.per, ids),
    nonClassicalRecall20: nonClassical.length ? mean(r.per, nonClassical).recall20 : 0,
  }));
  return { playlists, rows, ms: performance.now() - started };
}
