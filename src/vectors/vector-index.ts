// The large-catalog KNN path. Exact cosine KNN in vec0 0.1.9 is a scalar loop (no SIMD in the
// shipped build, ~0.15 µs per 128-d vector) and its per-chunk top-k selection costs k passes
// over every chunk, so at 1M tracks one query costs ~150 ms, and a bit[128] coarse pass asked
// for 80 candidates ~85 ms (almost all of it the selection, not the hamming distances).
//
// Above a size threshold each space gets a derived vec0 table, kept in step with
// track_vectors, holding one row per *distinct* vector (a group: tracks without baskets share
// their album's listens-alike vector, so the synthetic 1M catalog has 155k distinct audio
// vectors) with `…_members` mapping tracks to groups. Each row has the L2-normalised vector
// (`unit`, distance_metric=l2: on unit vectors d² = 2·(1 − cos), so the ranking is cosine's
// and ~1.4× faster to compute) and its sign bits (`bits`, sign-bits.ts), partitioned into
// SHARDS by group id. Then
// - exact KNN asks every shard for its top k groups; the shards are split between this thread
//   and a worker thread with its own read connection (two cores), merged, and expanded to
//   tracks (k groups hold at least k tracks);
// - quantized KNN asks every shard for its top ⌈k·oversample/SHARDS⌉ groups by hamming
//   distance — SHARDS small selections instead of one large one — re-ranks the union by exact
//   cosine over the unit vectors fetched by point lookups, and expands.
// vec0's hamming distance calls libgcc's __popcountdi2 per 64-bit word (no popcnt in the
// shipped .so), so its cost grows with the bit count: ~6 ns per word per row.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Db, Stmt } from '../db/index.ts';
// Shared-memory protocol with knn-worker.mjs.
import { BYTES, K, OP, READY, RESULTS, SHARD_COUNT, SHARD_FROM, SHARD_STEP, SPACE, STATE } from './knn-protocol.mjs';
import { bitCount, signEncoder } from './sign-bits.ts';
import { COLUMN, DIMS, SPACES, type Space } from './spaces.ts';

export const SHARDS = 16;
/** Catalogs at least this large get the index (below it the plain vec0 scan is a few ms). */
export const INDEX_MIN_TRACKS = 100_000;
/** Coarse candidates per wanted neighbour; recall@10 ≥ 0.95 at 1M in the benchmark. */
export const DEFAULT_OVERSAMPLE = 8;
/**
 * Spaces whose sign bits rank well enough for the quantized path (measured recall@10 ≥ 0.95).
 * The metadata space's features are z-scores and one-hots around a far-from-zero mean, so its
 * sign bits say little (recall@10 ≈ 0.5 at ×8): it is served by the exact index scan instead.
 */
export const QUANTIZED_SPACES: ReadonlySet<Space> = new Set(['audio', 'lyric']);

export const indexTable = (space: Space): string => `track_vectors_index_${space}`;
/** Which vector group each track belongs to (tracks with byte-identical vectors share one). */
export const membersTable = (space: Space): string => `track_vectors_index_${space}_members`;
/** Each group's key: a hash of the vector's bytes. */
const groupsTable = (space: Space): string => `track_vectors_index_${space}_groups`;

const toBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** A group's key: identical vectors (e.g. the album mean shared by an album's basket-less tracks) get the same one. */
const vectorKey = (raw: Buffer): Buffer => createHash('sha1').update(raw).digest();

function unitVector(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += (v[i] as number) * (v[i] as number);
  const out = new Float32Array(v.length);
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * inv;
  return out;
}

/**
 * The index table's definition. It is the layout version too: a table created by an older
 * layout (one row per track and `bits BIT[128]`, before audio got its rotated bits and the
 * rows became vector groups) does not match it, is not used for KNN (the plain scan answers,
 * correctly but slower), and `ensureIndexes` (first start, `ensureVectors`) rebuilds it.
 */
const indexDdl = (space: Space): string =>
  `CREATE VIRTUAL TABLE ${indexTable(space)} USING vec0(group_id INTEGER PRIMARY KEY, shard INTEGER PARTITION KEY, unit FLOAT[${DIMS[space]}] distance_metric=l2, bits BIT[${bitCount(space)}])`;

/** True when the space's index exists with the current layout (see indexDdl). */
export function indexExists(db: Db, space: Space): boolean {
  return db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(indexTable(space)) === indexDdl(space);
}

