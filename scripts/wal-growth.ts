// How large the WAL grows under sustained writes with readers, and what it shrinks to when
// the writes pause. Used to state the WAL bound in docs/operations.md.
//
//   nice -n 10 npx tsx scripts/wal-growth.ts [seconds=30] [readers=2] [writers=100] [limits=64,65536]
//
// Each WAL limit (CHINOOK_WAL_LIMIT_MIB) gets a fresh database, run in turn A B A B so the
// host's noise falls on both; 65536 MiB is "no limit" (the checkpointer never restarts the WAL,
// as before the limit existed), the same-run baseline for write throughput.
//
// In process: the real context (write queue + checkpointer thread) takes plays from
// `writers` async loops while `readers` worker threads, each with its own connection, run
// read transactions back to back (a sales aggregation, ~10 ms, and short point reads), as
// HTTP workers would. The WAL file's size is sampled every 50 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { openPrimary } from '../src/db/connection.ts';
import { importOfficial } from '../src/importer/official.ts';
import { sharedDatasetPath } from '../src/importer/source.ts';

const seconds = Number(process.argv[2] ?? 30);
const readers = Number(process.argv[3] ?? 2);
const writers = Number(process.argv[4] ?? 100);
const limits = (process.argv[5] ?? '64,65536').split(',').map(Number);
const MiB = 1024 * 1024;

for (const round of [1, 2]) for (const limit of limits) console.log(JSON.stringify({ round, walLimitMiB: limit, ...(await run(limit)) }, null, 2));

async function run(walLimitMiB: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-wal-'));
  const config = loadConfig({ dbPath: path.join(dir, 'wal.sqlite'), logLevel: 'silent', cachePreload: false, cacheCleanupMs: 0, walLimitMiB }, {});
  const db = openPrimary(config);
  importOfficial(db, process.env.CHINOOK_SOURCE ?? sharedDatasetPath);
  const ctx = createContext(config, db);
  const walFile = `${config.dbPath}-wal`;
  const walBytes = () => {
    try {
      return fs.statSync(walFile).size;
    } catch {
      return 0;
    }
  };

  const readerCode = `
  const { workerData, parentPort } = require('node:worker_threads');
  const Database = require(workerData.module);
  const db = new Database(workerData.dbPath, { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const report = db.prepare('SELECT c.country, sum(l.unit_price * l.quantity) FROM chinook_invoice_lines l JOIN chinook_invoices i ON i.id = l.invoice_id JOIN chinook_customers c ON c.id = i.customer_id GROUP BY c.country');
  const recent = db.prepare('SELECT count(*) FROM plays WHERE id > (SELECT ifnull(max(id), 0) - 100 FROM plays)');
  let stop = false, reads = 0;
  parentPort.on('message', () => { stop = true; });
  (function loop() {
    if (stop) { parentPort.postMessage(reads); db.close(); return; }
    for (let i = 0; i < 20; i++) { report.all(); recent.get(); reads += 2; }
    setImmediate(loop);
  })();
`;
  const requireFrom = path.join(process.cwd(), 'node_modules', 'better-sqlite3');
  const threads = Array.from({ length: readers }, () => new Worker(readerCode, { eval: true, workerData: { dbPath: config.dbPath, module: requireFrom } }));

  const userIds = await ctx.writes.run((w) => {
    const insert = w.prepare("INSERT INTO users (email, password_hash, display_name, role) VALUES (?, 'x', ?, 'customer')");
    return Array.from({ length: writers }, (_, i) => Number(insert.run(`wal${i}@example.com`, `Wal ${i}`).lastInsertRowid));
  });

  let maxWal = 0;
  const samples: number[] = [];
  const sampler = setInterval(() => {
    const size = walBytes();
    samples.push(size);
    maxWal = Math.max(maxWal, size);
  }, 50);

  const started = performance.now();
  const end = started + seconds * 1000;
  let acked = 0;
  let failed = 0;
  await Promise.all(
    userIds.map(async (userId, i) => {
      let track = 1 + i;
      while (performance.now() < end) {
        try {
          track = (track % 3503) + 1;
          await ctx.store.plays.record(userId, track, 30_000);
          acked++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const writeSeconds = (performance.now() - started) / 1000;
  const atStop = walBytes();
  const pause: { afterMs: number; bytes: number }[] = [];
  for (const ms of [250, 500, 1000, 2000, 4000]) {
    await new Promise((r) => setTimeout(r, ms - (pause.at(-1)?.afterMs ?? 0)));
    pause.push({ afterMs: ms, bytes: walBytes() });
  }
  clearInterval(sampler);
  const reads = await Promise.all(
    threads.map((t) => {
      const done = new Promise<number>((r) => t.once('message', r));
      t.postMessage('stop');
      return done;
    }),
  );
  await Promise.all(threads.map((t) => t.terminate()));
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const checkpoints = ctx.writes.stats();
  const result = {
    seconds: Number(writeSeconds.toFixed(1)),
    writers,
    readers,
    playsPerSecond: Math.round(acked / writeSeconds),
    failed,
    readsPerSecond: Math.round(reads.reduce((a, b) => a + b, 0) / writeSeconds),
    walMiB: { p50: +(q(50) / MiB).toFixed(1), p99: +(q(99) / MiB).toFixed(1), max: +(maxWal / MiB).toFixed(1), atStop: +(atStop / MiB).toFixed(1) },
    afterPause: pause.map((p) => `${p.afterMs} ms: ${(p.bytes / MiB).toFixed(1)} MiB`),
    dbMiB: +(fs.statSync(config.dbPath).size / MiB).toFixed(1),
    meanBatch: +checkpoints.meanBatchSize.toFixed(1),
  };
  await ctx.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}
