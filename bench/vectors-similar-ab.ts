// Same-run A/B of the uncached /similar path: another checkout's code (before: e.g. a worktree
// of main) over its own copy of the database (with the index files that code serves), this
// checkout's code over the original, called alternately for the same random tracks; each call
// after deleting that source's cached rows and draining the write queue, untimed. Reports
// p50/p99 per space and whether the replies are the same ids in the same order.
//
//   git worktree add --detach /tmp/base main && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   nice -n 19 npx tsx bench/vectors-similar-ab.ts <db> <db copy for before> /tmp/base [n] [spaces] [seed]
import { openPrimary as openNew } from '../src/db/connection.ts';
import { WriteQueue as WQNew } from '../src/db/index.ts';
import { seededRandom } from '../src/vectors/linalg.ts';
import { SimilarityService as SNew } from '../src/vectors/service.ts';
import { exitWithUsageOnHelp } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const base = process.argv[4];
if (!base) throw new Error('usage: vectors-similar-ab.ts <db> <db copy for before> <checkout of before> [n] [spaces] [seed]');
const { openPrimary: openOld } = await import(`${base}/src/db/connection.ts`);
const { WriteQueue: WQOld } = await import(`${base}/src/db/index.ts`);
const { SimilarityService: SOld } = await import(`${base}/src/vectors/service.ts`);
const [newPath, oldPath] = [process.argv[2] as string, process.argv[3] as string];
const n = Number(process.argv[5] ?? 300);
const spaces = (process.argv[6] ?? 'audio,lyric').split(',');
const cfg = (dbPath: string) => ({ dbPath, pageSize: 32768, cacheSizeKiB: 131072, mmapSize: 536870912, busyTimeoutMs: 10000, walAutocheckpoint: 2000 });
const sides = [
  { name: 'before (main)', db: openOld(cfg(oldPath), { skipMigrations: true }), S: SOld, WQ: WQOld },
  { name: 'after (ann2)', db: openNew(cfg(newPath), { skipMigrations: true }), S: SNew, WQ: WQNew },
].map((s) => {
  const service = new s.S(s.db, { vectorMemoryBytes: 0 });
  const writes = new s.WQ(s.db);
  service.storeNeighboursWith(writes);
  return { ...s, service, writes, del: s.db.prepare('DELETE FROM vector_similarity_cache WHERE source_track_id = ? AND similarity_type = ?') };
});
const ids = sides[1]!.db.prepare('SELECT track_id FROM track_vectors ORDER BY track_id').pluck().all() as number[];
const rand = seededRandom(Number(process.argv[7] ?? 99));
const queries = Array.from({ length: n }, () => ids[Math.floor(rand() * ids.length)] as number);
let same = 0;
let maxDiff = 0;
let compared = 0;
for (const space of spaces) {
  const samples = sides.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    const id = queries[i] as number;
    const replies: string[] = [];
    const sims: number[][] = [];
    for (const [k, s] of i % 2 ? [...sides.entries()].reverse() : [...sides.entries()]) {
      await s.writes.drain();
      s.del.run(id, space);
      const t0 = performance.now();
      const r = s.service.similar(id, space, 10);
      samples[k]!.push(performance.now() - t0);
      replies[k] = JSON.stringify(r.items.map((x: { id: number }) => x.id));
      sims[k] = r.items.map((x: { similarity: number }) => x.similarity);
    }
    compared++;
    if (replies[0] === replies[1]) {
      same++;
      sims[0]!.forEach((x, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(x - (sims[1]![j] as number)));
      });
    }
  }
  const q = (a: number[], p: number) => {
    const s = [...a].sort((x, y) => x - y);
    return s[Math.floor(p * (s.length - 1))] as number;
  };
  const [b, a] = samples as [number[], number[]];
  console.log(
    `${space}: before p50 ${q(b, 0.5).toFixed(3)} ms p99 ${q(b, 0.99).toFixed(2)} | after p50 ${q(a, 0.5).toFixed(3)} ms p99 ${q(a, 0.99).toFixed(2)} | p50 ratio ${(q(b, 0.5) / q(a, 0.5)).toFixed(2)}×`,
  );
}
console.log(`identical replies (same ids in the same order): ${same}/${compared}; largest similarity difference among them ${maxDiff.toExponential(1)}`);
for (const s of sides) {
  await s.writes.close();
  s.db.close();
}
