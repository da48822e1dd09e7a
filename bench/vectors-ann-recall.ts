// Recall@10 of one usearch graph file, served or not, at several search widths, on seeded
// random tracks and tracks with baskets (playlists or invoices), the way AnnIndex serves a query
// by track: the candidates /similar?limit=10 asks (k 30, up to 10 more within the search width:
// candidatesFor in ann-index.ts; `--candidates n` to set them), the track's own group added, every
// candidate re-scored exactly from the unit file, and a second search 4× wider when the graph
// did not return the track's own group (`RETRY_WIDTH`, ann-index.ts). It reports recall with
// and without that retry, how often the own group was missing, and the search time (noisy on a
// shared host: compare graph speed with bench/vectors-ann-graphs-ab.ts). Recall is tie-aware: a
// returned track counts when its exact distance is within the exact 10th nearest's.
//
// It exists to compare files built with other settings (.tmp builds beside the served one) on
// the same tracks without swapping files in; the served file through AnnIndex itself is what
// bench/vectors-ann-existing.ts measures.
//
//   nice npx tsx bench/vectors-ann-recall.ts <db> <space> <file>:<metric>:<quantization>:<connectivity> --ef 30,48 [--candidates n] [--queries 1000] [--seed 4242]
import fs from 'node:fs';
import type { Index } from 'usearch';
import { openPrimary } from '../src/db/connection.ts';
import { candidatesFor } from '../src/vectors/ann/ann-index.ts';
import { DotMatrix } from '../src/vectors/dot-kernel.ts';
import { seededRandom } from '../src/vectors/linalg.ts';
import { topK } from '../src/vectors/snapshot.ts';
import { COLUMN, DIMS, isSpace } from '../src/vectors/spaces.ts';
import { fromBlob, VectorStore } from '../src/vectors/store.ts';
import { viewGraph } from './ann-graph.ts';
import { exitWithUsageOnHelp } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const args = process.argv.slice(2);
const [dbPath, space, spec] = args;
const flag = (name: string, fallback: string) => (args.includes(name) ? (args[args.indexOf(name) + 1] as string) : fallback);
if (!dbPath || !space || !isSpace(space) || !spec?.includes(':'))
  throw new Error(
    'usage: vectors-ann-recall.ts <db> <space> <file>:<metric>:<quantization>:<connectivity> --ef 30,48 [--candidates n] [--queries n] [--seed n]',
  );
const [file, metric, quantization, connectivity] = spec.split(':') as [string, string, string, string];
const widths = flag('--ef', '64').split(',').map(Number);
const n = Number(flag('--queries', '1000'));
const candidatesArg = flag('--candidates', '');
/** As served (k 30 for /similar?limit=10) unless `--candidates` says otherwise. */
const candidatesAt = (ef: number) => (candidatesArg ? Number(candidatesArg) : candidatesFor(30, ef));
let CANDIDATES = 0;
const RETRY_WIDTH = 4;

const db = openPrimary(
  { dbPath, pageSize: 32768, cacheSizeKiB: 131072, mmapSize: 536870912, busyTimeoutMs: 10000, walAutocheckpoint: 2000 },
  { skipMigrations: true },
);
const groups = new VectorStore(db).index(space)?.groups;
if (!groups) throw new Error(`${space} has no groups in ${dbPath}`);
const ids = db.prepare('SELECT track_id FROM track_vectors ORDER BY track_id').pluck().all() as number[];
const basketIds = db
  .prepare('SELECT DISTINCT track_id FROM (SELECT track_id FROM chinook_playlist_track UNION ALL SELECT track_id FROM chinook_invoice_lines) ORDER BY track_id')
  .pluck()
  .all() as number[];
const random = seededRandom(Number(flag('--seed', '4242')));
const pick = (from: number[]) => Array.from({ length: n }, () => from[Math.floor(random() * from.length)] as number);
const sets = [
  ['random', pick(ids)],
  ['with baskets', pick(basketIds)],
] as const;

