// Approximate nearest neighbours for large catalogs: one space's usearch HNSW graph (the index
// file beside the database, memory-mapped read-only, so worker processes share its pages),
// plus the groups created since the file was built in a small in-memory graph of this process,
// both re-ranked exactly from the f32 unit vectors (the unit file beside it, unit-file.ts, or
// SQLite for groups newer than that file) and expanded to tracks.
//
// Kept in step without rebuilding anything: every write goes to the groups tables in the same
// transaction as track_vectors (groups.ts). Group ids only grow and a group's vector never
// changes, so a group the file holds is still right or deleted (no row: dropped at the
// re-rank), and a group it lacks has a larger id than the file's newest. Before a query, one
// point read of the vector revision (vector_changes, written by every process) says whether
// anything changed; if so, the groups after the newest one seen are added to the in-memory
// graph, and the tracks changed since have their group read again into the membership map
// (members.ts). So a write by any process is visible to the next query of every process.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Index, MetricKind, ScalarKind } from 'usearch';
import type { Db } from '../../db/index.ts';
import { DIMS, type Space } from '../spaces.ts';
import { ANN_SETTINGS, type AnnMeta, annPath, readMeta, staleReason } from './ann-file.ts';
import { type GroupStore, unitVector } from './groups.ts';
import { MemberMap } from './members.ts';
import { UnitFile, unitPath } from './unit-file.ts';

// usearch's native addon is loaded at the first graph opened, not with this module: a catalog
// under the in-memory threshold (Chinook's 3,503 tracks) never opens one, and loading it put
// 1.2 MiB of the addon into every server process's RSS (smaps, 2026-12-01).
// Loaded through require, so this is usearch's CommonJS build (its ESM build is another copy
// of the classes: a test that spies on Index must take it from here).
let usearch: typeof import('usearch') | undefined;
export const usearchLib = (): typeof import('usearch') => {
  usearch ??= createRequire(import.meta.url)('usearch') as typeof import('usearch');
  return usearch;
};

export interface AnnNeighbour {
  id: number;
  /** Cosine distance (1 − cosine similarity), exact: computed from the f32 unit vectors. */
  distance: number;
}

/** More groups created since the file than this: the file is too old to patch in memory (see status; a rebuild folds them in). */
export const MAX_DELTA = 20_000;
/**
 * Candidates asked of the graph beyond k, for the exact re-rank to choose from: the graph ranks
 * by its quantized vectors, so near-ties at the k-th place come out in the wrong order (20k
 * catalog, lyric i8: recall@10 0.977 with 10 candidates, 0.996 with 20 or 40). No more than the
 * search width holds, unless k itself is more: usearch searches max(ef, asked) wide, so extra
 * candidates past ef widen the graph search itself, the larger part of the call. At 1M audio
 * (k 30 for /similar?limit=10, ef 30) the 10 past it bought no recall: recall@10 with the
 * retry 0.991 / 0.991 at 30 candidates and 0.992 / 0.991 at 40 (1 000 random + 1 000 basket
 * tracks, bench/vectors-ann-recall.ts --candidates).
 */
const RERANK_EXTRA = 10;
export const candidatesFor = (k: number, width: number): number => Math.max(k, Math.min(k + RERANK_EXTRA, width));
/**
 * How much wider a query by track searches again when the graph did not return the track's own
 * group (at distance 0: a search that misses it stopped short of the track's neighbourhood).
 * 1M audio, connectivity 32, ef 48, 1 000 + 1 000 tracks: it happened to 1 random and 8 basket
 * tracks, and recall@10 with baskets went 0.986 → 0.993 (random 0.994 either way); with
 * connectivity 16 at ef 96 (400 + 400) 0.978 → 0.990. The p50 does not move: under 1 % of
 * queries search twice (bench/vectors-ann-existing.ts: the served row against "no retry").
 */
const RETRY_WIDTH = 4;
/** How often a process looks whether its file was (re)built. */
const RECHECK_MS = 1_000;

export interface SearchOptions {
  /** The search's candidate list (ef); ANN_SETTINGS' expansionSearch when not given. */
  width?: number;
  /** Groups asked of the graph before the exact re-rank (candidatesFor(k, width) when not given). */
  candidates?: number;
  /** false: no wider second search when a query by track misses its own group (the benchmark's same-run comparison). */
  retry?: boolean;
}

export interface AnnStatus {
  space: Space;
  file: string;
  /** null when the file serves; otherwise why not (missing, stale, too many changes since). */
  unusable: string | null;
  meta: AnnMeta | null;
  /** Groups searched from memory: created after the file was built. */
  delta: number;
  /** Groups up to this id are re-ranked from the unit file (unit-file.ts); null: every group from SQLite. */
  unitsUpTo: number | null;
  /** Whether the membership map (members.ts) is loaded: by the first query, or by warm() at start. */
  membersLoaded: boolean;
}