/** The centre subtracted before taking sign bits, one row per indexed space. */
const CENTERS = 'track_vectors_index_centers';

export function dropIndex(db: Db, space: Space): void {
  dropTables(db, space);
  if (db.prepare('SELECT 1 FROM sqlite_schema WHERE name = ?').get(CENTERS)) db.prepare(`DELETE FROM ${CENTERS} WHERE space = ?`).run(space);
  helpers.get(db)?.forget();
}

/**
 * (Re)creates the index of a space from track_vectors. One index row per distinct vector
 * (a "group"); `…_members` maps every track to its group. The sign bits are taken of the unit
 * vector minus the mean unit vector: in spaces whose vectors all lean one way (metadata
 * one-hots are never negative, listens-alike vectors share a large first component) raw sign
 * bits are nearly the same for every track.
 */
export function createIndex(db: Db, space: Space): void {
  const t = indexTable(space);
  const d = DIMS[space];
  const sum = new Float64Array(d);
  let n = 0;
  for (const b of db.prepare(`SELECT vec_normalize(${COLUMN[space]}) FROM track_vectors`).pluck().iterate() as Iterable<Buffer>) {
    const v = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    for (let j = 0; j < d; j++) sum[j] = (sum[j] as number) + (v[j] as number);
    n++;
  }
  const center = Float32Array.from(sum, (x) => (n > 0 ? x / n : 0));
  db.exec(`CREATE TABLE IF NOT EXISTS ${CENTERS} (space TEXT PRIMARY KEY, center BLOB NOT NULL)`);
  db.prepare(`INSERT INTO ${CENTERS} (space, center) VALUES (?, ?) ON CONFLICT(space) DO UPDATE SET center = excluded.center`).run(space, toBlob(center));
  dropTables(db, space);
  db.exec(indexDdl(space));
  db.exec(`CREATE TABLE ${groupsTable(space)} (group_id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE)`);
  db.exec(`CREATE TABLE ${membersTable(space)} (track_id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL)`);
  // The bits are computed in JS (a rotation SQL cannot express), called once per row by the INSERT.
  const encode = signEncoder(space);
  const centred = new Float64Array(d);
  db.function(`chinook_index_bits_${space}`, { deterministic: true }, (b: unknown) => {
    const u = new Float32Array((b as Buffer).buffer, (b as Buffer).byteOffset, d);
    for (let j = 0; j < d; j++) centred[j] = (u[j] as number) - (center[j] as number);
    return encode(centred);
  });
  db.function('chinook_vector_key', { deterministic: true }, (b: unknown) => vectorKey(b as Buffer));
  // Groups numbered in order of their lowest track id, so a build is reproducible.
  const tk = `temp.chinook_index_keys_${space}`;
  const tg = `temp.chinook_index_groups_${space}`;
  db.exec(`DROP TABLE IF EXISTS ${tk}; DROP TABLE IF EXISTS ${tg}`);
  db.exec(`CREATE TABLE ${tk} AS SELECT track_id, chinook_vector_key(${COLUMN[space]}) AS key FROM track_vectors`);
  db.exec(`CREATE TABLE ${tg} (first_track INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, key BLOB NOT NULL)`);
  db.exec(`INSERT INTO ${tg} SELECT min(track_id), row_number() OVER (ORDER BY min(track_id)), key FROM ${tk} GROUP BY key`);
  db.exec(`INSERT INTO ${groupsTable(space)} (group_id, key) SELECT group_id, key FROM ${tg} ORDER BY group_id`);
  db.exec(
    `INSERT INTO ${membersTable(space)} (track_id, group_id) SELECT k.track_id, g.group_id FROM ${tk} k JOIN ${groupsTable(space)} g ON g.key = k.key ORDER BY k.track_id`,
  );
  db.exec(`CREATE INDEX ${membersTable(space)}_group ON ${membersTable(space)} (group_id, track_id)`);
  // One full read of track_vectors (CROSS JOIN keeps it the outer loop), the first track of each group kept.
  db.exec(
    `INSERT INTO ${t} (group_id, shard, unit, bits)
     SELECT group_id, group_id % ${SHARDS}, unit, vec_bit(chinook_index_bits_${space}(unit))
     FROM (SELECT g.group_id, vec_normalize(v.${COLUMN[space]}) AS unit FROM track_vectors v CROSS JOIN ${tg} g ON g.first_track = v.track_id)`,
  );
  db.exec(`DROP TABLE ${tk}; DROP TABLE ${tg}`);
  helpers.get(db)?.forget();
}

