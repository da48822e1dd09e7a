// Copies a live primary into a new file on a worker thread, so the caller's thread keeps
// serving (or drawing a progress bar) meanwhile. See backup.ts for why one step.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.source, { readonly: true, fileMustExist: true });
try {
  db.pragma(`busy_timeout = ${workerData.busyTimeoutMs}`);
  const pageSize = db.pragma('page_size', { simple: true });
  // All pages in one step: one read transaction, one snapshot. Stepped copies restart from
  // the first page whenever another connection commits in between (scripts/backup-compare.ts).
  const result = await db.backup(workerData.dest, { progress: () => 0x7fffffff });
  // The copy carries the source's WAL flag; a backup is one self-contained file, so it goes
  // back to a rollback journal (a restored file is switched to WAL again when it is opened).
  const copy = new Database(workerData.dest, { fileMustExist: true });
  copy.pragma('journal_mode = DELETE');
  copy.close();
  parentPort.postMessage({ pages: result.totalPages, pageSize });
} catch (err) {
  parentPort.postMessage({ error: { message: err.message, code: err.code } });
} finally {
  db.close();
}
