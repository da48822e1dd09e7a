// The vec0 store: one row per track with its three vectors, KNN per space, bulk writes.
import { type Db, type Stmt, statement } from '../db/index.ts';
import { removeAnnFile } from './ann/ann-file.ts';
import { AnnIndex } from './ann/ann-index.ts';
import { dropGroups, GroupStore, groupsBuildId, groupsExist } from './ann/groups.ts';
import { COLUMN, DIMS, type EmbeddingBatch, SPACES, type Space } from './spaces.ts';

export const toBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
export const fromBlob = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

const zeros = Object.fromEntries(SPACES.map((s) => [s, toBlob(new Float32Array(DIMS[s]))])) as Record<Space, Buffer>;

/** How many vector_changes rows are kept for readers catching up. */
const CHANGES_KEPT = 10_000;

export interface Neighbour {
  id: number;
  distance: number;
}

/** A space's large-catalog index in this process: its groups (SQLite) and its ANN file. */
export interface SpaceIndex {
  /** The build of the groups these objects were made for. */
  build: string | null;
  groups: GroupStore;
  ann: AnnIndex;
}

export class VectorStore {
  private readonly knnStmts: Record<Space, Stmt>;
  private readonly getStmts: Record<Space, Stmt>;
  private readonly exists: Stmt;
  private readonly insert: Stmt;
  private readonly updates: Record<Space, Stmt>;
  private readonly removeStmt: Stmt;
  private readonly noteChange: Stmt;
  private readonly pruneChanges: Stmt;
  private readonly changesStmt: Stmt;
  /** Off inside bulk(): a build or import notes one "everything changed" row instead of a row per track. */
  private noteEachTrack = true;
  private allStmt: Stmt | undefined;
  /** The large-catalog indexes present, re-read whenever the schema changes (built or dropped elsewhere). */
  private indexCache: { version: number; indexes: Partial<Record<Space, SpaceIndex>> } | null = null;

  constructor(private readonly db: Db) {
    const per = (f: (s: Space) => string) => Object.fromEntries(SPACES.map((s) => [s, db.prepare(f(s))])) as Record<Space, Stmt>;
    this.knnStmts = per((s) => `SELECT track_id AS id, distance FROM track_vectors WHERE ${COLUMN[s]} MATCH ? AND k = ?`);
    this.getStmts = per((s) => `SELECT ${COLUMN[s]} AS v FROM track_vectors WHERE track_id = ?`);
    this.updates = per((s) => `UPDATE track_vectors SET ${COLUMN[s]} = ? WHERE track_id = ?`);
    this.exists = db.prepare('SELECT 1 FROM track_vectors WHERE track_id = ?');
    this.insert = db.prepare('INSERT INTO track_vectors (track_id, audio_features, lyric_features, metadata_features) VALUES (?, ?, ?, ?)');
    this.removeStmt = db.prepare('DELETE FROM track_vectors WHERE track_id = ?');
    this.noteChange = db.prepare('INSERT INTO vector_changes (track_id) VALUES (?)');
    this.pruneChanges = db.prepare('DELETE FROM vector_changes WHERE revision <= ?');
    this.changesStmt = db.prepare('SELECT revision, track_id AS trackId FROM vector_changes WHERE revision >= ? ORDER BY revision LIMIT ?');
  }

  /** Grows with every write, remove or clear by any process (see migrations/008-vector-changes.ts). */
  revision(): number {
    return this.revisionOn(this.db);
  }

  /** revision() as another connection (the write queue's) sees it, inside its transaction. */
  revisionOn(db: Db): number {
    return (statement(db, 'SELECT coalesce(max(revision), 0) AS revision FROM vector_changes').get() as { revision: number }).revision;
  }