export class AnnIndex {
  readonly file: string;
  private meta: AnnMeta | null = null;
  private unusable: string | null = 'not opened';
  /** The file's graph, one handle per search width (each maps the same file). */
  private readonly bases = new Map<number, Index>();
  private delta: Index | null = null;
  private deltaCount = 0;
  private newestSeen = 0;
  private revisionSeen = -1;
  private checkedAt = 0;
  /** NaN until the first look, so that the first refresh opens the file. */
  private metaMtime = Number.NaN;
  /** The exact re-rank's vectors of the groups the unit file holds (null: all from SQLite). */
  private units: UnitFile | null = null;
  private unitsMtime = Number.NaN;
  /** Track ↔ group membership in memory (members.ts), followed at the same revision as the delta graph. */
  private readonly members: MemberMap;

  constructor(
    private readonly db: Db,
    readonly space: Space,
    private readonly groups: GroupStore,
    private readonly revision: () => number,
    private readonly changes: (since: number, limit: number) => number[] | null,
  ) {
    this.file = annPath(db.name, space);
    this.members = new MemberMap(db, space);
  }

  status(): AnnStatus {
    this.refresh(true);
    return {
      space: this.space,
      file: this.file,
      unusable: this.unusable,
      meta: this.meta,
      delta: this.deltaCount,
      unitsUpTo: this.units?.maxGroup ?? null,
      membersLoaded: this.members.loaded(),
    };
  }

  /** Does now what the first query would otherwise do: opens the file and loads the membership map (~0.5–1.5 s at 1M). */
  warm(): void {
    this.ready(undefined);
  }

  /** The files this index serves from right now: the graph, and the unit file when it is used. */
  servedFiles(): string[] {
    this.refresh(true);
    return [...(this.unusable ? [] : [this.file]), ...(this.units ? [unitPath(this.db.name, this.space)] : [])];
  }

  /**
   * The k nearest tracks to a vector, exact distances, best first; null when there is no usable
   * index file (the caller scans instead). `width` is the search's candidate list (ef);
   * `candidates` how many groups the graph is asked for before the exact re-rank; `track` the
   * stored track whose vector the query is (its own group is then a candidate for sure: a node
   * the graph cannot reach from its entry point is ~1 % of audio's groups at 1M, and a random
   * track's group holds ~14 tracks at distance 0, so missing it lost all ten of 3 % of queries).
   */
  search(query: Float32Array, k: number, options: SearchOptions & { track?: number } = {}): AnnNeighbour[] | null {
    const base = this.ready(options.width);
    if (!base) return null;
    const own = options.track === undefined ? null : this.members.groupOf(options.track);
    return this.rank(base, unitVector(query), own, k, options);
  }

  /**
   * search() for a stored track's own vector, read with its group in one statement (the
   * track's unit vector is the query: no vec0 read of the raw vector). Null when there is no
   * usable file, or the track has no group (no vectors, or a zero placeholder): the caller
   * then reads the vector itself.
   */
  searchByTrack(trackId: number, k: number, options: SearchOptions = {}): AnnNeighbour[] | null {
    const base = this.ready(options.width);
    if (!base) return null;
    // From the unit file, the track's vector is one pread after a members lookup; SQLite's join
    // reads a page of the groups table, which the re-rank no longer keeps in SQLite's cache
    // (1M audio: 0.13 ms against the file's few µs).
    const group = this.units ? this.members.groupOf(trackId) : null;
    if (group !== null && this.units?.holds(group)) return this.rank(base, this.units.vector(group), group, k, options);
    const own = this.groups.ownGroup(trackId);
    return own ? this.rank(base, own.unit, own.group, k, options) : null;
  }

  /** The graph of this search width, after catching up with the file and the groups created since; null when none serves. */
  private ready(width: number | undefined): Index | null {
    this.refresh(false);
    const base = this.base(width ?? ANN_SETTINGS[this.space].expansionSearch);
    // At the revision refresh() just read (a usable file: refresh read it).
    if (base) this.members.follow(this.revisionSeen, this.changes);
    return base;
  }

