// usearch (what serves the ANN files, src/vectors/ann/) against its peer hnswlib-node, in one run
// on one database's vector groups (the distinct unit vectors the files hold): build time on one
// thread, the memory a built graph adds to its process, and the graph's own KNN (no SQLite) at
// three search widths, with recall@10 against the exact scan, raw and after the exact re-rank
// of k + 10 candidates that AnnIndex does. Each library is built and measured in a child process
// of its own, so that one's native memory never counts in another's RSS.
//
//   nice -n 19 npx tsx bench/vectors-ann-peers.ts <db> [--space audio …]
//
// The issue (16) asked for both libraries measured and the choice made by the numbers: the
// table of docs/BENCHMARKS.md "usearch against hnswlib-node" comes from this script.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { ANN_SETTINGS } from '../src/vectors/ann/ann-file.ts';
import { groupsTable, membersTable } from '../src/vectors/ann/groups.ts';
import { DotMatrix } from '../src/vectors/dot-kernel.ts';
import { seededRandom } from '../src/vectors/linalg.ts';
import { topK } from '../src/vectors/snapshot.ts';
import { DIMS, isSpace, SPACES, type Space } from '../src/vectors/spaces.ts';
import { exitWithUsageOnHelp, fmtMs, measureSync, table } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

type Peer = 'usearch-f32' | 'usearch-f32-ip' | 'usearch-served' | 'hnswlib';
const PEERS: Peer[] = ['usearch-f32', 'usearch-f32-ip', 'usearch-served', 'hnswlib'];
/** `--peer <p>` (repeatable) measures only those. */
const RERANK_EXTRA = 10;

interface PeerResult {
  space: Space;
  peer: string;
  groups: number;
  buildMs: number;
  addedRssMiB: number;
  rows: { width: number; p50: number; p99: number; recallRandom: number; recallBaskets: number; rerankRandom: number; rerankBaskets: number }[];
}

/** One space's groups as one f32 matrix (row i = group ids[i]). */
function loadGroups(dbPath: string, space: Space): { ids: Int32Array; rows: Float32Array } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const dims = DIMS[space];
  const n = db
    .prepare(`SELECT count(*) FROM ${groupsTable(space)}`)
    .pluck()
    .get() as number;
  const ids = new Int32Array(n);
  const rows = new Float32Array(n * dims);
  let i = 0;
  for (const [id, unit] of db
    .prepare(`SELECT group_id, unit FROM ${groupsTable(space)} ORDER BY group_id`)
    .raw(true)
    .iterate() as Iterable<[number, Buffer]>) {
    ids[i] = id;
    rows.set(new Float32Array(Uint8Array.from(unit).buffer), i * dims);
    i++;
  }
  db.close();
  return { ids, rows };
}

/** Rows (indexes into the matrix) of the groups of 200 random tracks and 200 tracks in a playlist or invoice (seeded, as bench/vectors-ann-existing.ts). */
function queryRows(dbPath: string, space: Space, ids: Int32Array): { random: number[]; baskets: number[] } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const rowOf = new Map<number, number>();
  ids.forEach((id, i) => {
    rowOf.set(id, i);
  });
  const tracks = db
    .prepare(`SELECT track_id FROM ${membersTable(space)} ORDER BY track_id`)
    .pluck()
    .all() as number[];
  const baskets = db
    .prepare(
      `SELECT DISTINCT track_id FROM (SELECT track_id FROM chinook_playlist_track UNION ALL SELECT track_id FROM chinook_invoice_lines)
       WHERE track_id IN (SELECT track_id FROM ${membersTable(space)}) ORDER BY track_id`,
    )
    .pluck()
    .all() as number[];
  const groupOf = db.prepare(`SELECT group_id FROM ${membersTable(space)} WHERE track_id = ?`).pluck();
  const rand = seededRandom(1234);
  const pick = (from: number[]) => Array.from({ length: 200 }, () => rowOf.get(groupOf.get(from[Math.floor(rand() * from.length)]) as number) as number);
  const out = { random: pick(tracks), baskets: pick(baskets) };
  db.close();
  return out;
}

