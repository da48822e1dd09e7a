// The distinct vectors of a space ("groups") in SQLite, the source the ANN index files are
// built from and re-ranked against. Tracks with identical vectors (copies of a song, tracks
// whose names and albums say the same) share a group: the index holds each vector once, and a
// hit is expanded to the group's tracks (lowest ids first). Since the audio space got its
// content block nearly every track has a vector of its own (20k synthetic: 19 913 audio groups).
//
// `…_groups` holds each group's key (sha1 of the vector's bytes) and its f32 unit vector (the
// exact re-rank reads it: a plain-table point read costs a few µs, a vec0 one ~12 µs);
// `…_members` maps every track to its group. Both follow track_vectors in the same
// transaction (VectorStore.write/remove → GroupStore.put/remove). Group ids come from
// AUTOINCREMENT and are never reused, and a group's vector never changes (its key is the
// vector), so an index file stays true for every group it holds: groups created after it are
// the ones with larger ids, and groups deleted since simply have no row and no members.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { type Db, type Stmt, statementFor } from '../../db/index.ts';
import { COLUMN, DIMS, type Space } from '../spaces.ts';

export const groupsTable = (space: Space): string => `track_vector_groups_${space}`;
export const membersTable = (space: Space): string => `track_vector_members_${space}`;
/** One row per space whose groups exist: the id of that build of the groups (an index file names the one it was built from). */
const BUILDS = 'track_vector_group_builds';

/**
 * The groups table's definition is the layout version: tables of another layout are rebuilt by
 * `ensureGroups` (vector-index.ts before this change kept its groups in tables of other names,
 * dropped by `dropLegacyIndex`).
 */
const groupsDdl = (space: Space): string =>
  `CREATE TABLE ${groupsTable(space)} (group_id INTEGER PRIMARY KEY AUTOINCREMENT, key BLOB NOT NULL UNIQUE, unit BLOB NOT NULL)`;

const toBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** A group's key: identical vectors (e.g. the album mean shared by an album's basket-less tracks) get the same one. */
const vectorKey = (raw: Buffer): Buffer => createHash('sha1').update(raw).digest();

export function unitVector(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += (v[i] as number) * (v[i] as number);
  const out = new Float32Array(v.length);
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * inv;
  return out;
}

/** A blob's f32 values: a view of its bytes when they are aligned, else a copy. */
function asFloats(b: Buffer): Float32Array {
  return b.byteOffset % 4 === 0 ? new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) : new Float32Array(Uint8Array.from(b).buffer);
}

/** True when the space's groups exist with the current layout. */
export function groupsExist(db: Db, space: Space): boolean {
  return db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(groupsTable(space)) === groupsDdl(space);
}

/** The id of the current build of a space's groups (null when there are none). */
export function groupsBuildId(db: Db, space: Space): string | null {
  if (!db.prepare('SELECT 1 FROM sqlite_schema WHERE name = ?').get(BUILDS)) return null;
  return (db.prepare(`SELECT build_id FROM ${BUILDS} WHERE space = ?`).pluck().get(space) as string | undefined) ?? null;
}

/** The highest group id ever given out in a space (AUTOINCREMENT's counter: deleted groups included). */
export function lastGroupId(db: Db, space: Space): number {
  return (db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(groupsTable(space)) as number | undefined) ?? 0;
}

/**
 * Why a file derived from a space's groups (an index file, a unit file) no longer matches them,
 * or null: another build of the groups, group ids the database never gave out (it went back in
 * time: a restored backup, where new groups could take ids the file holds with other vectors),
 * or a size its companion does not record.
 */
export function groupsFileMismatch(
  db: Db,
  space: Space,
  meta: { groupsBuild: string; maxGroup: number; bytes: number },
  file: string,
  made: 'built' | 'written',
): string | null {
  if (meta.groupsBuild !== groupsBuildId(db, space)) return `${made} from an older build of the vectors`;
  if (lastGroupId(db, space) < meta.maxGroup) return `${made} from a later state of the vectors (a restored backup?)`;
  let size = -1;
  try {
    size = fs.statSync(file).size;
  } catch {
    return 'missing';
  }
  return size === meta.bytes ? null : 'does not match its .json';
}

