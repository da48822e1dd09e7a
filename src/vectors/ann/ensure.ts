// Creating and refreshing the large-catalog index: the groups tables (in the build's
// transaction) and the ANN files (after it commits: they are built from committed rows).
import type { Db } from '../../db/index.ts';
import { SPACES, type Space } from '../spaces.ts';
import { ANN_SETTINGS, annPath, buildAnnFile, readMeta, staleReason } from './ann-file.ts';
import { MAX_DELTA } from './ann-index.ts';
import { createGroups, GroupStore, groupsExist, groupsTable } from './groups.ts';
import { unitFileStaleReason, writeUnitFile } from './unit-file.ts';

/**
 * Catalogs at least this large get the index. Below it the in-memory copy (snapshot.ts, 32 MiB
 * by default = 28 800 tracks) or the plain vec0 scan (a few ms at this size) answers.
 */
export const ANN_MIN_TRACKS = 30_000;

/** Groups created since a file was built that make `ensureAnnFiles` rebuild it (each process searches them from memory). */
const REBUILD_AFTER = Math.floor(MAX_DELTA / 4);

/**
 * The layout before the ANN files (vector-index.ts, removed): per space a vec0 table of unit
 * vectors and sign bits in 16 partitions (dropping it drops its shadow tables) and two group
 * tables, plus the centres of the sign bits. Returns whether there was one.
 */
export function dropLegacyIndex(db: Db): boolean {
  const names = [
    ...SPACES.flatMap((s) => [`track_vectors_index_${s}`, `track_vectors_index_${s}_members`, `track_vectors_index_${s}_groups`]),
    'track_vectors_index_centers',
  ];
  const present = names.filter((t) => db.prepare('SELECT 1 FROM sqlite_schema WHERE name = ?').get(t));
  for (const t of present) db.exec(`DROP TABLE IF EXISTS ${t}`);
  return present.length > 0;
}

/** Creates the missing groups tables when the catalog is large enough; returns the spaces grouped now. */
export function ensureGroups(db: Db, minTracks = ANN_MIN_TRACKS): Space[] {
  dropLegacyIndex(db);
  const n = db.prepare('SELECT count(*) FROM track_vectors').pluck().get() as number;
  if (n === 0 || n < minTracks) return [];
  const created: Space[] = [];
  for (const s of SPACES) {
    if (groupsExist(db, s)) continue;
    createGroups(db, s);
    created.push(s);
  }
  return created;
}

/** Why each grouped space's file needs a build (missing, stale, or far behind its groups); spaces whose file serves are left out. */
export function filesToBuild(db: Db): Partial<Record<Space, string>> {
  const out: Partial<Record<Space, string>> = {};
  for (const s of SPACES) {
    if (!groupsExist(db, s)) continue;
    const file = annPath(db.name, s);
    const meta = readMeta(file);
    const reason = staleReason(db, s, meta, file);
    if (reason) out[s] = reason;
    else if (meta) {
      const behind = db
        .prepare(`SELECT count(*) FROM (SELECT 1 FROM ${groupsTable(s)} WHERE group_id > ? LIMIT ?)`)
        .pluck()
        .get(meta.maxGroup, REBUILD_AFTER + 1) as number;
      if (behind > REBUILD_AFTER) out[s] = `${behind}+ groups created since it was built`;
    }
  }
  return out;
}

export type IndexProgress = (done: number, total: number, label: string) => void;

/**
 * Builds the ANN file of every grouped space whose file is missing or stale (`force`: of every
 * grouped space, or of those listed), and writes the unit file (unit-file.ts) of every grouped
 * space where that one is missing or stale (seconds: one read of the groups). Must run outside
 * a transaction. Returns the spaces whose graph was built.
 */
export function ensureAnnFiles(db: Db, onProgress?: IndexProgress, force: boolean | readonly Space[] = false): Space[] {
  // An in-memory database has no file to put an index beside: it keeps the exact vec0 scan.
  if (db.memory) return [];
  const grouped = SPACES.filter((s) => groupsExist(db, s));
  const todo = force === true ? grouped : force ? grouped.filter((s) => force.includes(s)) : (Object.keys(filesToBuild(db)) as Space[]);
  // Before the graphs: seconds against minutes, and a unit file of the current groups is right for any graph of them.
  for (const s of grouped) {
    if (!unitFileStaleReason(db, s)) continue;
    const label = `unit vectors ${s}`;
    writeUnitFile(db, s, (done, total) => onProgress?.(done, total, label));
  }
  for (const s of todo) {
    const label = `index ${s} (${ANN_SETTINGS[s].quantization} HNSW)`;
    onProgress?.(0, new GroupStore(db, s).count(), label);
    buildAnnFile(db, s, (done, total) => onProgress?.(done, total, label));
  }
  return todo;
}