function dropTables(db: Db, space: Space): void {
  db.exec(`DROP TABLE IF EXISTS ${indexTable(space)}; DROP TABLE IF EXISTS ${membersTable(space)}; DROP TABLE IF EXISTS ${groupsTable(space)}`);
}

/** Creates the missing indexes when the catalog is large enough; returns the spaces indexed now. */
export function ensureIndexes(db: Db, minTracks = INDEX_MIN_TRACKS): Space[] {
  const n = (db.prepare('SELECT count(*) AS n FROM track_vectors').get() as { n: number }).n;
  if (n === 0 || n < minTracks) return [];
  const created: Space[] = [];
  for (const s of SPACES) {
    if (indexExists(db, s)) continue;
    createIndex(db, s);
    created.push(s);
  }
  return created;
}

export interface IndexNeighbour {
  id: number;
  /** Cosine distance (1 − cosine similarity), as track_vectors reports it. */
  distance: number;
}

/** One space's index on one connection. */
export class VectorIndex {
  private readonly exactStmt: Stmt;
  private readonly coarseStmt: Stmt;
  private readonly unitStmt: Stmt;
  private readonly insertStmt: Stmt;
  private readonly deleteStmt: Stmt;
  private readonly groupOfTrack: Stmt;
  private readonly groupOfKey: Stmt;
  private readonly members: Stmt;
  private readonly anyMember: Stmt;
  private readonly nextGroup: Stmt;
  private readonly insertGroup: Stmt;
  private readonly deleteGroup: Stmt;
  private readonly insertMember: Stmt;
  private readonly deleteMember: Stmt;
  private readonly center: Float32Array;
  private readonly encode: (centred: ArrayLike<number>) => Buffer;