export function dropGroups(db: Db, space: Space): void {
  db.exec(`DROP TABLE IF EXISTS ${groupsTable(space)}; DROP TABLE IF EXISTS ${membersTable(space)}`);
  if (db.prepare('SELECT 1 FROM sqlite_schema WHERE name = ?').get(BUILDS)) db.prepare(`DELETE FROM ${BUILDS} WHERE space = ?`).run(space);
}

/**
 * (Re)creates the groups of a space from track_vectors in a few INSERT … SELECTs: keys, then
 * groups numbered in order of their lowest track id (a build is reproducible), then members.
 * All-zero placeholders (a space not built yet for a track) are left out.
 */
export function createGroups(db: Db, space: Space): void {
  // All or nothing (a savepoint inside a build's transaction): half-made groups would pass for made.
  db.transaction(() => fillGroups(db, space))();
}

function fillGroups(db: Db, space: Space): void {
  dropGroups(db, space);
  db.exec(groupsDdl(space));
  db.exec(`CREATE TABLE ${membersTable(space)} (track_id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL)`);
  db.function('chinook_vector_key', { deterministic: true }, (b: unknown) => vectorKey(b as Buffer));
  const zero = toBlob(new Float32Array(DIMS[space]));
  const tk = `temp.chinook_group_keys_${space}`;
  const tg = `temp.chinook_group_firsts_${space}`;
  db.exec(`DROP TABLE IF EXISTS ${tk}; DROP TABLE IF EXISTS ${tg}`);
  db.prepare(`CREATE TABLE ${tk} AS SELECT track_id, chinook_vector_key(${COLUMN[space]}) AS key FROM track_vectors WHERE ${COLUMN[space]} != ?`).run(zero);
  db.exec(`CREATE TABLE ${tg} (first_track INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, key BLOB NOT NULL)`);
  db.exec(`INSERT INTO ${tg} SELECT min(track_id), row_number() OVER (ORDER BY min(track_id)), key FROM ${tk} GROUP BY key`);
  // One full read of track_vectors (CROSS JOIN keeps it the outer loop), the first track of each group kept.
  db.exec(
    `INSERT INTO ${groupsTable(space)} (group_id, key, unit)
     SELECT g.group_id, g.key, vec_normalize(v.${COLUMN[space]}) FROM track_vectors v CROSS JOIN ${tg} g ON g.first_track = v.track_id`,
  );
  db.exec(
    `INSERT INTO ${membersTable(space)} (track_id, group_id) SELECT k.track_id, g.group_id FROM ${tk} k JOIN ${groupsTable(space)} g ON g.key = k.key ORDER BY k.track_id`,
  );
  db.exec(`CREATE INDEX ${membersTable(space)}_group ON ${membersTable(space)} (group_id, track_id)`);
  db.exec(`DROP TABLE ${tk}; DROP TABLE ${tg}`);
  db.exec(`CREATE TABLE IF NOT EXISTS ${BUILDS} (space TEXT PRIMARY KEY, build_id TEXT NOT NULL, built_at TEXT NOT NULL)`);
  db.prepare(
    `INSERT INTO ${BUILDS} (space, build_id, built_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
     ON CONFLICT(space) DO UPDATE SET build_id = excluded.build_id, built_at = excluded.built_at`,
  ).run(space, randomUUID());
}

/** One space's groups on one connection: upkeep on writes, and the reads of a KNN. */
export class GroupStore {
  private readonly groupOfTrack: Stmt;
  private readonly groupOfKey: Stmt;
  private readonly anyMember: Stmt;
  private readonly insertGroup: Stmt;
  private readonly deleteGroup: Stmt;
  private readonly insertMember: Stmt;
  private readonly deleteMember: Stmt;
  private readonly afterStmt: Stmt;
  private readonly countStmt: Stmt;
  private readonly maxStmt: Stmt;