  /**
   * The changes after `revision`, oldest first, at most `limit`; null when they cannot be
   * replayed (pruned already, or an "everything changed" row among them): reload instead.
   */
  changesSince(revision: number, limit: number): number[] | null {
    // The row at `revision` itself (or revision 1 when starting from 0) must still be there:
    // otherwise rows after it may have been pruned.
    const first = Math.max(revision, 1);
    const rows = this.changesStmt.all(first, limit + 2) as { revision: number; trackId: number | null }[];
    if (rows.length > 0 && rows[0]?.revision !== first) return null;
    const after = revision > 0 ? rows.slice(1) : rows;
    if (after.length > limit || after.some((r) => r.trackId === null)) return null;
    return after.map((r) => r.trackId as number);
  }

  /** Runs a build or import: one "everything changed" row at the end instead of one per track. */
  bulk<T>(fn: () => T): T {
    this.noteEachTrack = false;
    try {
      return fn();
    } finally {
      this.noteEachTrack = true;
      try {
        this.noted(null);
      } catch {
        // The transaction failed already and rolls back: the error that broke it is the one to report.
      }
    }
  }

  private noted(trackId: number | null): void {
    const revision = Number(this.noteChange.run(trackId).lastInsertRowid);
    // Readers more than this far behind reload everything anyway.
    if (revision % 1000 === 0) this.pruneChanges.run(revision - CHANGES_KEPT);
  }

  /**
   * The large-catalog index of a space (ann/: its vector groups in SQLite and its ANN file)
   * when the catalog has one, else null. Kept across schema changes unless the groups were rebuilt.
   */
  index(space: Space): SpaceIndex | null {
    // A cached statement: db.pragma() prepares one on every call (~1/6 of an uncached /similar's SQL time at 100k).
    const version = (statement(this.db, 'PRAGMA schema_version').get() as { schema_version: number }).schema_version;
    if (this.indexCache?.version !== version) {
      const before = this.indexCache?.indexes ?? {};
      const indexes: Partial<Record<Space, SpaceIndex>> = {};
      for (const s of SPACES) {
        if (!groupsExist(this.db, s)) continue;
        const build = groupsBuildId(this.db, s);
        const kept = before[s];
        if (kept && kept.build === build) indexes[s] = kept;
        else {
          const groups = new GroupStore(this.db, s);
          indexes[s] = {
            build,
            groups,
            ann: new AnnIndex(
              this.db,
              s,
              groups,
              () => this.revision(),
              (since, limit) => this.changesSince(since, limit),
            ),
          };
        }
      }
      this.indexCache = { version, indexes };
    }
    return this.indexCache.indexes[space] ?? null;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM track_vectors').get() as { n: number }).n;
  }

  /** All three vectors of a track in one lookup (a vec0 point read costs ~12 µs whatever the columns). */
  getAll(trackId: number): Record<Space, Float32Array> | null {
    this.allStmt ??= this.db.prepare(`SELECT ${SPACES.map((s) => `${COLUMN[s]} AS ${s}`).join(', ')} FROM track_vectors WHERE track_id = ?`);
    const row = this.allStmt.get(BigInt(trackId)) as Record<Space, Buffer> | undefined;
    return row ? (Object.fromEntries(SPACES.map((s) => [s, fromBlob(row[s])])) as Record<Space, Float32Array>) : null;
  }

  get(trackId: number, space: Space): Float32Array | null {
    const row = this.getStmts[space].get(BigInt(trackId)) as { v: Buffer } | undefined;
    return row ? fromBlob(row.v) : null;
  }

  /**
   * knn() for a stored track's own vector (the track itself among them); null when it has no
   * vectors. With an index file, the track's unit vector and group come in one read (AnnIndex.searchByTrack).
   */
  knnOfTrack(space: Space, trackId: number, k: number): Neighbour[] | null {
    const found = this.index(space)?.ann.searchByTrack(trackId, k);
    if (found) return found;
    const query = this.get(trackId, space);
    return query ? this.knn(space, query, k, { track: trackId }) : null;
  }

