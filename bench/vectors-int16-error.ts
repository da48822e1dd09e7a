// `npx tsx bench/vectors-int16-error.ts [db] [--queries N]`
//
// What keeping the in-memory copy of the vectors as int16 (snapshot.ts) costs against the f32
// copy it replaced, on a real catalog: every track's unit vectors in both forms, N query tracks
// (evenly spaced by id, default 1,000), each scanned against the whole catalog by both
// kernels of dot-kernel.wat, per space:
// - the similarities: largest and mean |int16 − f32| over every (query, track) pair, next to the
//   bound the rounding allows (the two rows' largest `Int16DotMatrix.directionError`s added);
// - the lists: of the f32 scan's top 10 and top 50 (ties by id, the query left out), the share of
//   places where the int16 scan has the same track, and the share of the same tracks anywhere;
// - the scan time of each kernel (median over the queries, in this process).
// Prints one table. The default database is the one `npm start` serves (data/chinook.sqlite).
import { exitWithUsageOnHelp } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const { loadConfig } = await import('../src/config.ts');
const { openPrimary } = await import('../src/db/index.ts');
const { DotMatrix, Int16DotMatrix } = await import('../src/vectors/dot-kernel.ts');
const { topK } = await import('../src/vectors/snapshot.ts');
const { COLUMN, DIMS, SPACES } = await import('../src/vectors/spaces.ts');
const { fromBlob } = await import('../src/vectors/store.ts');

const args = process.argv.slice(2);
const dbArg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--queries');
const queriesArg = args.includes('--queries') ? Number(args[args.indexOf('--queries') + 1]) : 1000;
const config = loadConfig(dbArg ? { dbPath: dbArg } : {});
const db = openPrimary(config, { readonly: true });
const rows = db
  .prepare(`SELECT track_id, ${SPACES.map((s) => COLUMN[s]).join(', ')} FROM track_vectors ORDER BY track_id`)
  .raw(true)
  .all() as [number, ...Buffer[]][];
if (rows.length === 0) throw new Error(`${config.dbPath} has no vectors: run npm start (or chinook vectors build) first`);
const ids = Int32Array.from(rows.map((r) => r[0]));
const queryCount = Math.min(queriesArg, ids.length);
const queries = Array.from({ length: queryCount }, (_, i) => Math.floor((i * ids.length) / queryCount));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const lines: string[] = [];
for (const [si, space] of SPACES.entries()) {
  const d = DIMS[space];
  const f32 = new DotMatrix(rows.length, d);
  const i16 = new Int16DotMatrix(rows.length, d);
  let maxBound = 0;
  rows.forEach((r, row) => {
    const v = fromBlob(r[si + 1] as Buffer);
    const norm = Math.hypot(...v);
    const unit = v.map((x) => (norm === 0 ? 0 : x / norm));
    f32.rows.set(unit, row * d);
    i16.setRow(row, unit);
    maxBound = Math.max(maxBound, Int16DotMatrix.directionError(unit));
  });
  let maxErr = 0;
  let sumErr = 0;
  let pairs = 0;
  const same = { top10: 0, top50: 0, set10: 0, set50: 0 };
  const tF32: number[] = [];
  const tI16: number[] = [];
  for (const q of queries) {
    f32.query.set(f32.rows.subarray(q * d, (q + 1) * d));
    let t = performance.now();
    const exact = f32.dots().slice();
    tF32.push(performance.now() - t);
    i16.rowInto(q, i16.query);
    t = performance.now();
    const approx = i16.dots().slice();
    tI16.push(performance.now() - t);
    for (let r = 0; r < rows.length; r++) {
      const e = Math.abs((approx[r] as number) - (exact[r] as number));
      if (e > maxErr) maxErr = e;
      sumErr += e;
      pairs++;
    }
    for (const k of [10, 50] as const) {
      const want = topK(exact, ids, rows.length, q, k).map((n) => n.id);
      const got = topK(approx, ids, rows.length, q, k).map((n) => n.id);
      same[`top${k}`] += got.filter((id, i) => want[i] === id).length / k;
      same[`set${k}`] += got.filter((id) => want.includes(id)).length / k;
    }
  }
  const n = queries.length;
  const pct = (x: number) => `${((100 * x) / n).toFixed(2)} %`;
  lines.push(
    `| ${space} (${d}) | ${maxErr.toExponential(1)} | ${(sumErr / pairs).toExponential(1)} | ${(2 * maxBound).toExponential(1)} | ${pct(same.top10)} / ${pct(same.set10)} | ${pct(same.top50)} / ${pct(same.set50)} | ${median(tF32).toFixed(3)} ms | ${median(tI16).toFixed(3)} ms |`,
  );
}
console.log(`${config.dbPath}: ${rows.length} tracks, ${queries.length} query tracks\n`);
console.log(
  '| space | max abs error | mean abs error | bound | top 10: same place / same tracks | top 50: same place / same tracks | f32 scan (median) | int16 scan (median) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const l of lines) console.log(l);
db.close();
