// Runs in a worker thread (plain JS so it needs no loader): checkpoints the WAL on the other
// core, so the writer's COMMIT never pays for copying 64 MB of pages into the database file.
// PASSIVE never waits for readers or writers; what it cannot copy now it copies next time.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('wal_autocheckpoint = 0');

let runs = 0;
let pages = 0;
let busy = 0;
// When the last run copied pages into the database file, and the WAL's size in pages then.
let lastAt = null;
let lastLog = 0;
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    runs++;
    if (r.busy) busy++;
    pages += Math.max(0, r.checkpointed);
    if (r.checkpointed > 0) {
      lastAt = new Date().toISOString();
      lastLog = r.log;
    }
  } catch {
    busy++; // another process is checkpointing or the file is locked: next tick
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ runs, pages, busy, lastAt, lastLog });
  if (m === 'stop') {
    clearInterval(timer);
    tick();
    db.close();
    parentPort.close();
  }
});