// The exact answer: every track's vector in memory, scored by the SIMD kernel.
const dims = DIMS[space];
const simd = new DotMatrix(ids.length, dims);
const rowIds = new Int32Array(ids.length);
let row = 0;
for (const [id, v] of db.prepare(`SELECT track_id, ${COLUMN[space]} FROM track_vectors ORDER BY track_id`).raw(true).iterate() as Iterable<[number, Buffer]>) {
  rowIds[row] = id;
  const f = fromBlob(v);
  const norm = Math.hypot(...f) || 1;
  for (let j = 0; j < dims; j++) simd.rows[row * dims + j] = (f[j] as number) / norm;
  row++;
}
const unitFd = fs.openSync(`${dbPath}.${space}.units`, 'r');
const unit = (g: number) => {
  const v = new Float32Array(dims);
  fs.readSync(unitFd, Buffer.from(v.buffer), 0, dims * 4, (g - 1) * dims * 4);
  return v;
};
const members = db.prepare(`SELECT count(*) FROM track_vector_members_${space} WHERE group_id = ?`).pluck();
const graph = (ef: number) => viewGraph({ file, metric, quantization, connectivity: Number(connectivity), ef }, dims);
/** The graph's candidates and the own group, re-scored exactly, best first; and whether the graph returned the own group. */
const served = (index: Index, q: Float32Array, own: number, ask: number) => {
  const found = new Set([...index.search(q, ask, 1).keys].map(Number).slice(0, CANDIDATES));
  const ownFound = found.has(own);
  found.add(own);
  const ranked = [...found]
    .map((g) => {
      const v = unit(g);
      let dot = 0;
      for (let j = 0; j < dims; j++) dot += (q[j] as number) * (v[j] as number);
      return [g, 1 - dot] as const;
    })
    .sort((a, b) => a[1] - b[1]);
  return { ownFound, ranked };
};
/** Of the first 10 tracks the ranked groups expand to, how many are within the exact 10th nearest's distance. */
const hits = (ranked: (readonly [number, number])[], kth: number) => {
  let hit = 0;
  let taken = 0;
  for (const [g, d] of ranked) {
    const t = Math.min(members.get(g) as number, 10 - taken);
    if (d <= kth + 1e-5) hit += t;
    taken += t;
    if (taken >= 10) break;
  }
  return hit;
};

const truths = sets.map(([, tracks]) =>
  tracks.map((id) => {
    simd.query.set(unit(groups.groupOf(id) as number));
    return 1 - (topK(simd.dots(), rowIds, rowIds.length, -1, 10)[9] as { similarity: number }).similarity;
  }),
);
console.log(`${space}, ${file} (${metric}, ${quantization}, connectivity ${connectivity}), ${n} + ${n} tracks, ${new Date().toISOString()}`);
for (const ef of widths) {
  CANDIDATES = candidatesAt(ef);
  const base = graph(ef);
  const wide = graph(ef * RETRY_WIDTH);
  for (const [s, [kind, tracks]] of sets.entries()) {
    let plain = 0;
    let retried = 0;
    let missing = 0;
    let ms = 0;
    tracks.forEach((id, i) => {
      const g = groups.groupOf(id) as number;
      const q = unit(g);
      const kth = truths[s]?.[i] as number;
      const t0 = performance.now();
      const first = served(base, q, g, CANDIDATES);
      const second = first.ownFound ? first : served(wide, q, g, CANDIDATES);
      ms += performance.now() - t0;
      const h = hits(first.ranked, kth);
      plain += h;
      retried += first.ownFound ? h : hits(second.ranked, kth);
      if (!first.ownFound) missing++;
    });
    console.log(
      `  ef ${ef}, ${CANDIDATES} candidates, ${kind}: recall@10 ${(retried / 10 / n).toFixed(3)} with the retry, ${(plain / 10 / n).toFixed(3)} without; own group missing in ${missing} of ${n}; ${(ms / n).toFixed(3)} ms a query`,
    );
  }
}
