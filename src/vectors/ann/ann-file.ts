// The ANN index files beside the database: one usearch HNSW graph per space
// (`<db>.<space>.usearch`), built from the space's groups table (groups.ts), and a small JSON
// file beside it (`….usearch.json`) saying what it was built from. The SQLite file stays the
// source of truth: an index file can always be deleted and rebuilt (`chinook vectors build
// --index-only`), and one that does not match its database is never used.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Db } from '../../db/index.ts';
import { DIMS, type Space } from '../spaces.ts';
import { groupsBuildId, groupsFileMismatch, groupsTable } from './groups.ts';
import { removeUnitFile } from './unit-file.ts';

/** How a space's graph is built and searched; chosen by the numbers in docs/vectors.md. */
export interface AnnSettings {
  /** How the graph stores vectors: the exact re-rank reads the f32 unit vectors (unit-file.ts) either way. */
  quantization: 'f32' | 'f16' | 'i8';
  /**
   * The graph's distance. The vectors are unit vectors, so inner product ('ip', 1 − dot) is the
   * cosine distance without computing norms: 1.4× faster searches than 'cos' on the 100k audio
   * graph, same recall (bench/vectors-ann-peers.ts). i8 keeps 'cos', usearch's metric for
   * quantizing to integers. Audio uses inner product: at 1M in f16 with connectivity 16 (both
   * files built at expansion_add 256, 200 + 200 queries, docs/BENCHMARKS.md third round) it
   * recalled 0.992 / 0.970 at ef 96 where cosine at ef 64 recalled 0.981 / 0.965, and an uncached
   * /similar takes the same time (p50 1.21 / 1.20 ms against 1.22 / 1.17, alternating runs of
   * bench/vectors-similar-breakdown.ts). At the same ef, inner product was the faster and
   * cosine the slightly better recall (ef 64: 0.973 / 0.959). Files built
   * before this field existed are 'cos'.
   */
  metric: 'ip' | 'cos';
  /** Links per node (HNSW M). */
  connectivity: number;
  /** Candidate list while inserting (efConstruction). */
  expansionAdd: number;
  /** Candidate list while searching (ef), the speed/recall dial. */
  expansionSearch: number;
}

/**
 * Audio stays f16, re-ranked from the f32 unit vectors (the unit file). An f32 graph
 * on inner product needs no vector read per query (its distances are exact: ~0.1 ms less per
 * uncached /similar at 100k), but at 1M it is the one file that breaks the
 * server's 2 GB: all three mapped files are resident (usearch's view() touches every node):
 * 2 007 MiB with audio in f32 (623 MiB), 1 595 MiB with f16 (381 MiB). Recall does not
 * depend on it: expansion_add does (1M audio recall@10: f16 at 256 0.987 / 0.986, and
 * 0.981 / 0.965 on a rebuild in the third round; at 128 0.923 / 0.888; f32 inner product at
 * 128 0.938 / 0.867; docs/BENCHMARKS.md).
 * Lyric is i8 and re-ranked: 1M × 384 in f32 would be 1.5 GB. It links 32 neighbours too: at
 * 1M, ef 64, recall@10 with the retry 0.986 random / 0.984 with baskets on 1 000 + 1 000
 * tracks where connectivity 16 recalled 0.979 / 0.971 (no retry; 0.987 / 0.983 at ef 256), and
 * 0.985 / 0.981 on another 800 + 800 where connectivity 16 recalled 0.964 / 0.969;
 * and neither more candidates for the re-rank (80: 0.981) nor a wider search (ef 96: 0.981)
 * moved the basket tracks further. Its graph search takes 1.38× the time of connectivity 16
 * (bench/vectors-ann-graphs-ab.ts), and the file is 614 MiB instead of 495: the server at 1M
 * with all three spaces measured 1 990 MiB RSS (docs/BENCHMARKS.md, fourth round).
 *
 * Audio links 32 neighbours, like metadata, and searches at ef 48. At 1M with connectivity 16
 * and ef 96, the basket tracks' neighbourhoods were where the graph fell short: recall@10
 * 0.987 random / 0.975 with baskets (1 000 + 1 000 tracks), 0.992 / 0.990 with the second,
 * wider search of a track that misses its own group (ann-index.ts, 400 + 400), and no search
 * width fixed it (0.990 / 0.987 at ef 192). Connectivity 32 at ef 48 with that retry: 0.994 /
 * 0.993 (1 000 + 1 000), and its graph search takes 0.86–0.94× the time of connectivity 16 at
 * ef 96 (bench/vectors-ann-graphs-ab.ts: alternating on the same fresh random vectors, k 40 as
 * /similar asks; two runs). It costs a 502 MiB file instead of 381 and a longer build (1 092 s
 * with another build sharing the cores, against 659 s quiet).
 *
 * Metadata searches wider and links more: its vectors crowd (tracks of one genre, media type
 * and album shape differ only in small numeric features), and the graph finds fewer of the
 * true ten there. 100k synthetic, recall@10 random / with baskets at ef 128: connectivity 16
 * 0.969 / 0.972, 32 0.992 / 0.985 (bench/vectors-ann-peers.ts, same day); asking for more
 * candidates changed nothing, so it is the graph's reach, not the f16 order. Connectivity 32
 * costs ~12 MiB more per 100k groups and a slower build (docs/BENCHMARKS.md).
 */
