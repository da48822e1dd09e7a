// Backup and restore as an operator runs them: `chinook backup` beside a loaded server (a real
// child process taking writes), `chinook restore` refused while the server runs, then applied.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { projectRoot } from '../../src/config.ts';
import { backupFileName, pruneBackups, runScheduledBackup } from '../../src/db/backup-schedule.ts';
import { Client } from '../accounts/client.ts';
import { chinookFile, damageTracksPage } from '../damage.ts';
import { importedDb, tempDir } from '../helpers.ts';
import { runChinook, startServe } from '../serve-process.ts';

const _exec = promisify(execFile);
const _main = path.join(projectRoot, 'src', 'cli', 'main.ts');

const chinook = runChinook;

describe('chinook backup and restore', () => {
  it('a backup taken under write load restores to a consistent file holding every write acknowledged before it started', async () => {
    const { config, db } = importedDb();
    db.close();
    const backup = path.join(tempDir(), 'chinook-backup.sqlite');
    const server = await startServe(config.dbPath, { env: { CHINOOK_LOGIN_RATE_PER_MINUTE: '100000' } });
    const { url } = server;
    const acked: { id: number; at: number; kind: 'play' | 'order'; trackIds?: number[] }[] = [];
    let stop = false;
    let backupStartedAt = 0;
    try {
      const clients = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const c = new Client(url);
          assert.equal((await c.register(`backup${i}@example.com`)).status, 201);
          await c.get('/api/auth/csrf');
          return c;
        }),
      );
      const load = clients.map(async (c, i) => {
        while (!stop) {
          if (i % 3 === 0) {
            const trackIds = [randomInt(1, 3504), randomInt(1, 3504)].filter((t, j, a) => a.indexOf(t) === j);
            const r = await c.post('/api/orders', { trackIds });
            if (r.status === 201) acked.push({ id: r.body.id, at: performance.now(), kind: 'order', trackIds });
          } else {
            const r = await c.post('/api/plays', { trackId: randomInt(1, 3504) });
            if (r.status === 201) acked.push({ id: r.body.id, at: performance.now(), kind: 'play' });
          }
        }
      });
      for (let i = 0; i < 300 && acked.length < 40; i++) await new Promise((r) => setTimeout(r, 50));
      backupStartedAt = performance.now();
      const made = await chinook(['--db', config.dbPath, 'backup', backup, '--quiet']);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /Backed up .*\(quick_check ok\)/);
      const again = await chinook(['--db', config.dbPath, 'backup', backup, '--quiet']);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /exists already \(pass --force/);
      await new Promise((r) => setTimeout(r, 300)); // writes go on after the backup too
      stop = true;
      await Promise.all(load);

      // A server has the file open: restore refuses, naming it and saying how to stop it.
      const refused = await chinook(['--db', config.dbPath, 'restore', backup, '--quiet']);
      assert.equal(refused.code, 2, refused.stdout);
      assert.match(
        refused.stderr,
        new RegExp(`is open in \\d+ process\\(es\\):\\n  pid \\d+: .*src/cli/main\\.ts --db ${config.dbPath.replace(/[.]/g, '\\.')} serve`),
      );
      assert.match(refused.stderr, /Stop them first \(SIGTERM/);
    } finally {
      stop = true;
      await server.stop();
    }
    const before = acked.filter((a) => a.at < backupStartedAt);
    const after = acked.filter((a) => a.at >= backupStartedAt);
    assert.ok(before.length > 20 && after.length > 0, `load too small: ${before.length} writes before the backup, ${after.length} after`);

    const restored = await chinook(['--db', config.dbPath, 'restore', backup, '--quiet']);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /The file it replaced is kept as .*before-restore-/);
    const kept = fs.readdirSync(path.dirname(config.dbPath)).find((f) => f.includes('before-restore-'));
    assert.ok(kept);

    const check = new Database(config.dbPath, { readonly: true });
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    const play = check.prepare('SELECT 1 FROM plays WHERE id = ?').pluck();
    const lines = check.prepare('SELECT track_id FROM chinook_invoice_lines WHERE invoice_id = ? ORDER BY id').pluck();
    for (const a of before) {
      if (a.kind === 'play') assert.ok(play.get(a.id), `play ${a.id}, acknowledged before the backup, is in it`);
      else assert.deepEqual(lines.all(a.id), a.trackIds, `order ${a.id}, acknowledged before the backup, is in it whole`);
    }
    // Consistent: no order without its lines (a torn copy would show half an order).
    assert.equal(
      check.prepare('SELECT count(*) FROM chinook_invoices i WHERE NOT EXISTS (SELECT 1 FROM chinook_invoice_lines l WHERE l.invoice_id = i.id)').pluck().get(),
      0,
    );
    // The kept file has everything, including the writes after the backup.
    const old = new Database(path.join(path.dirname(config.dbPath), kept), { readonly: true });
    const oldPlay = old.prepare('SELECT 1 FROM plays WHERE id = ?').pluck();
    for (const a of after.filter((x) => x.kind === 'play')) assert.ok(oldPlay.get(a.id));
    old.close();
    check.close();
  });

  it('restore refuses a damaged backup and leaves the database as it was', async () => {
    const dbPath = chinookFile();
    const damaged = path.join(tempDir(), 'damaged.sqlite');
    fs.copyFileSync(dbPath, damaged);
    damageTracksPage(damaged);
    const before = fs.readFileSync(dbPath);
    const r = await chinook(['--db', dbPath, 'restore', damaged, '--quiet']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /failed integrity_check: .+Nothing was changed/);
    assert.ok(fs.readFileSync(dbPath).equals(before));
    const notChinook = path.join(tempDir(), 'other.sqlite');
    new Database(notChinook).exec('CREATE TABLE t (x)');
    assert.match((await chinook(['--db', dbPath, 'restore', notChinook, '--quiet'])).stderr, /is not a Chinook database/);
  });

  it('scheduled backups keep the newest N', async () => {
    const { config, db } = importedDb();
    const dir = path.join(tempDir(), 'backups');
    const times = ['2030-01-01T00:00:00Z', '2030-01-01T01:00:00Z', '2030-01-01T02:00:00Z'].map((t) => new Date(t));
    for (const t of times) await runScheduledBackup(config.dbPath, dir, 2, t);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
    assert.deepEqual(fs.readdirSync(dir).sort(), [backupFileName(times[1] as Date), backupFileName(times[2] as Date), 'notes.txt']);
    assert.equal(backupFileName(times[2] as Date), 'chinook-20300101T020000Z.sqlite');
    assert.deepEqual(pruneBackups(dir, 1), [backupFileName(times[1] as Date)]);
    db.close();
  });
});
