// Vector similarity: one vec0 table holding the three embedding spaces per track (cosine
// distance), the seed's 24-hour similarity cache, and bookkeeping of how each space was built.
import type { Migration } from '../migration.ts';

export const vectorsSchema: Migration = {
  version: 3,
  name: '003-vectors',
  up(db) {
    db.exec(`
      -- One table, as the seed sketches: vec0 keeps each vector column in its own shadow
      -- chunk table, so a KNN over one space reads only that space (bench/sections/40-vectors.ts
      -- measures this against one table per space).
      CREATE VIRTUAL TABLE track_vectors USING vec0(
        track_id INTEGER PRIMARY KEY,
        audio_features FLOAT[128] distance_metric=cosine,
        lyric_features FLOAT[384] distance_metric=cosine,
        metadata_features FLOAT[64] distance_metric=cosine
      );

      CREATE TABLE vector_similarity_cache (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source_track_id INTEGER NOT NULL,
        similar_track_id INTEGER NOT NULL,
        similarity_score REAL NOT NULL,
        similarity_type TEXT NOT NULL CHECK (similarity_type IN ('audio', 'lyric', 'metadata', 'blend')),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        UNIQUE (source_track_id, similar_track_id, similarity_type)
      );
      CREATE INDEX idx_similarity_cache_source ON vector_similarity_cache(source_track_id, similarity_type, created_at);
      CREATE INDEX idx_similarity_cache_score ON vector_similarity_cache(similarity_score DESC);

      -- Which provider filled each space and over how many tracks, so a start-up can tell
      -- "never built" from "built" and an import can say what it replaced.
      CREATE TABLE vector_spaces (
        space TEXT PRIMARY KEY CHECK (space IN ('audio', 'lyric', 'metadata')),
        provider TEXT NOT NULL,
        dims INTEGER NOT NULL,
        track_count INTEGER NOT NULL,
        built_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
      );
    `);
  },
};
