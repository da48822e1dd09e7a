// Runs in a worker thread (plain JS so it needs no loader): checkpoints the WAL on the other
// core, so the writer's COMMIT never pays for copying 64 MB of pages into the database file.
//
// PASSIVE (every tick) never waits for readers or writers; what it cannot copy now it copies
// next time. But PASSIVE never makes the WAL start over: under sustained writes with readers
// some reader always holds a snapshot inside the WAL, the writer keeps appending, and the file
// grew to 1.3 GB in 30 s (100 writers, 2 reader threads; scripts/wal-growth.ts). So:
// - past `maxWalBytes` of frames: RESTART, which waits (up to `waitMs`, holding new writers
//   back) for readers to leave the WAL, so the next writer starts again at its beginning and
//   journal_size_limit trims the file to the limit at that writer's commit;
// - when writes pause (no new frame for a tick) and everything is copied: TRUNCATE, which
//   gives the disk back (WAL file to 0 bytes).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('wal_autocheckpoint = 0');
const pageSize = db.pragma('page_size', { simple: true });
const maxFrames = Math.max(1, Math.floor(workerData.maxWalBytes / pageSize));

// lastAt / lastLog: when a run last copied pages into the database file, and the WAL's size in pages then.
const totals = { runs: 0, pages: 0, busy: 0, restarts: 0, truncates: 0, walFrames: 0, lagFrames: 0, lastAt: null, lastLog: 0 };
let lastLog = -1;

/** RESTART or TRUNCATE with a short wait for readers; false if they did not leave in time. */
const startOver = (mode) => {
  db.pragma(`busy_timeout = ${workerData.waitMs}`);
  try {
    const [r] = db.pragma(`wal_checkpoint(${mode})`);
    if (r.busy) return false;
    totals.pages += Math.max(0, r.checkpointed);
    return true;
  } finally {
    db.pragma('busy_timeout = 0');
  }
};

const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    totals.runs++;
    if (r.busy) totals.busy++;
    totals.pages += Math.max(0, r.checkpointed);
    if (r.checkpointed > 0) {
      totals.lastAt = new Date().toISOString();
      totals.lastLog = r.log;
    }
    totals.walFrames = Math.max(0, r.log);
    totals.lagFrames = Math.max(0, r.log - r.checkpointed);
    if (r.log > 0 && r.log === lastLog && r.checkpointed === r.log) {
      if (startOver('TRUNCATE')) {
        totals.truncates++;
        totals.walFrames = 0;
      } else totals.busy++;
    } else if (r.log > maxFrames) {
      if (startOver('RESTART')) totals.restarts++;
      else totals.busy++;
    }
    lastLog = totals.walFrames === 0 ? 0 : r.log;
  } catch {
    totals.busy++; // another process is checkpointing, the file is locked, or storage failed: next tick
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ ...totals, pageSize });
  if (m === 'stop') {
    clearInterval(timer);
    tick();
    db.close();
    parentPort.close();
  }
});
