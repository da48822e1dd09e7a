// The start-up check (quick_check) runs in a worker thread of the serving process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { checkIntegrity } from '../../src/db/integrity.ts';
import { unaccountedPages } from '../../src/db/page-accounting.mjs';
import { importedDb } from '../helpers.ts';

interface Reply {
  problems: string[];
  reading: { cacheSize: number; mmapSize: number };
}

function runWorker(dbPath: string, mode: 'quick' | 'full'): Promise<Reply> {
  const worker = new Worker(new URL('../../src/db/integrity-worker.mjs', import.meta.url), {
    workerData: { dbPath, mode, maxProblems: 10, busyTimeoutMs: 1000 },
  });
  return new Promise<Reply>((resolve, reject) => {
    worker.on('message', (m: Partial<Reply>) => m.problems && resolve(m as Reply));
    worker.once('error', reject);
  }).finally(() => worker.terminate());
}

describe('the integrity check', () => {
  const { config, db } = importedDb();
  db.close();

  it('finds an intact file intact, quick and full', async () => {
    for (const mode of ['quick', 'full'] as const) {
      const result = await checkIntegrity(config.dbPath, { mode });
      assert.equal(result.ok, true, `${mode}: ${result.problems.join('; ')}`);
    }
  });

  it('reads through the map with a small cache, so the serving process keeps no copy of the file', async () => {
    // With a 256 MiB cache it read every page into malloc and glibc kept it: a server started
    // with the check served with ~22 MiB more RSS (Chinook, src/db/integrity-worker.mjs).
    for (const mode of ['quick', 'full'] as const) {
      const { problems, reading } = await runWorker(config.dbPath, mode);
      assert.deepEqual(problems, []);
      assert.ok(reading.cacheSize >= -2048 && reading.cacheSize < 0, `${mode}: cache_size ${reading.cacheSize}`);
      assert.ok(reading.mmapSize >= 2 ** 30, `${mode}: mmap_size ${reading.mmapSize}`);
    }
  });

  it('counts SQLite’s lock-byte page as accounted for in a file past 1 GiB', () => {
    // The 1M catalog's file: 178 393 pages of 32 KiB, one of them the page holding byte 2^30.
    assert.equal(unaccountedPages({ pageCount: 178_393, pageSize: 32_768, used: 178_392, freelist: 0 }), 0);
    assert.equal(unaccountedPages({ pageCount: 178_393, pageSize: 32_768, used: 178_391, freelist: 0 }), 1);
    assert.equal(unaccountedPages({ pageCount: 800, pageSize: 32_768, used: 799, freelist: 0 }), 1);
    assert.equal(unaccountedPages({ pageCount: 800, pageSize: 32_768, used: 790, freelist: 10 }), 0);
  });
});
