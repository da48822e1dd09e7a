// Runs in a worker thread (plain JS, so it needs no TypeScript loader): builds one space's
// usearch file from its groups table and saves it to `out`. A thread of its own because the
// index being built (up to ~1 GB at 1M × 384) is native memory the garbage collector cannot
// see: when this thread exits it is freed at once, instead of whenever the caller's GC runs.
// Progress goes through shared memory (the caller waits synchronously), the result or the
// error through a message port the caller reads with receiveMessageOnPort.
import { workerData } from 'node:worker_threads';

const { dbPath, table, dims, settings, out, threads, batch, port, progress: progressBuf } = workerData;
const progress = new Int32Array(progressBuf);

try {
  // Imported here, so that a module that fails to load is reported like any other error.
  const { default: Database } = await import('better-sqlite3');
  const { default: usearch } = await import('usearch');
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const total = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
  Atomics.store(progress, 1, total);
  const index = new usearch.Index({
    dimensions: dims,
    metric: settings.metric ?? 'cos',
    quantization: settings.quantization,
    connectivity: settings.connectivity,
    expansion_add: settings.expansionAdd,
    expansion_search: settings.expansionSearch,
    multi: false,
  });
  const keys = new BigUint64Array(batch);
  const vectors = new Float32Array(batch * dims);
  let n = 0;
  let done = 0;
  let maxGroup = 0;
  const flush = () => {
    if (n === 0) return;
    index.add(keys.subarray(0, n), vectors.subarray(0, n * dims), threads);
    done += n;
    n = 0;
    Atomics.store(progress, 0, done);
    Atomics.notify(progress, 0);
  };
  // The groups are read a batch at a time, each batch its own short read transaction: one
  // statement iterated for the whole build (11–30 min at 1M) held a snapshot that no checkpoint
  // could pass, and the server's writes meanwhile grew the WAL without bound (14 GB in one
  // session, every page read then probing its index). Reading in pieces is safe: group ids only
  // grow and a group's vector never changes, so a group added meanwhile is simply in the file
  // or, after maxGroup, in the server's in-memory graph (ann-index.ts).
  const page = db.prepare(`SELECT group_id, unit FROM ${table} WHERE group_id > ? ORDER BY group_id LIMIT ?`).raw(true);
  for (let rows = page.all(0, batch); rows.length > 0; rows = page.all(maxGroup, batch)) {
    for (const [group, unit] of rows) {
      // A Float32Array view needs 4-byte alignment; a copy otherwise.
      const v = unit.byteOffset % 4 === 0 ? new Float32Array(unit.buffer, unit.byteOffset, dims) : new Float32Array(new Uint8Array(unit).buffer);
      maxGroup = group;
      // A zero vector has no direction: cosine to it is undefined, and no query can find it.
      if (!v.some((x) => x !== 0)) continue;
      keys[n] = BigInt(group);
      vectors.set(v, n * dims);
      n++;
      if (n === batch) flush();
    }
  }
  flush();
  db.close();
  index.save(out);
  port.postMessage({ ok: true, count: index.size(), maxGroup, total });
} catch (err) {
  port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
Atomics.store(progress, 2, 1);
Atomics.notify(progress, 0);