export const ANN_SETTINGS: Record<Space, AnnSettings> = {
  audio: { quantization: 'f16', metric: 'ip', connectivity: 32, expansionAdd: 256, expansionSearch: 48 },
  lyric: { quantization: 'i8', metric: 'cos', connectivity: 32, expansionAdd: 256, expansionSearch: 64 },
  metadata: { quantization: 'f16', metric: 'ip', connectivity: 32, expansionAdd: 256, expansionSearch: 128 },
};

/** Bumped when the file's meaning changes (what the keys are, how vectors are prepared). */
const FORMAT = 1;
const require = createRequire(import.meta.url);
// usearch's exports map hides its package.json; its entry point is javascript/dist/cjs/usearch.js.
const usearchPackage = path.join(path.dirname(require.resolve('usearch')), '../../../package.json');
const LIBRARY = `usearch ${(JSON.parse(fs.readFileSync(usearchPackage, 'utf8')) as { version: string }).version}`;

export const annPath = (dbPath: string, space: Space): string => `${dbPath}.${space}.usearch`;
const metaPath = (file: string): string => `${file}.json`;

/** What an index file was built from (its `.json` companion). */
export interface AnnMeta {
  format: number;
  library: string;
  space: Space;
  dims: number;
  settings: Omit<AnnSettings, 'expansionSearch'>;
  /** The build of the groups table it holds (groups.ts): a rebuilt table makes every file stale. */
  groupsBuild: string;
  /** The highest group id it holds: groups created later are searched from memory until the next rebuild. */
  maxGroup: number;
  /** Vectors in the graph. */
  count: number;
  /** Size of the .usearch file, to catch a file replaced without its companion. */
  bytes: number;
  builtAt: string;
  buildMs: number;
}

export function readMeta(file: string): AnnMeta | null {
  try {
    return JSON.parse(fs.readFileSync(metaPath(file), 'utf8')) as AnnMeta;
  } catch {
    return null;
  }
}

/** Why the file cannot serve this database now, or null when it can. */
export function staleReason(db: Db, space: Space, meta: AnnMeta | null, file: string): string | null {
  if (!meta) return 'missing';
  const settings = ANN_SETTINGS[space];
  if (meta.format !== FORMAT || meta.library !== LIBRARY || meta.dims !== DIMS[space]) return 'built by another version';
  if (
    meta.settings.quantization !== settings.quantization ||
    (meta.settings.metric ?? 'cos') !== settings.metric ||
    meta.settings.connectivity !== settings.connectivity ||
    meta.settings.expansionAdd !== settings.expansionAdd
  )
    return 'built with other settings';
  return groupsFileMismatch(db, space, meta, file, 'built');
}

