// The groups' f32 unit vectors as a flat file beside the database (`<db>.<space>.units`, the
// row of group g at (g − 1) × dims × 4), for the exact re-rank of the graph's candidates. The
// same vectors are in the groups table, but there each of the ~40 candidates of a query is a
// B-tree read of a 32 KiB page (1M audio, uncached /similar: 0.30 of 1.2 ms), where one
// pread of 512 bytes from this file takes ~1.2 µs (1.0 µs for lyric's 1,536; measured on this
// machine with the file in the OS page cache). Reads go through the page cache, not a mapping:
// the file is not part of the server's RSS (1.5 GB for lyric at 1M), and cluster workers share
// its cached pages.
//
// Always true for the groups it holds: a group's vector never changes and its id is never
// reused (groups.ts), so the file only ever lacks groups created after it (read from SQLite)
// and still has groups deleted since (they have no members: the expansion to tracks skips
// them). A file of another build of the groups, or of a later state (a restored backup), is
// not used; `chinook vectors build --index-only` or the next start writes a new one.
import fs from 'node:fs';
import type { Db } from '../../db/index.ts';
import { DIMS, type Space } from '../spaces.ts';
import { groupsBuildId, groupsFileMismatch, groupsTable } from './groups.ts';

export const unitPath = (dbPath: string, space: Space): string => `${dbPath}.${space}.units`;
const metaPath = (file: string): string => `${file}.json`;
/** Bumped when the layout changes. */
const FORMAT = 1;
/** Groups read per statement while writing: each batch its own short read (see build-worker.mjs on long readers). */
const BATCH = 10_000;

export interface UnitFileMeta {
  format: number;
  space: Space;
  dims: number;
  /** The build of the groups table it was written from. */
  groupsBuild: string;
  /** The highest group id it holds: larger ones are read from the groups table. */
  maxGroup: number;
  bytes: number;
  writtenAt: string;
}

function readMeta(file: string): UnitFileMeta | null {
  try {
    return JSON.parse(fs.readFileSync(metaPath(file), 'utf8')) as UnitFileMeta;
  } catch {
    return null;
  }
}

/** Why a space's unit file cannot serve (null when it can). */
export function unitFileStaleReason(db: Db, space: Space): string | null {
  const file = unitPath(db.name, space);
  const meta = readMeta(file);
  if (!meta) return 'missing';
  if (meta.format !== FORMAT || meta.dims !== DIMS[space]) return 'written by another version';
  return groupsFileMismatch(db, space, meta, file, 'written');
}

/**
 * Writes a space's unit file from its committed groups (under a temporary name, renamed into
 * place, then its companion: a process reading the old file keeps its descriptor, whose
 * vectors are still true).
 */
export function writeUnitFile(db: Db, space: Space, onProgress?: (done: number, total: number) => void): UnitFileMeta {
  if (db.inTransaction) throw new Error('a unit file is written from committed groups: not inside a transaction');
  const groupsBuild = groupsBuildId(db, space);
  if (!groupsBuild) throw new Error(`no vector groups for ${space}: run \`chinook vectors build\``);
  const file = unitPath(db.name, space);
  const tmp = `${file}.${process.pid}.tmp`;
  const rowBytes = DIMS[space] * 4;
  const total = db
    .prepare(`SELECT count(*) FROM ${groupsTable(space)}`)
    .pluck()
    .get() as number;
  const page = db.prepare(`SELECT group_id, unit FROM ${groupsTable(space)} WHERE group_id > ? ORDER BY group_id LIMIT ?`).raw(true);
  const fd = fs.openSync(tmp, 'w');
  let maxGroup = 0;
  let done = 0;
  try {
    for (let rows = page.all(0, BATCH) as [number, Buffer][]; rows.length > 0; rows = page.all(maxGroup, BATCH) as [number, Buffer][]) {
      // Consecutive ids go out in one write; a gap (groups deleted before now) stays a hole of zeros.
      let start = 0;
      while (start < rows.length) {
        let end = start + 1;
        while (end < rows.length && (rows[end] as [number, Buffer])[0] === (rows[end - 1] as [number, Buffer])[0] + 1) end++;
        const run = Buffer.concat(rows.slice(start, end).map((r) => r[1]));
        fs.writeSync(fd, run, 0, run.length, ((rows[start] as [number, Buffer])[0] - 1) * rowBytes);
        start = end;
      }
      maxGroup = (rows[rows.length - 1] as [number, Buffer])[0];
      done += rows.length;
      onProgress?.(done, total);
    }
    fs.ftruncateSync(fd, maxGroup * rowBytes);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const meta: UnitFileMeta = {
    format: FORMAT,
    space,
    dims: DIMS[space],
    groupsBuild,
    maxGroup,
    bytes: fs.statSync(file).size,
    writtenAt: new Date().toISOString(),
  };
  fs.writeFileSync(`${metaPath(file)}.${process.pid}.tmp`, `${JSON.stringify(meta, null, 2)}\n`);
  fs.renameSync(`${metaPath(file)}.${process.pid}.tmp`, metaPath(file));
  return meta;
}

export function removeUnitFile(dbPath: string, space: Space): void {
  const file = unitPath(dbPath, space);
  fs.rmSync(metaPath(file), { force: true });
  fs.rmSync(file, { force: true });
}

/** A space's unit file opened for reading: `dot` scores one group against a query without allocating. */
export class UnitFile {
  private readonly row: Float32Array;
  private readonly bytes: Buffer;

  private constructor(
    private fd: number | null,
    readonly maxGroup: number,
    dims: number,
  ) {
    this.row = new Float32Array(dims);
    this.bytes = Buffer.from(this.row.buffer);
  }

  /** The space's file, or null when it is missing or cannot serve this database. */
  static open(db: Db, space: Space): UnitFile | null {
    if (unitFileStaleReason(db, space)) return null;
    const file = unitPath(db.name, space);
    const meta = readMeta(file) as UnitFileMeta;
    try {
      return new UnitFile(fs.openSync(file, 'r'), meta.maxGroup, DIMS[space]);
    } catch {
      return null;
    }
  }

  /** True when the file has the group's row (it may be a deleted group's, or zeros if it was deleted before the write). */
  holds(group: number): boolean {
    return group <= this.maxGroup && this.fd !== null;
  }

  /** A group's unit vector (a copy), for a group the file holds. */
  vector(group: number): Float32Array {
    const v = new Float32Array(this.row.length);
    fs.readSync(this.fd as number, Buffer.from(v.buffer), 0, v.byteLength, (group - 1) * v.byteLength);
    return v;
  }

  /** q · unit(group), for a group the file holds. */
  dot(q: Float32Array, group: number): number {
    fs.readSync(this.fd as number, this.bytes, 0, this.bytes.length, (group - 1) * this.bytes.length);
    const v = this.row;
    let dot = 0;
    for (let j = 0; j < q.length; j++) dot += (q[j] as number) * (v[j] as number);
    return dot;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
