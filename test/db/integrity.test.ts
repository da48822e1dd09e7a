// The start-up check (quick_check) runs in a worker thread of the serving process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { checkIntegrity } from '../../src/db/integrity.ts';
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

  it('quick reads through the map with a small cache, so the serving process keeps no copy of the file', async () => {
    // With the 256 MiB cache it read every page into malloc and glibc kept it: a server
    // started with the check served with ~22 MiB more RSS (Chinook, src/db/integrity-worker.mjs).
    const quick = await runWorker(config.dbPath, 'quick');
    assert.deepEqual(quick.problems, []);
    assert.ok(quick.reading.cacheSize >= -2048 && quick.reading.cacheSize < 0, `cache_size ${quick.reading.cacheSize}`);
    assert.ok(quick.reading.mmapSize >= 2 ** 30, `mmap_size ${quick.reading.mmapSize}`);
    // The full check (chinook doctor --integrity, a process of its own) keeps its large cache.
    assert.equal((await runWorker(config.dbPath, 'full')).reading.cacheSize, -262144);
  });
});
