import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/config.ts';
import { startCheckpointer } from '../../src/db/checkpointer.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { WriteQueue } from '../../src/db/write-queue.ts';
import { testConfig } from '../helpers.ts';

describe('WAL checkpointer thread', () => {
  it('copies committed pages into the database off the writer, and raises the writer’s own threshold', async () => {
    const config = testConfig();
    const writer = openPrimary(config);
    const checkpointer = startCheckpointer(writer, { walAutocheckpoint: config.walAutocheckpoint, intervalMs: 20 });
    assert.equal(writer.pragma('wal_autocheckpoint', { simple: true }), config.walAutocheckpoint * 8);
    writer.exec('CREATE TABLE t (x TEXT)');
    const insert = writer.prepare('INSERT INTO t VALUES (?)');
    writer.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(200));
    })();
    let stats = await checkpointer.stats();
    for (let i = 0; i < 50 && stats.pages === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      stats = await checkpointer.stats();
    }
    assert.ok(stats.pages > 0, `no pages checkpointed: ${JSON.stringify(stats)}`);
    await checkpointer.stop();
    await checkpointer.stop(); // idempotent
    writer.close();
  });

  it('keeps the WAL near its limit while a reader always holds a snapshot, and truncates it when writes pause', async () => {
    const MiB = 1024 * 1024;
    const config = testConfig({ walLimitMiB: 1 });
    const writer = openPrimary({ ...config, busyTimeoutMs: 0 }, { skipMigrations: true });
    writer.exec('CREATE TABLE t (x BLOB)');
    const reader = openPrimary(config, { skipMigrations: true });
    assert.equal(writer.pragma('journal_size_limit', { simple: true }), MiB);
    const checkpointer = startCheckpointer(writer, { walAutocheckpoint: config.walAutocheckpoint, maxWalBytes: MiB, intervalMs: 10, waitMs: 50 });
    await checkpointer.stats(); // the thread is up (in a server it starts long before the first write)
    const writes = new WriteQueue(writer, { busyTimeoutMs: 10_000 });
    const walBytes = () => (fs.existsSync(`${config.dbPath}-wal`) ? fs.statSync(`${config.dbPath}-wal`).size : 0);
    // The reader is inside a read transaction nearly all the time (as under steady HTTP load):
    // PASSIVE checkpoints alone never let the writer start the WAL over.
    let reading = true;
    const readerLoop = (async () => {
      const [begin, count, commit] = [reader.prepare('BEGIN'), reader.prepare('SELECT count(*) FROM t'), reader.prepare('COMMIT')];
      while (reading) {
        begin.run();
        count.get();
        await new Promise((r) => setTimeout(r, 5));
        commit.run();
      }
    })();
    let maxWal = 0;
    for (let i = 0; i < 1000; i++) {
      await writes.run((db) => {
        const insert = db.prepare('INSERT INTO t VALUES (?)');
        for (let j = 0; j < 10; j++) insert.run(randomBytes(1000));
      });
      maxWal = Math.max(maxWal, walBytes());
      // Paced like steady traffic, so a thread starved on a loaded host still gets its turns.
      await new Promise((r) => setTimeout(r, 2));
    }
    reading = false;
    await readerLoop;
    // 1000 commits of ≥ one 32 KiB page each: ~30 MiB of WAL if nothing restarts it. With the
    // limit it stays within a few MiB of 1 MiB (what is written while the thread waits its turn
    // on a loaded host).
    assert.ok(maxWal < 10 * MiB, `WAL reached ${(maxWal / MiB).toFixed(1)} MiB with a 1 MiB limit`);
    const stats = await checkpointer.stats();
    assert.ok(stats.restarts > 0, JSON.stringify(stats));
    for (let i = 0; i < 100 && walBytes() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(walBytes(), 0, 'the WAL is truncated once writes pause');
    await writes.close();
    await checkpointer.stop();
    reader.close();
    writer.close();
  });

  it('keeps the process alive while a shutdown waits for it (an unref’d wait once ended the process mid-await)', async () => {
    const script = `
      import { createContext } from './src/context.ts';
      import { loadConfig } from './src/config.ts';
      const ctx = createContext(loadConfig({ dbPath: process.argv[1], logLevel: 'silent' }, {}));
      await ctx.shutdown();
      console.log('after shutdown');`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, testConfig().dbPath], {
      cwd: projectRoot,
      timeout: 60_000,
    });
    assert.match(stdout, /after shutdown/);
  });
});
