// The vec0 store: one row per track with its three vectors, KNN per space, bulk writes.
import { type Db, type Stmt, statement } from '../db/index.ts';
import { COLUMN, DIMS, type EmbeddingBatch, SPACES, type Space } from './spaces.ts';
import { dropIndex, indexExists, QUANTIZED_SPACES, VectorIndex } from './vector-index.ts';

export const toBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
export const fromBlob = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

const zeros = Object.fromEntries(SPACES.map((s) => [s, toBlob(new Float32Array(DIMS[s]))])) as Record<Space, Buffer>;

/** How many vector_changes rows are kept for readers catching up. */
const CHANGES_KEPT = 10_000;

export interface Neighbour {
  id: number;
  distance: number;
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
  private indexCache: { version: number; indexes: Partial<Record<Space, VectorIndex>> } | null = null;

  /** Whether indexed KNN may hand half its shards to a worker thread (a second core). */
  private readonly parallel: boolean;

  constructor(
    private readonly db: Db,
    options: { knnThreads?: number | undefined } = {},
  ) {
    this.parallel = (options.knnThreads ?? 2) > 1;
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

  /** The index of a space when the catalog has one (see vector-index.ts), else null. */
  index(space: Space): VectorIndex | null {
    const version = this.db.pragma('schema_version', { simple: true }) as number;
    if (this.indexCache?.version !== version) {
      const indexes: Partial<Record<Space, VectorIndex>> = {};
      for (const s of SPACES) if (indexExists(this.db, s)) indexes[s] = new VectorIndex(this.db, s);
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
   * The k nearest tracks to a query vector by cosine distance. With an index (large catalogs)
   * this is the quantized coarse pass re-ranked by exact cosine for the spaces where that
   * recalls ≥ 95 % (recall@10 is measured in the benchmark), the exact sharded scan for the
   * others; without one, vec0's exact scan of every chunk.
   */
  knn(space: Space, query: Float32Array | Buffer, k: number): Neighbour[] {
    const index = this.index(space);
    if (!index) return this.scan(space, query, k);
    const q = Buffer.isBuffer(query) ? fromBlob(query) : query;
    return QUANTIZED_SPACES.has(space) ? index.quantized(q, k, undefined, this.parallel) : index.exact(q, k, this.parallel);
  }

  /** Always exact: the index's sharded scan (on two threads unless knnThreads is 1) when there is one, else the plain vec0 scan. */
  knnExact(space: Space, query: Float32Array | Buffer, k: number): Neighbour[] {
    const index = this.index(space);
    if (index) return index.exact(Buffer.isBuffer(query) ? fromBlob(query) : query, k, this.parallel);
    return this.scan(space, query, k);
  }

  /** vec0's exact cosine scan over track_vectors, whatever indexes exist. */
  scan(space: Space, query: Float32Array | Buffer, k: number): Neighbour[] {
    const blob = Buffer.isBuffer(query) ? query : toBlob(query as Float32Array);
    return this.knnStmts[space].all(blob, k) as Neighbour[];
  }

  /** Inserts new tracks (missing spaces as zero placeholders) and updates the given spaces of existing ones. */
  write(batch: EmbeddingBatch): void {
    const indexes = SPACES.map((s) => [s, batch.vectors[s] ? this.index(s) : null] as const);
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
    const indexes = SPACES.map((s) => this.index(s));
    for (const id of trackIds) {
      this.removeStmt.run(BigInt(id));
      for (const index of indexes) index?.remove(id);
      if (this.noteEachTrack) this.noted(id);
    }
  }

  /** Empties track_vectors and drops the indexes (a full build recreates them). */
  clear(): void {
    for (const s of SPACES) dropIndex(this.db, s);
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
