// The graph search alone, for two or more usearch files or search widths, alternating on the same
// fresh random groups' unit vectors (k 40: what /similar?limit=10 asks of the graph), so that
// the host's speed, which moves 2× within an hour on this shared machine, cancels out of the
// ratio. Reads the unit file beside the database (src/vectors/ann/unit-file.ts) for queries.
//
//   nice -n -15 npx tsx bench/vectors-ann-graphs-ab.ts <db> <space> <file>:<metric>:<quantization>:<connectivity>:<ef> … [--queries 3000]
//
// e.g. `… /tmp/1m.sqlite audio /tmp/audio-m16.usearch:ip:f16:16:96 /tmp/1m.sqlite.audio.usearch:ip:f16:32:48`
import fs from 'node:fs';
import { seededRandom } from '../src/vectors/linalg.ts';
import { DIMS, isSpace } from '../src/vectors/spaces.ts';
import { viewGraph } from './ann-graph.ts';
import { exitWithUsageOnHelp } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const args = process.argv.slice(2);
const [dbPath, space] = args;
const specs = args.slice(2).filter((a) => a.includes(':'));
const queries = args.includes('--queries') ? Number(args[args.indexOf('--queries') + 1]) : 3000;
if (!dbPath || !space || !isSpace(space) || specs.length < 2)
  throw new Error('usage: vectors-ann-graphs-ab.ts <db> <space> <file>:<metric>:<quantization>:<connectivity>:<ef> <…another> [--queries n]');
const dims = DIMS[space];
const graphs = specs.map((spec) => {
  const [file, metric, quantization, connectivity, ef] = spec.split(':') as [string, string, string, string, string];
  const index = viewGraph({ file, metric, quantization, connectivity: Number(connectivity), ef: Number(ef) }, dims);
  return { label: `${file.split('/').pop()} (${metric}, ${quantization}, connectivity ${connectivity}, ef ${ef})`, index, times: [] as number[] };
});
const units = fs.openSync(`${dbPath}.${space}.units`, 'r');
const groups = fs.fstatSync(units).size / (dims * 4);
const random = seededRandom(777);
const next = () => {
  const v = new Float32Array(dims);
  fs.readSync(units, Buffer.from(v.buffer), 0, dims * 4, Math.floor(random() * groups) * dims * 4);
  return v;
};
const warm = 1000;
for (let r = 0; r < queries + warm; r++) {
  for (const g of r % 2 ? [...graphs].reverse() : graphs) {
    const q = next();
    const t0 = performance.now();
    g.index.search(q, 40, 1);
    if (r >= warm) g.times.push(performance.now() - t0);
  }
}
const quantile = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.floor(v.length * p)] as number;
const first = quantile(graphs[0]?.times ?? [], 0.5);
console.log(`${space}: graph search k 40, ${queries} fresh random groups each, alternating, ${new Date().toISOString()}`);
for (const g of graphs) {
  const us = (p: number) => `${(quantile(g.times, p) * 1000).toFixed(0)} µs`;
  console.log(`  ${g.label}: p50 ${us(0.5)}, p90 ${us(0.9)}, p99 ${us(0.99)} (${(quantile(g.times, 0.5) / first).toFixed(2)}× the first)`);
}
