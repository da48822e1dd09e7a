// Online backup of a live file under write load: SQLite's backup API (page by page, stepped
// or in one step) against VACUUM INTO. Chose the method `chinook backup` uses (docs/operations.md).
//
//   nice -n 10 npx tsx scripts/backup-compare.ts FILE [seconds-limit=120]
//
// A worker thread commits 100 plays every 5 ms on its own connection while each backup runs
// (in process, one connection for the backup, as the CLI does beside a running server).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

const source = process.argv[2];
const limitMs = Number(process.argv[3] ?? 120) * 1000;
if (!source) throw new Error('usage: backup-compare.ts FILE [seconds-limit]');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-backup-cmp-'));
const MiB = 2 ** 20;

const writerCode = `
  const { workerData, parentPort } = require('node:worker_threads');
  const Database = require(workerData.module);
  const db = new Database(workerData.dbPath, { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare('INSERT INTO plays (user_id, track_id, ms_played) VALUES (NULL, ?, 1000)');
  const batch = db.transaction(() => { for (let i = 0; i < 100; i++) insert.run(1 + ((Math.random() * 3000) | 0)); });
  let stop = false, commits = 0;
  parentPort.on('message', () => { stop = true; });
  (function loop() {
    if (stop) { parentPort.postMessage(commits); db.close(); return; }
    batch(); commits++;
    setTimeout(loop, 5);
  })();
`;

async function underLoad<T>(fn: () => Promise<T>): Promise<{ result: T | string; ms: number; commits: number }> {
  const writer = new Worker(writerCode, { eval: true, workerData: { dbPath: source, module: path.join(process.cwd(), 'node_modules', 'better-sqlite3') } });
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  let result: T | string;
  try {
    result = await Promise.race([fn(), new Promise<string>((r) => setTimeout(() => r(`not finished after ${limitMs / 1000} s`), limitMs).unref())]);
  } catch (err) {
    result = `failed: ${(err as Error).message}`;
  }
  const ms = performance.now() - t0;
  const commits = await new Promise<number>((r) => {
    writer.once('message', r);
    writer.postMessage('stop');
  });
  await writer.terminate();
  return { result, ms, commits };
}

const check = (file: string) => {
  const db = new Database(file, { readonly: true });
  const r = {
    quickCheck: db.pragma('quick_check', { simple: true }),
    plays: db.prepare('SELECT count(*) FROM plays').pluck().get(),
    mib: +(fs.statSync(file).size / MiB).toFixed(1),
  };
  db.close();
  return r;
};

const db = new Database(source);
db.pragma('busy_timeout = 10000');
console.log(`source ${source}: ${(fs.statSync(source).size / MiB).toFixed(1)} MiB`);
const runs: [string, (dest: string) => Promise<unknown>][] = [
  [
    'backup API, 100 pages a step (better-sqlite3 default)',
    async (dest) => {
      let steps = 0;
      await db.backup(dest, {
        progress: () => {
          steps++;
          return 100;
        },
      });
      return { steps };
    },
  ],
  ['backup API, one step', async (dest) => db.backup(dest, { progress: () => 0x7fffffff })],
  ['VACUUM INTO', async (dest) => db.prepare('VACUUM INTO ?').run(dest)],
];
for (const round of [1, 2]) {
  for (const [name, run] of runs) {
    const dest = path.join(dir, `${name.replace(/\W+/g, '-')}-${round}.sqlite`);
    const r = await underLoad(() => run(dest));
    const copy = typeof r.result === 'string' ? null : check(dest);
    console.log(JSON.stringify({ round, method: name, seconds: +(r.ms / 1000).toFixed(2), writerCommits: r.commits, result: r.result, copy }));
    fs.rmSync(dest, { force: true });
  }
}
db.close();
fs.rmSync(dir, { recursive: true, force: true });
