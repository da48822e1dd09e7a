// `chinook doctor --integrity` and the start-up check, on a healthy file and on one with a
// damaged page (real files, real child processes).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { projectRoot } from '../../src/config.ts';
import { importedDb } from '../helpers.ts';

const exec = promisify(execFile);
const main = path.join(projectRoot, 'src', 'cli', 'main.ts');

async function chinook(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHINOOK_') && !k.startsWith('NODE_TEST')));
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', main, ...args], {
      cwd: projectRoot,
      env: { ...clean, ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** An imported Chinook file, checkpointed into one file (no WAL), closed. */
function chinookFile(): string {
  const { config, db } = importedDb();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return config.dbPath;
}

/** Overwrites the middle of a leaf page of chinook_tracks with garbage (what a bad sector or a torn copy leaves). */
function damage(dbPath: string): void {
  const db = new Database(dbPath, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const page = db
    .prepare("SELECT pageno FROM dbstat WHERE name = 'chinook_tracks' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3")
    .pluck()
    .get() as number;
  db.close();
  const fd = fs.openSync(dbPath, 'r+');
  fs.writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, (page - 1) * pageSize + 8);
  fs.closeSync(fd);
}

describe('chinook doctor --integrity', () => {
  it('reports a healthy file as ok (integrity_check, search index, vectors)', async () => {
    const db = chinookFile();
    const r = await chinook(['--db', db, 'doctor', '--integrity', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.integrity.sqlite.ok, true);
    assert.equal(report.integrity.sqlite.mode, 'full');
    assert.equal(report.integrity.search.ok, true);
    assert.equal(report.integrity.vectors.ok, true);
  });

  it('finds a damaged page, exits 1 and says to restore a backup; serving refuses to start on it', async () => {
    const db = chinookFile();
    damage(db);
    const r = await chinook(['--db', db, 'doctor', '--integrity']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /integrity_check\s+\d+ problem\(s\)/);
    assert.match(r.stdout, /restore a backup/);

    const serve = await chinook(['--db', db, 'serve', '--port', '0', '--host', '127.0.0.1']);
    assert.equal(serve.code, 2, serve.stderr);
    assert.match(serve.stderr, new RegExp(`The database ${db.replace(/[.]/g, '\\.')} failed quick_check: .+chinook doctor --integrity`));
    assert.doesNotMatch(serve.stderr, /\n\s+at /, 'no stack trace');
  });
});
