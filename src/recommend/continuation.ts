// Suggestions without an account: "continue this playlist" (its tracks are the seeds, none of
// them comes back) and "more like these tracks" (a set of track ids, any order). Both use the
// personal recommender's ranking with equal seed weights; the collaborative strategy needs a
// customer and stays out.
import { ApiError, notFound } from '../errors.ts';
import type { ListOptions, Recommender, Suggestion } from './recommender.ts';

/** Seeds accepted by "from these tracks": a long playlist's worth. */
export const MAX_SEED_TRACKS = 200;

export class Continuations {
  constructor(private readonly recommender: Recommender) {}

  /** Tracks to add to a playlist, best first. */
  continuePlaylist(playlistId: number, options: ListOptions = {}): { items: Suggestion[] } {
    const playlist = this.recommender.ranker.facts.playlist(playlistId);
    if (!playlist) throw notFound('playlist', playlistId);
    const seeds = playlist.trackIds.map((id) => ({ id, weight: 1 }));
    return { items: this.recommender.suggest(seeds, new Set(playlist.trackIds), { kind: 'playlist' }, options) };
  }

  /** Tracks like these (duplicates ignored; unknown ids are a 404 that names them). */
  fromTracks(trackIds: readonly number[], options: ListOptions = {}): { items: Suggestion[] } {
    const ids = [...new Set(trackIds)].sort((a, b) => a - b);
    const known = this.recommender.ranker.facts.existing(ids);
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length) throw new ApiError(404, 'not_found', `unknown track ids: ${missing.join(', ')}`, { missing });
    const seeds = ids.map((id) => ({ id, weight: 1 }));
    return { items: this.recommender.suggest(seeds, new Set(ids), { kind: 'tracks' }, options) };
  }
}
