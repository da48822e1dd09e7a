// `chinook doctor --integrity` and the start-up check, on a healthy file and on one with a
// damaged page (real files, real child processes).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/config.ts';
import { chinookFile, damageTracksPage } from '../damage.ts';
import { runChinook } from '../serve-process.ts';

const _exec = promisify(execFile);
const _main = path.join(projectRoot, 'src', 'cli', 'main.ts');

const chinook = runChinook;

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
    damageTracksPage(db);
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
