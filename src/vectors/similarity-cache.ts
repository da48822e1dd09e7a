// The seed's persistent similarity cache: top neighbours per (source, space), fresh for 24 h.
// It survives restarts and is shared by every worker through the primary database.
import { type Db, type Stmt, statement } from '../db/index.ts';
import type { SimilarSpace } from './spaces.ts';

export const SIMILARITY_TTL_MS = 24 * 60 * 60 * 1000;

export interface CachedNeighbour {
  id: number;
  similarity: number;
}

export class SimilarityCache {
  private readonly read: Stmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.read = db.prepare(
      `SELECT similar_track_id AS id, similarity_score AS similarity FROM vector_similarity_cache
       WHERE source_track_id = ? AND similarity_type = ? AND created_at > ?
       ORDER BY similarity_score DESC, similar_track_id LIMIT ?`,
    );
  }

  /** Fresh neighbours, or null when there are fewer than `limit` fresh ones (a smaller earlier answer is not enough). */
  get(sourceId: number, space: SimilarSpace, limit: number): CachedNeighbour[] | null {
    const since = new Date(this.now() - SIMILARITY_TTL_MS).toISOString();
    const rows = this.read.all(sourceId, space, since, limit) as CachedNeighbour[];
    return rows.length >= limit ? rows : null;
  }

  /** Replaces the cached neighbours of (source, space). */
  put(sourceId: number, space: SimilarSpace, items: readonly CachedNeighbour[]): void {
    this.db.transaction(() => this.putOn(this.db, sourceId, space, items))();
  }

  /** put() on any connection (the write queue's, inside the transaction it is running). */
  putOn(db: Db, sourceId: number, space: SimilarSpace, items: readonly CachedNeighbour[]): void {
    const at = new Date(this.now()).toISOString();
    statement(db, 'DELETE FROM vector_similarity_cache WHERE source_track_id = ? AND similarity_type = ?').run(sourceId, space);
    const insert = statement(
      db,
      'INSERT INTO vector_similarity_cache (source_track_id, similar_track_id, similarity_score, similarity_type, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const it of items) insert.run(sourceId, it.id, it.similarity, space, at);
  }

  /** Drops every cached row that mentions one of these tracks, as source or as neighbour. */
  forget(trackIds: readonly number[]): number {
    if (trackIds.length === 0) return 0;
    const json = JSON.stringify(trackIds);
    return this.db
      .prepare(
        `DELETE FROM vector_similarity_cache WHERE source_track_id IN (SELECT value FROM json_each(?))
           OR similar_track_id IN (SELECT value FROM json_each(?))`,
      )
      .run(json, json).changes;
  }

  /** Rows held, and how many of them are still fresh. */
  stats(): { rows: number; freshRows: number; sources: number } {
    const since = new Date(this.now() - SIMILARITY_TTL_MS).toISOString();
    return this.db
      .prepare(
        `SELECT count(*) AS rows, count(*) FILTER (WHERE created_at > ?) AS freshRows,
                count(DISTINCT source_track_id || ':' || similarity_type) AS sources FROM vector_similarity_cache`,
      )
      .get(since) as { rows: number; freshRows: number; sources: number };
  }

  /** Empties the cache (after importing outside vectors, say); returns the rows removed. */
  clear(): number {
    return this.db.prepare('DELETE FROM vector_similarity_cache').run().changes;
  }

  /** Deletes rows older than the freshness window. */
  prune(): number {
    return this.db.prepare('DELETE FROM vector_similarity_cache WHERE created_at <= ?').run(new Date(this.now() - SIMILARITY_TTL_MS).toISOString()).changes;
  }
}