  constructor(
    private readonly db: Db,
    readonly space: Space,
  ) {
    const g = groupsTable(space);
    const m = membersTable(space);
    this.groupOfTrack = db.prepare(`SELECT group_id FROM ${m} WHERE track_id = ?`).pluck();
    this.groupOfKey = db.prepare(`SELECT group_id FROM ${g} WHERE key = ?`).pluck();
    this.anyMember = db.prepare(`SELECT 1 FROM ${m} WHERE group_id = ? LIMIT 1`).pluck();
    this.insertGroup = db.prepare(`INSERT INTO ${g} (key, unit) VALUES (?, ?)`);
    this.deleteGroup = db.prepare(`DELETE FROM ${g} WHERE group_id = ?`);
    this.insertMember = db.prepare(`INSERT INTO ${m} (track_id, group_id) VALUES (?, ?)`);
    this.deleteMember = db.prepare(`DELETE FROM ${m} WHERE track_id = ?`);
    this.afterStmt = db.prepare(`SELECT group_id, unit FROM ${g} WHERE group_id > ? ORDER BY group_id`).raw(true);
    this.countStmt = db.prepare(`SELECT count(*) FROM ${g}`).pluck();
    this.maxStmt = db.prepare(`SELECT coalesce(max(group_id), 0) FROM ${g}`).pluck();
  }

  /** Writes one track's vector (insert or replace): it joins the group of that exact vector, created when new. */
  put(trackId: number, v: Float32Array): void {
    const key = vectorKey(toBlob(v));
    const group = this.groupOfKey.get(key) as number | undefined;
    const current = this.groupOfTrack.get(trackId) as number | undefined;
    if (current !== undefined && current === group) return;
    if (current !== undefined) this.leave(trackId, current);
    const target = group ?? Number(this.insertGroup.run(key, toBlob(unitVector(v))).lastInsertRowid);
    this.insertMember.run(trackId, target);
  }

  remove(trackId: number): void {
    const current = this.groupOfTrack.get(trackId) as number | undefined;
    if (current !== undefined) this.leave(trackId, current);
  }

  /** Takes a track out of its group; the group goes with its last member. */
  private leave(trackId: number, group: number): void {
    this.deleteMember.run(trackId);
    if (!this.anyMember.get(group)) this.deleteGroup.run(group);
  }

  groupOf(trackId: number): number | null {
    return (this.groupOfTrack.get(trackId) as number | undefined) ?? null;
  }

  /**
   * A track's group and its unit vector in one read (null when the track has no group: no
   * vectors, or a zero placeholder).
   */
  ownGroup(trackId: number): { group: number; unit: Float32Array } | null {
    const row = statementFor(
      this.db,
      `ann.ownGroup.${this.space}`,
      () =>
        `SELECT m.group_id AS g, u.unit FROM ${membersTable(this.space)} m JOIN ${groupsTable(this.space)} u ON u.group_id = m.group_id WHERE m.track_id = ?`,
    ).get(trackId) as { g: number; unit: Buffer } | undefined;
    return row ? { group: row.g, unit: asFloats(row.unit) } : null;
  }

  /**
   * The f32 unit vectors of groups, in ONE statement (groups deleted since are absent): a point
   * read per candidate was ~60 reads per KNN, and with the members' reads ~110, which was
   * most of an uncached /similar at 1M (docs/vectors.md).
   */
  units(groups: Iterable<number>): Map<number, Float32Array> {
    const rows = statementFor(
      this.db,
      `ann.units.${this.space}`,
      () => `SELECT j.value, u.unit FROM json_each(?) j JOIN ${groupsTable(this.space)} u ON u.group_id = j.value`,
    )
      .raw(true)
      .all(JSON.stringify([...groups])) as [number, Buffer][];
    return new Map(rows.map(([g, unit]) => [g, asFloats(unit)]));
  }

  /** Groups created after `group` (ids only grow), in id order. */
  after(group: number): Iterable<[number, Buffer]> {
    return this.afterStmt.iterate(group) as Iterable<[number, Buffer]>;
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  maxGroup(): number {
    return this.maxStmt.get() as number;
  }
}
