// The large-catalog rows of bench/sections/40-vectors.ts on a database that is already built
// (a 1M catalog's vectors and index files take far longer to build than to measure on this
// shared machine): per space, the vec0 scan, the in-memory SIMD scan, the sharded index of
// bench/baselines when the database holds one, and the ANN file at three search widths; then
// the uncached /similar path of those spaces and this process's memory.
//
//   nice -n 10 npx tsx bench/vectors-ann-existing.ts <db> [--space audio …] [--expansion-add <n>] [--settings <json>] [--queries <n>] [--server-memory <n>]
//
// `--server-memory <n>`: afterwards, a server process over the database (the app as `chinook
// serve` builds it, default settings) answers uncached /similar for n random tracks in every
// space and the blend over HTTP; its RSS is reported (anonymous and file-backed apart: the ANN
// files are memory-mapped).
//
// `--expansion-add` serves files built with another expansion_add than ANN_SETTINGS says (a
// file of an earlier setting, measured as it is: the row label says which). Migrations are not
// run (the database is only read, apart from the similarity cache rows /similar writes).
import fs from 'node:fs';
import { openPrimary } from '../src/db/connection.ts';
import { ANN_SETTINGS } from '../src/vectors/ann/ann-file.ts';
import { DotMatrix } from '../src/vectors/dot-kernel.ts';
import { seededRandom } from '../src/vectors/linalg.ts';
import { topK } from '../src/vectors/snapshot.ts';
import { COLUMN, DIMS, isSpace, type Space } from '../src/vectors/spaces.ts';
import { fromBlob, VectorStore } from '../src/vectors/store.ts';
import { indexExists, VectorIndex } from './baselines/sharded-index/vector-index.ts';
import { exitWithUsageOnHelp, fmtMs, measureSync, table } from './lib.ts';
import { annRows, annSimilarRows, serverMemory } from './vectors-ann.ts';

exitWithUsageOnHelp(import.meta.url);

const args = process.argv.slice(2);
const dbPath = args[0];
if (!dbPath || !fs.existsSync(dbPath)) throw new Error('usage: vectors-ann-existing.ts <db> [--space audio …] [--expansion-add <n>]');
const spaces = args.flatMap((a, i) => (args[i - 1] === '--space' && isSpace(a) ? [a] : [])) as Space[];
const efcArg = args[args.indexOf('--expansion-add') + 1];
const expansionAdd = args.includes('--expansion-add') ? Number(efcArg) : null;
if (expansionAdd !== null) for (const s of Object.values(ANN_SETTINGS)) s.expansionAdd = expansionAdd;
// `--settings '{"audio":{"quantization":"f16","expansionAdd":256}}'`: per-space overrides, for files built with other settings (the row labels say which).
const settingsArg = args.includes('--settings') ? (args[args.indexOf('--settings') + 1] as string) : null;
if (settingsArg)
  for (const [space, over] of Object.entries(JSON.parse(settingsArg) as Record<Space, object>)) Object.assign(ANN_SETTINGS[space as Space], over);
const serverQueries = args.includes('--server-memory') ? Number(args[args.indexOf('--server-memory') + 1]) : 0;