  /**
   * The k nearest tracks to a query vector by cosine distance, the distances exact. With an
   * index file (large catalogs) the ANN graph's candidates re-ranked from the unit vectors
   * (recall@10 is measured in the benchmark); without one, vec0's exact scan of every chunk.
   * `track`: the stored track whose vector the query is (see AnnIndex.search).
   */
  knn(space: Space, query: Float32Array | Buffer, k: number, options: { track?: number } = {}): Neighbour[] {
    const ann = this.index(space)?.ann;
    const found = ann?.search(Buffer.isBuffer(query) ? fromBlob(query) : query, k, options);
    return found ?? this.scan(space, query, k);
  }

  /** vec0's exact cosine scan over track_vectors, whatever indexes exist. */
  scan(space: Space, query: Float32Array | Buffer, k: number): Neighbour[] {
    const blob = Buffer.isBuffer(query) ? query : toBlob(query as Float32Array);
    return this.knnStmts[space].all(blob, k) as Neighbour[];
  }

  /** Inserts new tracks (missing spaces as zero placeholders) and updates the given spaces of existing ones. */
  write(batch: EmbeddingBatch): void {
    const indexes = SPACES.map((s) => [s, batch.vectors[s] ? (this.index(s)?.groups ?? null) : null] as const);
    batch.ids.forEach((id, i) => {
      const key = BigInt(id);
      const blobOf = (s: Space) => {
        const v = batch.vectors[s]?.[i];
        return v ? toBlob(v) : null;
      };
      if (this.exists.get(key)) {
        for (const s of SPACES) {
          const b = blobOf(s);
          if (b) this.updates[s].run(b, key);
        }
      } else {
        this.insert.run(key, blobOf('audio') ?? zeros.audio, blobOf('lyric') ?? zeros.lyric, blobOf('metadata') ?? zeros.metadata);
      }
      // Zero placeholders stay out of the indexes: a full build recreates them at the end.
      for (const [s, index] of indexes) {
        const v = batch.vectors[s]?.[i];
        if (v && index) index.put(id, v);
      }
      if (this.noteEachTrack) this.noted(id);
    });
  }

  /** Drops tracks' vectors from track_vectors and every index. */
  remove(trackIds: readonly number[]): void {
    const indexes = SPACES.map((s) => this.index(s)?.groups);
    for (const id of trackIds) {
      this.removeStmt.run(BigInt(id));
      for (const index of indexes) index?.remove(id);
      if (this.noteEachTrack) this.noted(id);
    }
  }

  /** Empties track_vectors and drops the indexes (a full build recreates them). */
  clear(): void {
    for (const s of SPACES) {
      dropGroups(this.db, s);
      removeAnnFile(this.db.name, s);
    }
    this.db.prepare('DELETE FROM track_vectors').run();
    this.noted(null);
  }

  recordSpace(space: Space, provider: string, trackCount: number, details: Record<string, unknown>): void {
    this.db
      .prepare(
        `INSERT INTO vector_spaces (space, provider, dims, track_count, details) VALUES (?, ?, ?, ?, json(?))
         ON CONFLICT(space) DO UPDATE SET provider = excluded.provider, dims = excluded.dims, track_count = excluded.track_count,
           built_at = strftime('%Y-%m-%dT%H:%M:%fZ','now'), details = excluded.details`,
      )
      .run(space, provider, DIMS[space], trackCount, JSON.stringify(details));
  }

  spaces(): { space: Space; provider: string; dims: number; trackCount: number; builtAt: string; details: unknown }[] {
    return (
      this.db.prepare('SELECT space, provider, dims, track_count AS trackCount, built_at AS builtAt, details FROM vector_spaces ORDER BY space').all() as {
        space: Space;
        provider: string;
        dims: number;
        trackCount: number;
        builtAt: string;
        details: string;
      }[]
    ).map((r) => ({ ...r, details: JSON.parse(r.details) }));
  }
}