const rssMiB = () => Number(fs.readFileSync('/proc/self/status', 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0) / 1024;

/** The child: builds one peer's graph over one space's groups and measures it. */
function measurePeer(dbPath: string, space: Space, peer: Peer): PeerResult {
  const dims = DIMS[space];
  const { ids, rows } = loadGroups(dbPath, space);
  const n = ids.length;
  const queries = queryRows(dbPath, space, ids);
  const vec = (row: number) => rows.subarray(row * dims, (row + 1) * dims);
  // Exact: the 10th best distance of each query (ties count as hits, as recallAt10 of vectors-ann.ts).
  const exact = new DotMatrix(n, dims);
  exact.rows.set(rows);
  const rowIds = Int32Array.from({ length: n }, (_, i) => i);
  const kth = (row: number) => {
    exact.query.set(vec(row));
    return 1 - ((topK(exact.dots(), rowIds, n, -1, 10)[9]?.similarity as number) ?? 1);
  };
  const kthRandom = queries.random.map(kth);
  const kthBaskets = queries.baskets.map(kth);
  const dist = (a: number, b: number) => {
    let dot = 0;
    for (let j = 0; j < dims; j++) dot += (rows[a * dims + j] as number) * (rows[b * dims + j] as number);
    return 1 - dot;
  };
  const s = ANN_SETTINGS[space];
  const global = globalThis as { gc?: () => void };
  global.gc?.();
  const before = rssMiB();
  const started = performance.now();
  let search: (row: number, k: number) => number[];
  let setWidth: (w: number) => void;
  if (peer === 'hnswlib') {
    const require = createRequire(import.meta.url);
    const { HierarchicalNSW } = require('hnswlib-node') as typeof import('hnswlib-node');
    const index = new HierarchicalNSW('cosine', dims);
    index.initIndex({ maxElements: n, m: s.connectivity, efConstruction: s.expansionAdd, randomSeed: 100 });
    for (let i = 0; i < n; i++) index.addPoint(Array.from(vec(i)), i);
    search = (row, k) => index.searchKnn(Array.from(vec(row)), k).neighbors;
    setWidth = (w) => index.setEf(w);
  } else {
    const quantization = peer === 'usearch-served' ? (s.quantization as ScalarKind) : ScalarKind.F32;
    // Inner product: the vectors are unit vectors, so 1 − dot is the cosine distance without the norms.
    const metric = peer === 'usearch-f32-ip' ? MetricKind.IP : MetricKind.Cos;
    let index = new Index({
      dimensions: dims,
      metric,
      quantization,
      connectivity: s.connectivity,
      expansion_add: s.expansionAdd,
      expansion_search: s.expansionSearch,
      multi: false,
    });
    index.add(
      BigUint64Array.from({ length: n }, (_, i) => BigInt(i)),
      rows,
      1,
    );
    const graph = index;
    search = (row, k) => Array.from(graph.search(vec(row), k, 1).keys, Number);
    // usearch fixes expansion_search at construction: one handle per width over a saved copy, as AnnIndex does (view()).
    const file = `${dbPath}.peers-${space}.usearch`;
    index.save(file);
    setWidth = (w) => {
      index = new Index({
        dimensions: dims,
        metric,
        quantization,
        connectivity: s.connectivity,
        expansion_add: s.expansionAdd,
        expansion_search: w,
        multi: false,
      });
      index.load(file);
      const handle = index;
      search = (row, k) => Array.from(handle.search(vec(row), k, 1).keys, Number);
    };
    process.on('exit', () => fs.rmSync(file, { force: true }));
  }
  const buildMs = performance.now() - started;
  global.gc?.();
  const addedRssMiB = rssMiB() - before;
  // Half, the served width, double (as the ANN rows of vectors-ann.ts).
  const widths = [s.expansionSearch / 2, s.expansionSearch, s.expansionSearch * 2];
  const result: PeerResult = {
    space,
    peer: peer === 'usearch-served' ? `usearch-${s.quantization}` : peer === 'usearch-f32-ip' ? 'usearch-f32, metric ip' : peer,
    groups: n,
    buildMs,
    addedRssMiB,
    rows: [],
  };
  for (const width of widths) {
    setWidth(width);
    const recall = (qs: number[], kths: number[], rerank: boolean) => {
      let hits = 0;
      qs.forEach((q, i) => {
        let found = search(q, rerank ? 10 + RERANK_EXTRA : 10);
        if (rerank) found = found.sort((a, b) => dist(q, a) - dist(q, b)).slice(0, 10);
        for (const r of found.slice(0, 10)) if (dist(q, r) <= (kths[i] as number) + 1e-5) hits++;
      });
      return hits / (10 * qs.length);
    };
    const all = [...queries.random, ...queries.baskets];
    let qi = 0;
    const t = measureSync(() => search(all[qi++ % all.length] as number, 10 + RERANK_EXTRA), { iterations: 2000, warmup: 50, maxMs: 10_000 });
    result.rows.push({
      width,
      p50: t.medianMs,
      p99: t.p99Ms,
      recallRandom: recall(queries.random, kthRandom, false),
      recallBaskets: recall(queries.baskets, kthBaskets, false),
      rerankRandom: recall(queries.random, kthRandom, true),
      rerankBaskets: recall(queries.baskets, kthBaskets, true),
    });
  }
  return result;
}

const args = process.argv.slice(2);
const dbPath = args[0];
// `--connectivity <n>`: both libraries build with this M instead of ANN_SETTINGS' (a setting under trial).
if (args.includes('--connectivity')) for (const s of Object.values(ANN_SETTINGS)) s.connectivity = Number(args[args.indexOf('--connectivity') + 1]);
if (!dbPath || !fs.existsSync(dbPath)) throw new Error('usage: vectors-ann-peers.ts <db> [--space audio …]');
const child = args.indexOf('--child');
if (child >= 0) {
  const [space, peer] = [args[child + 1] as Space, args[child + 2] as Peer];
  if (!isSpace(space) || !PEERS.includes(peer)) throw new Error(`--child <space> <peer>: ${space} ${peer}`);
  process.stdout.write(JSON.stringify(measurePeer(dbPath, space, peer)));
} else {
  const spaces = args.flatMap((a, i) => (args[i - 1] === '--space' && isSpace(a) ? [a] : [])) as Space[];
  const results: PeerResult[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const space of spaces.length ? spaces : SPACES)
    for (const peer of PEERS.filter((p) => !args.includes('--peer') || args.some((a, i) => args[i - 1] === '--peer' && a === p))) {
      console.error(`${new Date().toISOString().slice(11, 19)} ${space}: ${peer}`);
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, ...args, '--child', space, peer], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      results.push(JSON.parse(out) as PeerResult);
    }
  const s = (x: number) => x.toFixed(3);
  console.log(
    [
      `Database ${dbPath}; ${new Date().toISOString()}; node ${process.version}; graph KNN only (no SQLite), k = 10 (k + ${RERANK_EXTRA} for the re-rank column and the timing), one thread, the group vectors of 200 random tracks and 200 tracks with baskets as queries.`,
      '',
      table(
        ['space', 'library', 'groups', 'build, 1 thread', 'RSS added by the graph'],
        results.map((r) => [r.space, r.peer, r.groups, `${(r.buildMs / 1000).toFixed(1)} s`, `${r.addedRssMiB.toFixed(0)} MiB`]),
      ),
      '',
      table(
        ['space', 'library', 'ef', 'p50', 'p99', 'recall@10 random', 'with baskets', 'random, re-ranked', 'with baskets, re-ranked'],
        results.flatMap((r) =>
          r.rows.map((w) => [
            r.space,
            r.peer,
            w.width,
            fmtMs(w.p50),
            fmtMs(w.p99),
            s(w.recallRandom),
            s(w.recallBaskets),
            s(w.rerankRandom),
            s(w.rerankBaskets),
          ]),
        ),
      ),
    ].join('\n'),
  );
}
