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
   * f32 graph, same recall (bench/vectors-ann-peers.ts). i8 takes 'cos', usearch's metric for
   * quantizing to integers. Files built before this field existed are 'cos'.
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
 * All three graphs are i8 on cosine, re-ranked exactly from the f32 unit vectors (the unit
 * file), because at 1M the three mapped files are resident in full (a search touches nodes all
 * over the graph) and the server's RSS is what they cost: 2 103 MiB with audio and metadata in
 * f16, 1 721–1 731 MiB (peak 1 882) with all three in i8 (docs/BENCHMARKS.md, fifth round). An
 * f32 graph would give exact distances itself (no vector read per query, ~0.1 ms less per
 * uncached /similar at 100k) for four times the file. What decides recall at 1M is
 * expansion_add (audio: 0.987 / 0.986 at 256 against 0.923 / 0.888 at 128) and connectivity,
 * not the quantization: with the exact re-rank, cosine i8 recalls within 0.002 of f16 inner
 * product for audio, and better for metadata.
 *
 * Audio links 32 neighbours and searches at ef 30, which is what /similar?limit=10 asks anyway
 * (30 candidates: a search asked for k searches max(ef, k) wide, and candidatesFor in
 * ann-index.ts asks no more than the width). At 1M, 30 instead of 40 made the uncached call
 * 1.11× faster at the same recall (0.991 / 0.991 against 0.992 / 0.991; same-process A/B,
 * bench/vectors-similar-breakdown.ts --ab-settings). At 1M with connectivity 16 and ef
 * 96 the basket tracks' neighbourhoods were out of reach: recall@10 0.987 random / 0.975 with
 * baskets (1 000 + 1 000 tracks) and 0.990 / 0.987 even at ef 192. With 32 links, recall with
 * the retry is 0.994 / 0.993 in f16 on inner product at ef 48 and 0.992 / 0.991 in i8 on
 * cosine at ef 40 (the same tracks, bench/vectors-ann-recall.ts). The i8 search at ef 40 takes
 * 0.92–1.07× the time of the f16 one at 48 (at ef 48 1.08–1.27×; bench/vectors-ann-graphs-ab.ts),
 * for a 381 MiB file instead of 502.
 *
 * Lyric links 32 neighbours too: at 1M, ef 64, recall@10 with the retry 0.986 random / 0.984
 * with baskets on 1 000 + 1 000 tracks where connectivity 16 recalled 0.979 / 0.971 (no retry;
 * 0.987 / 0.983 at ef 256), and 0.985 / 0.981 on another 800 + 800 where connectivity 16
 * recalled 0.964 / 0.969; neither more candidates for the re-rank (80: 0.981) nor a wider
 * search (ef 96: 0.981) moved the basket tracks further. Its graph search takes 1.38× the time
 * of connectivity 16, and the file is 614 MiB instead of 495.
 *
 * Metadata is i8 on cosine with connectivity 16, searched at ef 128. Its vectors crowd (tracks
 * of one genre, media type and album shape differ only in small numeric features) and the
 * graph finds fewer of the true ten there. At 1M (1 000 random + 1 000 basket tracks, recall@10
 * with the retry) this file recalls 0.982 / 0.986 where the previous settings (f16, inner
 * product, connectivity 32) recalled 0.980 / 0.972; its graph search takes 0.89× the time, and
 * the file is 195 MiB instead of 371, which keeps the server at 1M under 2 GB
 * (docs/BENCHMARKS.md, fifth round). i8 cosine with connectivity 32 recalled 0.989 / 0.989 at
 * ef 96 (0.85× the time) for 312 MiB: the better file where memory allows.
 */
export const ANN_SETTINGS: Record<Space, AnnSettings> = {
  audio: { quantization: 'i8', metric: 'cos', connectivity: 32, expansionAdd: 256, expansionSearch: 30 },
  lyric: { quantization: 'i8', metric: 'cos', connectivity: 32, expansionAdd: 256, expansionSearch: 64 },
  metadata: { quantization: 'i8', metric: 'cos', connectivity: 16, expansionAdd: 256, expansionSearch: 128 },
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
