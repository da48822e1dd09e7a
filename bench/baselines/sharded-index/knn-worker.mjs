// Runs in a worker thread (plain JS so it needs no loader): the second core's half of a
// sharded KNN over a vector index table. The caller stays synchronous: it posts the query into
// shared memory, scans its own shards, then waits (Atomics.wait) for ours. This thread blocks
// in Atomics.wait between queries and never returns to its event loop.
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { BYTES, K, OP, READY, RESULTS, SHARD_COUNT, SHARD_FROM, SHARD_STEP, SPACE, STATE } from './knn-protocol.mjs';

const { dbPath, ctrl: ctrlBuf, query: queryBuf, ids: idsBuf, dists: distsBuf, tables } = workerData;
const ctrl = new Int32Array(ctrlBuf);
const query = new Uint8Array(queryBuf);
const ids = new Float64Array(idsBuf);
const dists = new Float64Array(distsBuf);

const db = new Database(dbPath, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma(`mmap_size = ${workerData.mmapSize}`);
db.pragma(`cache_size = -${workerData.cacheSizeKiB}`);
sqliteVec.load(db);
const stmts = new Map();
const stmt = (space, op) => {
  const key = `${space}:${op}`;
  let s = stmts.get(key);
  if (!s) {
    const table = tables[space];
    s =
      op === 1
        ? db.prepare(`SELECT group_id, distance FROM ${table} WHERE unit MATCH ? AND k = ? AND shard = ?`)
        : db.prepare(`SELECT group_id, distance FROM ${table} WHERE bits MATCH vec_bit(?) AND k = ? AND shard = ?`);
    s.raw(true);
    stmts.set(key, s);
  }
  return s;
};

Atomics.store(ctrl, READY, 1);
for (;;) {
  Atomics.wait(ctrl, STATE, 0);
  const state = Atomics.load(ctrl, STATE);
  if (state === 9) break;
  if (state !== 1) continue;
  try {
    const space = ctrl[SPACE];
    // slice() copies out of shared memory into a buffer of its own for the binding.
    const blob = Buffer.from(query.slice(0, ctrl[BYTES]).buffer);
    const s = stmt(space, ctrl[OP]);
    let n = 0;
    for (let shard = ctrl[SHARD_FROM]; shard < ctrl[SHARD_COUNT]; shard += ctrl[SHARD_STEP]) {
      for (const [id, d] of s.iterate(blob, ctrl[K], shard)) {
        ids[n] = Number(id);
        dists[n] = d;
        n++;
      }
    }
    ctrl[RESULTS] = n;
    Atomics.store(ctrl, STATE, 2);
  } catch {
    Atomics.store(ctrl, STATE, 3);
  }
  Atomics.notify(ctrl, STATE);
}
db.close();