const BATCH = 10_000;
const STALL_MS = 10 * 60_000;
const BUILD_WORKER = new URL('./build-worker.mjs', import.meta.url);

/**
 * Builds a space's index file from its groups table (committed: the build reads it on its own
 * connection) in a worker thread, waiting synchronously and reporting progress. The file is
 * written under a temporary name and renamed, then its companion: a process using the old file
 * keeps its mapping, and one opening meanwhile sees a size that does not match and waits.
 */
export function buildAnnFile(
  db: Db,
  space: Space,
  onProgress?: (done: number, total: number) => void,
  options: { threads?: number; batch?: number } = {},
): AnnMeta {
  if (db.inTransaction) throw new Error('an index file is built from committed groups: not inside a transaction');
  const groupsBuild = groupsBuildId(db, space);
  if (!groupsBuild) throw new Error(`no vector groups for ${space}: run \`chinook vectors build\``);
  const file = annPath(db.name, space);
  const tmp = `${file}.${process.pid}.tmp`;
  const started = performance.now();
  const progress = new Int32Array(new SharedArrayBuffer(3 * 4));
  const { port1, port2 } = new MessageChannel();
  const settings = ANN_SETTINGS[space];
  const worker = new Worker(BUILD_WORKER, {
    workerData: {
      dbPath: db.name,
      table: groupsTable(space),
      dims: DIMS[space],
      settings,
      out: tmp,
      threads: options.threads ?? 0,
      batch: options.batch ?? BATCH,
      port: port2,
      progress: progress.buffer,
    },
    transferList: [port2],
  });
  let result: { ok: boolean; message?: string; count?: number; maxGroup?: number } | undefined;
  try {
    // A worker that dies without a word (killed, out of memory) makes no progress: give up on it
    // after STALL_MS (a batch of 10 000 × 384 takes ~10 s on this 2-core machine under load).
    let last = -1;
    let lastChange = performance.now();
    while (Atomics.load(progress, 2) === 0) {
      Atomics.wait(progress, 0, Atomics.load(progress, 0), 250);
      const done = Atomics.load(progress, 0);
      if (done !== last) {
        last = done;
        lastChange = performance.now();
        const total = Atomics.load(progress, 1);
        if (total > 0) onProgress?.(done, total);
      } else if (performance.now() - lastChange > STALL_MS) break;
    }
    // The worker posts its result before raising the flag; the port may take a moment to have it.
    for (let i = 0; i < 100 && !result; i++) {
      result = receiveMessageOnPort(port1)?.message;
      if (!result) Atomics.wait(progress, 2, 1, 10);
    }
  } finally {
    void worker.terminate();
    port1.close();
  }
  if (!result?.ok) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`building the ${space} index failed: ${result?.message ?? 'the worker stopped'}`);
  }
  fs.renameSync(tmp, file);
  const meta: AnnMeta = {
    format: FORMAT,
    library: LIBRARY,
    space,
    dims: DIMS[space],
    settings: { quantization: settings.quantization, metric: settings.metric, connectivity: settings.connectivity, expansionAdd: settings.expansionAdd },
    groupsBuild,
    maxGroup: result.maxGroup as number,
    count: result.count as number,
    bytes: fs.statSync(file).size,
    builtAt: new Date().toISOString(),
    buildMs: Math.round(performance.now() - started),
  };
  fs.writeFileSync(`${metaPath(file)}.${process.pid}.tmp`, `${JSON.stringify(meta, null, 2)}\n`);
  fs.renameSync(`${metaPath(file)}.${process.pid}.tmp`, metaPath(file));
  return meta;
}

/** Deletes a space's index file, its unit file and their companions (a clear, or a space whose groups are gone). */
export function removeAnnFile(dbPath: string, space: Space): void {
  const file = annPath(dbPath, space);
  fs.rmSync(metaPath(file), { force: true });
  fs.rmSync(file, { force: true });
  removeUnitFile(dbPath, space);
}