  /**
   * The graph's candidates (and `own`) ranked by exact distance and expanded to tracks. A graph
   * of f32 vectors gives exact distances itself (the same unit vectors SQLite holds, scored by
   * usearch); a quantized one only proposes candidates, re-scored from the f32 unit vectors.
   */
  private rank(base: Index, q: Float32Array, own: number | null, k: number, options: SearchOptions): AnnNeighbour[] {
    const want = Math.max(k, options.candidates ?? candidatesFor(k, options.width ?? ANN_SETTINGS[this.space].expansionSearch));
    const exactGraph = this.meta?.settings.quantization === 'f32';
    const distance = new Map<number, number>();
    const toScore = new Set<number>();
    // The graph's best `want`; asking for more than the search width widens the search to it (usearch searches max(ef, k)).
    const take = (graph: Index, exact: boolean, ask = want) => {
      const found = graph.search(q, ask, 1);
      const n = Math.min(want, found.keys.length);
      for (let i = 0; i < n; i++) {
        const key = Number(found.keys[i]);
        if (exact) distance.set(key, found.distances[i] as number);
        else toScore.add(key);
      }
    };
    take(base, exactGraph);
    // The in-memory graph of groups created since the file holds f32 vectors.
    if (this.delta && this.deltaCount > 0) take(this.delta, true);
    // A query by track whose own group (at distance 0) the graph did not return: the search ran
    // aground before the track's neighbourhood, and its other candidates are far off. Searched
    // again RETRY_WIDTH times wider, which reaches it for most such queries (see RETRY_WIDTH).
    if (own !== null && options.retry !== false && !distance.has(own) && !toScore.has(own))
      take(base, exactGraph, RETRY_WIDTH * (options.width ?? ANN_SETTINGS[this.space].expansionSearch));
    if (own !== null && !distance.has(own)) toScore.add(own);
    for (const g of distance.keys()) toScore.delete(g);
    const fromSqlite: number[] = [];
    for (const group of toScore) {
      if (this.units?.holds(group)) distance.set(group, 1 - this.units.dot(q, group));
      else fromSqlite.push(group);
    }
    if (fromSqlite.length > 0)
      for (const [group, v] of this.groups.units(fromSqlite)) {
        let dot = 0;
        for (let j = 0; j < q.length; j++) dot += (q[j] as number) * (v[j] as number);
        distance.set(group, 1 - dot);
      }
    // A group deleted since the file was built has no members (skipped), and in SQLite no unit row (not scored).
    const ranked = [...distance].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    return this.members
      .firstMembers(
        ranked.map(([g]) => g),
        k,
      )
      .map(([group, id]) => ({ id, distance: distance.get(group) as number }));
  }

  private base(width: number): Index | null {
    if (this.unusable || !this.meta) return null;
    let index = this.bases.get(width);
    if (!index) {
      const s = ANN_SETTINGS[this.space];
      index = new (usearchLib().Index)({
        dimensions: DIMS[this.space],
        metric: s.metric as MetricKind,
        quantization: s.quantization as ScalarKind,
        connectivity: s.connectivity,
        expansion_add: s.expansionAdd,
        expansion_search: width,
        multi: false,
      });
      index.view(this.file);
      this.bases.set(width, index);
    }
    return index;
  }

  /** Opens a (re)built file, then adds the groups created since what it holds. */
  private refresh(force: boolean): void {
    const now = performance.now();
    if (force || now - this.checkedAt >= RECHECK_MS) {
      this.checkedAt = now;
      let mtime = -1;
      try {
        mtime = fs.statSync(`${this.file}.json`).mtimeMs;
      } catch {}
      // The companion is renamed into place last: a new mtime means a new file.
      if (mtime !== this.metaMtime) {
        this.metaMtime = mtime;
        this.open();
      }
      let unitsMtime = -1;
      try {
        unitsMtime = fs.statSync(`${unitPath(this.db.name, this.space)}.json`).mtimeMs;
      } catch {}
      if (unitsMtime !== this.unitsMtime) {
        this.unitsMtime = unitsMtime;
        this.units?.close();
        this.units = UnitFile.open(this.db, this.space);
      }
    }
    if (this.unusable) return;
    const revision = this.revision();
    if (revision === this.revisionSeen) return;
    this.revisionSeen = revision;
    for (const [group, unit] of this.groups.after(this.newestSeen)) {
      this.newestSeen = group;
      const v = new Float32Array(new Uint8Array(unit).buffer);
      if (!v.some((x) => x !== 0)) continue;
      if (this.deltaCount >= MAX_DELTA) {
        this.close(`more than ${MAX_DELTA} groups created since the file was built`);
        return;
      }
      this.delta ??= new (usearchLib().Index)({
        dimensions: DIMS[this.space],
        // Unit vectors (the groups' `unit`), queried by unit vectors: 1 − dot is the cosine distance.
        metric: usearchLib().MetricKind.IP,
        quantization: usearchLib().ScalarKind.F32,
        connectivity: 16,
        expansion_add: 128,
        expansion_search: 64,
        multi: false,
      });
      this.delta.add(BigInt(group), v, 1);
      this.deltaCount++;
    }
  }

  private open(): void {
    this.close('not opened');
    const meta = readMeta(this.file);
    const reason = staleReason(this.db, this.space, meta, this.file);
    if (reason || !meta) {
      this.unusable = reason ?? 'missing';
      return;
    }
    this.meta = meta;
    this.unusable = null;
    this.newestSeen = meta.maxGroup;
    this.revisionSeen = -1;
    // A new graph may come of a new build of the groups: the unit file is looked at again too.
    this.unitsMtime = Number.NaN;
    try {
      this.base(ANN_SETTINGS[this.space].expansionSearch);
    } catch (err) {
      this.close(`cannot be read: ${(err as Error).message}`);
    }
  }

  private close(reason: string): void {
    // The native graphs are freed when collected; dropping the references is all JS can do.
    this.bases.clear();
    this.delta = null;
    this.deltaCount = 0;
    this.meta = null;
    this.unusable = reason;
  }
}