  constructor(
    private readonly db: Db,
    readonly space: Space,
  ) {
    const t = indexTable(space);
    const m = membersTable(space);
    const g = groupsTable(space);
    this.exactStmt = db.prepare(`SELECT group_id, distance FROM ${t} WHERE unit MATCH ? AND k = ? AND shard = ?`).raw(true);
    this.coarseStmt = db.prepare(`SELECT group_id FROM ${t} WHERE bits MATCH vec_bit(?) AND k = ? AND shard = ?`).pluck();
    this.unitStmt = db.prepare(`SELECT unit FROM ${t} WHERE group_id = ?`).pluck();
    this.insertStmt = db.prepare(`INSERT INTO ${t} (group_id, shard, unit, bits) VALUES (?, ?, ?, vec_bit(?))`);
    this.deleteStmt = db.prepare(`DELETE FROM ${t} WHERE group_id = ?`);
    this.groupOfTrack = db.prepare(`SELECT group_id FROM ${m} WHERE track_id = ?`).pluck();
    this.groupOfKey = db.prepare(`SELECT group_id FROM ${g} WHERE key = ?`).pluck();
    this.members = db.prepare(`SELECT track_id FROM ${m} WHERE group_id = ? ORDER BY track_id LIMIT ?`).pluck();
    this.anyMember = db.prepare(`SELECT 1 FROM ${m} WHERE group_id = ? LIMIT 1`).pluck();
    this.nextGroup = db.prepare(`SELECT coalesce(max(group_id), 0) + 1 FROM ${g}`).pluck();
    this.insertGroup = db.prepare(`INSERT INTO ${g} (group_id, key) VALUES (?, ?)`);
    this.deleteGroup = db.prepare(`DELETE FROM ${g} WHERE group_id = ?`);
    this.insertMember = db.prepare(`INSERT INTO ${m} (track_id, group_id) VALUES (?, ?)`);
    this.deleteMember = db.prepare(`DELETE FROM ${m} WHERE track_id = ?`);
    const c = db.prepare(`SELECT center FROM ${CENTERS} WHERE space = ?`).pluck().get(space) as Buffer | undefined;
    this.center = c ? new Float32Array(c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength)) : new Float32Array(DIMS[space]);
    this.encode = signEncoder(space);
  }

  /** The packed sign bits of a unit vector (sign-bits.ts), taken of it minus the space's centre. */
  bitsOf(unit: Float32Array): Buffer {
    return this.encode(Float64Array.from(unit, (x, j) => x - (this.center[j] as number)));
  }

  /** Writes one track's vector (insert or replace): it joins the group of that exact vector, created when new. */
  put(trackId: number, v: Float32Array): void {
    const key = vectorKey(toBlob(v));
    const group = this.groupOfKey.get(key) as number | undefined;
    const current = this.groupOfTrack.get(trackId) as number | undefined;
    if (current !== undefined && current === group) return;
    if (current !== undefined) this.leave(trackId, current);
    let target = group;
    if (target === undefined) {
      target = this.nextGroup.get() as number;
      this.insertGroup.run(target, key);
      const u = unitVector(v);
      this.insertStmt.run(BigInt(target), BigInt(target % SHARDS), toBlob(u), this.bitsOf(u));
    }
    this.insertMember.run(trackId, target);
  }

  remove(trackId: number): void {
    const current = this.groupOfTrack.get(trackId) as number | undefined;
    if (current !== undefined) this.leave(trackId, current);
  }

  /** Takes a track out of its group; the group's index row goes with its last member. */
  private leave(trackId: number, group: number): void {
    this.deleteMember.run(trackId);
    if (this.anyMember.get(group)) return;
    this.deleteGroup.run(group);
    this.deleteStmt.run(BigInt(group));
  }

  /** The first k tracks of groups ranked by distance (ties: lower track id first within a group). */
  private expand(groups: { id: number; distance: number }[], k: number): IndexNeighbour[] {
    groups.sort((a, b) => a.distance - b.distance || a.id - b.id);
    const result: IndexNeighbour[] = [];
    for (const g of groups) {
      if (result.length >= k) break;
      for (const id of this.members.iterate(g.id, k - result.length) as Iterable<number>) result.push({ id, distance: g.distance });
    }
    return result;
  }

  /** Exact top k by cosine, the shards split between this thread and the helper thread (unless `parallel` is false). */
  exact(query: Float32Array, k: number, parallel = true): IndexNeighbour[] {
    const q = unitVector(query);
    const blob = toBlob(q);
    // k groups hold at least k tracks.
    const rows = this.fanOut(parallel, 1, blob, k, (from, step, out) => {
      for (let s = from; s < SHARDS; s += step) for (const [id, d] of this.exactStmt.iterate(blob, k, s) as Iterable<[number, number]>) out.push(id, d);
    });
    const groups: { id: number; distance: number }[] = [];
    for (let i = 0; i < rows.length; i += 2) {
      const d = rows[i + 1] as number;
      groups.push({ id: rows[i] as number, distance: (d * d) / 2 });
    }
    return this.expand(groups, k);
  }

  /** Hamming coarse pass over every shard, re-ranked by exact cosine; approximate. */
  quantized(query: Float32Array, k: number, oversample = DEFAULT_OVERSAMPLE, parallel = true): IndexNeighbour[] {
    const q = unitVector(query);
    const blob = this.bitsOf(q);
    const perShard = Math.max(1, Math.ceil((k * oversample) / SHARDS));
    const ids = this.fanOut(parallel, 2, blob, perShard, (from, step, out) => {
      for (let s = from; s < SHARDS; s += step) for (const id of this.coarseStmt.iterate(blob, perShard, s) as Iterable<number>) out.push(id, 0);
    });
    const groups: { id: number; distance: number }[] = [];
    for (let i = 0; i < ids.length; i += 2) {
      const id = ids[i] as number;
      const b = this.unitStmt.get(BigInt(id)) as Buffer | undefined;
      if (!b) continue;
      const v = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      let dot = 0;
      for (let j = 0; j < q.length; j++) dot += (q[j] as number) * (v[j] as number);
      groups.push({ id, distance: 1 - dot });
    }
    return this.expand(groups, k);
  }

  /**
   * Runs `scan` over the even shards here and the odd ones in the helper thread at the same
   * time; all shards here when there is no helper (in-memory database, open transaction whose
   * writes the helper could not see, helper not started yet).
   */
  private fanOut(parallel: boolean, op: 1 | 2, query: Buffer, k: number, scan: (from: number, step: number, out: number[]) => void): number[] {
    const out: number[] = [];
    const helper = !parallel || this.db.inTransaction ? null : helperFor(this.db);
    if (!helper?.start(op, SPACES.indexOf(this.space), query, k)) {
      scan(0, 1, out);
      return out;
    }
    try {
      scan(0, 2, out);
    } finally {
      // The helper failed (e.g. its statements went stale after a schema change): its half here.
      if (!helper.finish(out)) scan(1, 2, out);
    }
    return out;
  }
}

const MAX_RESULTS = SHARDS * 1024;