const db = openPrimary(
  { dbPath, pageSize: 32768, cacheSizeKiB: 131072, mmapSize: 536870912, busyTimeoutMs: 10000, walAutocheckpoint: 2000 },
  { skipMigrations: true },
);
const log = (l: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${l}`);
const store = new VectorStore(db);
const ids = db.prepare('SELECT track_id FROM track_vectors ORDER BY track_id').pluck().all() as number[];
const rand = seededRandom(1234);
const pick = (from: number[], n: number) => Array.from({ length: n }, () => from[Math.floor(rand() * from.length)] as number);
const basketIds = db
  .prepare('SELECT DISTINCT track_id FROM (SELECT track_id FROM chinook_playlist_track UNION ALL SELECT track_id FROM chinook_invoice_lines) ORDER BY track_id')
  .pluck()
  .all() as number[];
// `--queries n` (default 200): random tracks and tracks with baskets each; the exact ground truth is a scan per query (~1 s at 1M × 384 here).
const queries = args.includes('--queries') ? Number(args[args.indexOf('--queries') + 1]) : 200;
const queryIds = pick(ids, queries);
const hardIds = pick(basketIds, queries);
const label = `${ids.length / 1000}k`;
const rows: (string | number)[][] = [];
const similarRows: (string | number)[][] = [];
const buildRows: (string | number)[][] = [];

for (const space of spaces.length ? spaces : (['audio', 'lyric', 'metadata'] as Space[])) {
  const ann = store.index(space)?.ann;
  const status = ann?.status();
  if (!status || status.unusable) {
    log(`${space}: no usable ANN file (${status?.unusable ?? 'no groups'}), skipped`);
    continue;
  }
  const meta = status.meta;
  if (meta)
    buildRows.push([
      label,
      space,
      meta.count,
      `${(meta.buildMs / 1000).toFixed(0)} s`,
      `${(meta.bytes / 2 ** 20).toFixed(0)} MiB`,
      meta.settings.quantization,
      meta.settings.expansionAdd,
    ]);
  log(`${space}: loading ${ids.length} vectors for the exact scans`);
  const dims = DIMS[space];
  const simd = new DotMatrix(ids.length, dims);
  const rowIds = new Int32Array(ids.length);
  let row = 0;
  for (const r of db.prepare(`SELECT track_id AS id, ${COLUMN[space]} AS v FROM track_vectors ORDER BY track_id`).raw(true).iterate() as Iterable<
    [number, Buffer]
  >) {
    rowIds[row] = r[0];
    simd.rows.set(fromBlob(r[1]), row * dims);
    row++;
  }
  const kthOf = (qs: number[]) =>
    qs.map((id) => {
      simd.query.set(store.get(id, space) as Float32Array);
      return 1 - (topK(simd.dots(), rowIds, rowIds.length, -1, 10)[9]?.similarity ?? 1);
    });
  let qi = 0;
  const next = () => store.get(queryIds[qi++ % queryIds.length] as number, space) as Float32Array;
  log(`${space}: vec0 scan and SIMD scan`);
  const vec = measureSync(() => store.scan(space, next(), 10), { iterations: 20, warmup: 2, maxMs: 15_000 });
  const wasm = measureSync(
    () => {
      simd.query.set(next());
      return topK(simd.dots(), rowIds, rowIds.length, -1, 10);
    },
    { iterations: 50, warmup: 3, maxMs: 15_000 },
  );
  log(`${space}: ANN rows`);
  rows.push(
    ...annRows({
      db,
      store,
      space,
      label,
      queryIds,
      hardIds,
      kth: { queries: kthOf(queryIds), hard: kthOf(hardIds) },
      iterations: 400,
      vec0Ms: vec.medianMs,
      simd: { p50: wasm.medianMs, p99: wasm.p99Ms },
      sharded: indexExists(db, space) ? new VectorIndex(db, space) : null,
    }),
  );
  rows.push([label, space, 'vec0 scan, exact', fmtMs(vec.medianMs), fmtMs(vec.p99Ms), '1.000', '1.000', '1.00×']);

  // The uncached /similar?limit=10 as the server runs it (bench/vectors-ann.ts annSimilarRows).
  similarRows.push(...(await annSimilarRows(db, label, queryIds, 200, [space])));
}

let server = '';
if (serverQueries > 0) {
  log(`server process: ${serverQueries} uncached /similar in every space and the blend`);
  const m = await serverMemory(dbPath, queryIds, serverQueries, [
    ...(expansionAdd === null ? [] : ['--expansion-add', String(expansionAdd)]),
    ...(settingsArg ? ['--settings', settingsArg] : []),
  ]);
  server = `A server process (bench/servers/vectors-server.ts: the app with default settings) after answering ${m.answered} uncached /similar over HTTP (${serverQueries} random tracks × audio, lyric, metadata, blend) in ${(m.seconds ?? 0).toFixed(0)} s: RSS ${m.VmRSS?.toFixed(0)} MiB (anonymous ${m.RssAnon?.toFixed(0)}, file-backed ${m.RssFile?.toFixed(0)}: the mapped ANN files and SQLite's mmap), peak ${m.VmHWM?.toFixed(0)} MiB, ${m.startRss?.toFixed(0)} MiB at start.`;
}
const status = fs.readFileSync('/proc/self/status', 'utf8');
const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) / 1024;
console.log(
  [
    `Database ${dbPath} (${ids.length} tracks); ${new Date().toISOString()}; ${expansionAdd === null ? '' : `files built with expansion_add ${expansionAdd}; `}recall@10 over ${queries} random tracks and ${queries} tracks with baskets.`,
    '',
    table(['catalog', 'space', 'groups in the file', 'file build', 'file size', 'quantization', 'expansion_add'], buildRows),
    '',
    table(['catalog', 'space', 'method', 'p50', 'p99', 'recall@10 random', 'recall@10 with baskets', 'vs vec0 scan p50'], rows),
    '',
    table(['catalog', 'space', '/similar uncached, in-process, list handed to the write queue', 'p50', 'p99'], similarRows),
    '',
    `This process at the end (the exact scans' copies included): RSS ${kb('VmRSS').toFixed(0)} MiB (anonymous ${kb('RssAnon').toFixed(0)}, file-backed ${kb('RssFile').toFixed(0)}), peak ${kb('VmHWM').toFixed(0)} MiB.`,
    server,
  ].join('\n'),
);
db.close();
