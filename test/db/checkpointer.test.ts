import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/config.ts';
import { startCheckpointer } from '../../src/db/checkpointer.ts';
import { openPrimary } from '../../src/db/connection.ts';
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