/** Shared memory of one worker: control words, the query's bytes (floats or packed bits), and its (id, distance) results. */
interface Channel {
  worker: Worker;
  ctrl: Int32Array;
  query: Uint8Array;
  ids: Float64Array;
  dists: Float64Array;
}

/** The second core: one worker thread per connection, started on first use, unref'd. */
class KnnHelper {
  private channel: Channel | null = null;
  private broken = false;
  /** Queries whose odd shards the worker answered. */
  served = 0;

  constructor(private readonly db: Db) {}

  private ready(): Channel | null {
    if (this.broken) return null;
    if (!this.channel) {
      const ctrl = new Int32Array(new SharedArrayBuffer(16 * 4));
      const query = new Uint8Array(new SharedArrayBuffer(Math.max(...Object.values(DIMS)) * 4));
      const ids = new Float64Array(new SharedArrayBuffer(MAX_RESULTS * 8));
      const dists = new Float64Array(new SharedArrayBuffer(MAX_RESULTS * 8));
      const worker = new Worker(new URL('./knn-worker.mjs', import.meta.url), {
        workerData: {
          dbPath: this.db.name,
          ctrl: ctrl.buffer,
          query: query.buffer,
          ids: ids.buffer,
          dists: dists.buffer,
          tables: SPACES.map(indexTable),
          mmapSize: this.db.pragma('mmap_size', { simple: true }),
          cacheSizeKiB: Math.abs(this.db.pragma('cache_size', { simple: true }) as number),
        },
      });
      worker.unref();
      worker.on('error', () => {
        this.broken = true;
      });
      this.channel = { worker, ctrl, query, ids, dists };
    }
    // Until the worker has opened its connection, the caller scans every shard itself.
    return Atomics.load(this.channel.ctrl, READY) === 1 ? this.channel : null;
  }

  /** Hands the odd shards to the worker; false when it cannot take them (the caller scans all). */
  start(op: 1 | 2, space: number, query: Buffer, k: number): boolean {
    const c = this.ready();
    if (!c || Atomics.load(c.ctrl, STATE) !== 0 || k * SHARDS > MAX_RESULTS || query.byteLength > c.query.byteLength) return false;
    c.query.set(query);
    c.ctrl[BYTES] = query.byteLength;
    c.ctrl[OP] = op;
    c.ctrl[SPACE] = space;
    c.ctrl[K] = k;
    c.ctrl[SHARD_FROM] = 1;
    c.ctrl[SHARD_STEP] = 2;
    c.ctrl[SHARD_COUNT] = SHARDS;
    Atomics.store(c.ctrl, STATE, 1);
    Atomics.notify(c.ctrl, STATE);
    return true;
  }

  /** Waits for the worker's half and appends it as (id, distance) pairs; false when it has none. */
  finish(out: number[]): boolean {
    const c = this.channel as Channel;
    // Half of a 1M scan takes well under a second; past 10 s the worker is stuck: never again.
    const r = Atomics.wait(c.ctrl, STATE, 1, 10_000);
    const state = Atomics.load(c.ctrl, STATE);
    if (state !== 2) {
      this.stop();
      if (r === 'timed-out') this.broken = true;
      return false;
    }
    const n = c.ctrl[RESULTS] as number;
    for (let i = 0; i < n; i++) out.push(c.ids[i] as number, c.dists[i] as number);
    Atomics.store(c.ctrl, STATE, 0);
    this.served++;
    return true;
  }

  /** The schema changed (an index dropped or created): the worker's prepared statements are stale. */
  forget(): void {
    this.stop();
    this.broken = false;
  }

  stop(): void {
    const c = this.channel;
    if (!c) return;
    this.channel = null;
    Atomics.store(c.ctrl, STATE, 9);
    Atomics.notify(c.ctrl, STATE);
  }
}

const helpers = new WeakMap<Db, KnnHelper>();

function helperFor(db: Db): KnnHelper | null {
  if (db.memory || db.name === '' || db.name === ':memory:') return null;
  let h = helpers.get(db);
  if (!h) {
    h = new KnnHelper(db);
    helpers.set(db, h);
  }
  return h;
}

/** How many queries the connection's helper thread has shared (0 without one). */
export function helperServed(db: Db): number {
  return helpers.get(db)?.served ?? 0;
}

/** Stops the helper thread of a connection (before closing it). */
export function stopIndexHelper(db: Db): void {
  helpers.get(db)?.stop();
  helpers.delete(db);
}
