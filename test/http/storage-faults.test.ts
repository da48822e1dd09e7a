// Storage faults through the real server: a full disk (a small tmpfs, filled), a read-only
// mount and files that are not databases at start. Mounting needs root; where it is not
// permitted those cases skip and say so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createContext } from '../../src/context.ts';
import { openPrimary, StorageOpenError } from '../../src/db/connection.ts';
import { buildApp } from '../../src/http/app.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { Client } from '../accounts/client.ts';
import { chinookSource, tempDir, testConfig } from '../helpers.ts';

const token = 'storage-admin';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Mounts a tmpfs of `sizeMiB` on a fresh folder; null (with the reason) where mounting is not permitted. */
function tmpfs(sizeMiB: number): { dir: string; remount(options: string): void; unmount(): void } | string {
  const dir = tempDir('chinook-tmpfs-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0)
    return `mounting a tmpfs is not permitted here (${(r.stderr || r.error?.message || 'mount failed').trim()}); run as root to include this case`;
  return {
    dir,
    remount: (options) => assert.equal(spawnSync('mount', ['-o', `remount,${options}`, dir]).status, 0, `remount ${options}`),
    unmount: () => spawnSync('umount', ['-l', dir]),
  };
}

/** Writes until the file system refuses: the disk is then full. */
function fill(file: string): number {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let bytes = 0;
  try {
    for (;;) bytes += fs.writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

describe('storage faults', () => {
  it('a full disk: writes answer 503 with Retry-After, logs stay bounded, nothing acknowledged is lost, and writes come back without a restart', async (t) => {
    const mount = tmpfs(24);
    if (typeof mount === 'string') return t.skip(mount);
    const logLines: string[] = [];
    try {
      const config = testConfig({ dbPath: path.join(mount.dir, 'chinook.sqlite'), adminToken: token, cachePreload: false, deferredIndexMs: 100 });
      const db = openPrimary(config);
      importOfficial(db, chinookSource);
      const ctx = createContext(config, db);
      const app = await buildApp(ctx, { logger: { level: 'info', stream: { write: (line: string) => logLines.push(line) } } });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const acked: number[] = [];
      const statuses = new Map<number, number>();
      const play = async (c: Client, trackId: number) => {
        const r = await c.post('/api/plays', { trackId });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 201) acked.push(r.body.id);
        return r;
      };
      try {
        const clients = await Promise.all(
          [0, 1, 2, 3].map(async (i) => {
            const c = new Client(url);
            assert.equal((await c.register(`full${i}@example.com`)).status, 201);
            await c.get('/api/auth/csrf');
            return c;
          }),
        );
        for (let i = 1; i <= 40; i++) assert.equal((await play(clients[i % 4] as Client, i)).status, 201);
        assert.equal((await fetch(`${url}/health/ready`)).status, 200);

        // Writes pause: the checkpointer truncates the WAL, so the next write must grow it.
        const wal = `${config.dbPath}-wal`;
        for (let i = 0; i < 100 && fs.existsSync(wal) && fs.statSync(wal).size > 0; i++) await sleep(50);
        fill(path.join(mount.dir, 'filler'));

        const deadline = performance.now() + 2000;
        let trackId = 100;
        await Promise.all(
          clients.map(async (c) => {
            while (performance.now() < deadline) await play(c, trackId++);
          }),
        );
        const unavailable = statuses.get(503) ?? 0;
        assert.ok(unavailable > 20, `expected many 503s on a full disk, got ${JSON.stringify([...statuses])}`);
        assert.deepEqual([...statuses.keys()].sort(), [201, 503], 'only 201 (committed) or 503, never a 500');
        const refused = await clients[0]?.post('/api/plays', { trackId: 7 });
        assert.equal(refused?.status, 503);
        assert.equal(refused?.headers.get('retry-after'), '5');
        assert.equal(refused?.body.error, 'storage_unavailable');
        assert.match(refused?.body.message, /disk .* is full/);

        const ready = await fetch(`${url}/health/ready`);
        assert.equal(ready.status, 503);
        const readyBody = await ready.json();
        assert.equal(readyBody.checks.read.ok, true);
        assert.equal(readyBody.checks.write.ok, false);
        assert.match(readyBody.checks.write.error, /^SQLITE_FULL/);
        assert.equal(readyBody.storage.status, 'degraded');
        assert.deepEqual(await (await fetch(`${url}/health`)).json(), { status: 'degraded', version: '0.1.0' });

        // One line when it started (and at most a summary per 30 s): not a stack per request.
        const storageLines = logLines.filter((l) => /storage/.test(l));
        assert.ok(storageLines.length >= 1 && storageLines.length <= 2, storageLines.join('\n'));
        assert.equal(logLines.filter((l) => /unhandled error|"stack"/.test(l)).length, 0, 'no stack traces');

        // Space comes back: writes commit again, no restart.
        fs.rmSync(path.join(mount.dir, 'filler'));
        let back = 0;
        for (let i = 0; i < 50 && back === 0; i++) {
          if ((await play(clients[1] as Client, 5)).status === 201) back++;
          else await sleep(100);
        }
        assert.equal(back, 1, 'writes commit again once space returns');
        await sleep(1100); // the readiness answer is reused for a second
        assert.equal((await fetch(`${url}/health/ready`)).status, 200);
        // Degraded until writes have gone on for 5 s without a fault (a nearly full disk lets
        // some through): /health says so, then ok.
        let health = '';
        for (let i = 0; i < 40 && health !== 'ok'; i++) {
          await play(clients[2] as Client, 6);
          health = (await (await fetch(`${url}/health`)).json()).status;
          if (health !== 'ok') await sleep(250);
        }
        assert.equal(health, 'ok');
      } finally {
        await app.close();
        await ctx.shutdown();
      }
      const check = new Database(config.dbPath, { readonly: true });
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      const exists = check.prepare('SELECT 1 FROM plays WHERE id = ?').pluck();
      assert.deepEqual(
        acked.filter((id) => !exists.get(id)),
        [],
        'acknowledged plays lost',
      );
      // A 503 committed nothing: the plays in the file are exactly the acknowledged ones.
      assert.equal(check.prepare('SELECT count(*) FROM plays').pluck().get(), acked.length);
      check.close();
    } finally {
      mount.unmount();
    }
  });

  it('start-up names the file and the reason: read-only mount, missing folder, not a database', async (t) => {
    const notDb = path.join(tempDir(), 'notes.sqlite');
    fs.writeFileSync(notDb, 'these are notes, not a database\n'.repeat(200));
    assert.throws(
      () => openPrimary(testConfig({ dbPath: notDb })),
      (err: Error) => err instanceof StorageOpenError && err.message.includes(notDb) && /not a SQLite database/.test(err.message),
    );
    const underFile = path.join(notDb, 'sub', 'x.sqlite');
    assert.throws(
      () => openPrimary(testConfig({ dbPath: underFile })),
      (err: Error) => err instanceof StorageOpenError && err.message.includes(underFile) && /is a file/.test(err.message),
    );

    const mount = tmpfs(16);
    if (typeof mount === 'string') return t.skip(mount);
    try {
      const dbPath = path.join(mount.dir, 'chinook.sqlite');
      openPrimary(testConfig({ dbPath })).close();
      mount.remount('ro');
      assert.throws(
        () => openPrimary(testConfig({ dbPath })),
        (err: Error) => err instanceof StorageOpenError && err.message.includes(dbPath) && /read-only file system/.test(err.message),
      );
      // The CLI prints that sentence and exits with 2, no stack.
      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--db', dbPath, 'serve', '--port', '0'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(cli.status, 2, cli.stderr);
      assert.match(cli.stderr, new RegExp(`Cannot open the database ${dbPath.replace(/[.]/g, '\\.')}: it is on a read-only file system`));
      assert.doesNotMatch(cli.stderr, /\n\s+at /);
    } finally {
      mount.unmount();
    }
  });
});
