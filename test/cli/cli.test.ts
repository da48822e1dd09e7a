// The `chinook` CLI as a user runs it: real child processes on temp databases.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { buildCli } from '../../src/cli/main.ts';
import { projectRoot } from '../../src/config.ts';
import { CHINOOK_RELEASE } from '../../src/importer/source.ts';
import { chinookSource, tempDir } from '../helpers.ts';

const exec = promisify(execFile);
const main = path.join(projectRoot, 'src', 'cli', 'main.ts');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function freshDb(): string {
  const dir = tempDir('chinook-cli-');
  dirs.push(dir);
  return path.join(dir, 'chinook.sqlite');
}

/** The environment a user would have, minus anything of ours that would change the outcome. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('CHINOOK_') && !['PORT', 'HOST', 'LOG_LEVEL'].includes(k) && !k.startsWith('NODE_TEST')) env[k] = v;
  }
  return { ...env, CHINOOK_SOURCE: chinookSource, ...extra };
}

async function chinook(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', main, ...args], { cwd: projectRoot, env: cleanEnv(env), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('chinook CLI', { concurrency: 2 }, () => {
  it('every command has a description and a --help that lists its options', () => {
    const program = buildCli();
    const names = program.commands.map((c: Command) => c.name());
    for (const required of ['serve', 'import', 'migrate', 'doctor']) assert.ok(names.includes(required), `${required} is a command`);
    for (const cmd of program.commands) {
      assert.ok(cmd.description().length > 10, `${cmd.name()} has a description`);
      const help = cmd.helpInformation();
      assert.match(help, new RegExp(`Usage: chinook ${cmd.name()}`));
      for (const opt of cmd.options) assert.ok(help.includes(opt.long ?? opt.flags), `${cmd.name()} --help shows ${opt.flags}`);
    }
  });

  it('--help and <command> --help print usage and exit 0 (child processes)', async () => {
    const [root, imp] = await Promise.all([chinook(['--help']), chinook(['import', '--help'])]);
    assert.equal(root.code, 0);
    for (const c of ['serve', 'import', 'migrate', 'doctor']) assert.match(root.stdout, new RegExp(`\\b${c}\\b`));
    assert.equal(imp.code, 0);
    assert.match(imp.stdout, /--source/);
    assert.match(imp.stdout, /--force/);
  });

  it('npx chinook --help runs through bin/chinook.js', async () => {
    const { stdout } = await exec('npx', ['--no-install', 'chinook', '--help'], { cwd: projectRoot, env: cleanEnv(), timeout: 60_000 });
    assert.match(stdout, /Usage: chinook/);
    for (const c of ['serve', 'import', 'migrate', 'doctor']) assert.match(stdout, new RegExp(`\\b${c}\\b`));
  });

  it('migrate, import (skipped, --force), doctor and doctor --json on one database', async () => {
    const db = freshDb();
    const first = await chinook(['--db', db, 'migrate']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Migrated 0 → \d+: 001-core/);
    const second = await chinook(['--db', db, 'migrate']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Schema is up to date \(version \d+\)/);

    const imported = await chinook(['--db', db, 'import']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /SHA-256 verified/);
    assert.match(imported.stdout, /3503 tracks, 347 albums, 275 artists, 25 genres/);
    assert.match(imported.stdout, /2240 invoice lines/);
    assert.match(imported.stderr, /import: tracks/, 'progress on stderr');
    const skipped = await chinook(['--db', db, 'import']);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /already imported.*--force/);
    const forced = await chinook(['--db', db, 'import', '--force', '--quiet']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Imported from .* in \d+ ms/);
    assert.equal(forced.stderr.includes('import: tracks'), false, '--quiet hides progress');

    const [json, text] = await Promise.all([chinook(['--db', db, 'doctor', '--json']), chinook(['--db', db, 'doctor'])]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.pragmas.journal_mode, 'wal');
    assert.equal(report.pragmas.page_size, 32768);
    assert.equal(report.pragmas.synchronous, 1);
    assert.equal(report.pragmas.cache_size, -131072);
    assert.equal(report.pragmas.mmap_size, 536870912);
    assert.equal(report.pragmas.busy_timeout, 10000);
    assert.equal(report.pragmas.wal_autocheckpoint, 2000);
    assert.equal(report.pragmas.temp_store, 2);
    assert.equal(report.pragmas.foreign_keys, 1);
    assert.match(report.versions.sqliteVec, /^v0\.1\.\d+/);
    assert.match(report.versions.sqlite, /^3\./);
    assert.equal(report.schema.version, report.schema.latest);
    assert.equal(report.counts.tracks, 3503);
    assert.equal(report.counts.invoiceLines, 2240);
    assert.equal(report.settings.find((s: { name: string }) => s.name === 'dbPath').value, db);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /journal_mode\s+wal/);
    assert.match(text.stdout, /page_size\s+32768/);
    assert.match(text.stdout, /sqlite-vec v0\.1/);
    assert.match(text.stdout, /tracks\s+3503/);
  });

  it('doctor on an empty database says to import', async () => {
    const r = await chinook(['--db', freshDb(), 'doctor']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /catalog is empty \(run `chinook import`\)/);
  });

  it('import with a missing --source exits non-zero, listing what was tried and the ways out', async () => {
    const missing = path.join(path.dirname(freshDb()), 'missing.sqlite');
    const r = await chinook(['--db', freshDb(), 'import', '--source', missing]);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(missing), r.stderr);
    assert.match(r.stderr, /--synthetic/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('serve with PORT=abc exits non-zero naming the setting and the variable', async () => {
    const r = await chinook(['--db', freshDb(), 'serve'], { PORT: 'abc' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /port/);
    assert.match(r.stderr, /PORT/);
    assert.match(r.stderr, /"abc"/);
    const flag = await chinook(['--db', freshDb(), 'serve', '--port', 'x']);
    assert.notEqual(flag.code, 0);
    assert.match(flag.stderr, /port must be a whole number/);
  });

  it('serve --port 0 on a fresh database imports Chinook, then answers /health and the API', async () => {
    const db = freshDb();
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--db', db, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: projectRoot,
      env: cleanEnv({ LOG_LEVEL: 'info', CHINOOK_ADMIN_TOKEN: 'cli-admin' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const { url, stderr } = await listeningUrl(child);
      assert.match(stderr, /Empty database: importing/);
      assert.match(stderr, /Imported 3503 tracks/);
      const health = await (await fetch(`${url}/health`, { headers: { authorization: 'Bearer cli-admin' } })).json();
      assert.equal(health.status, 'ok');
      assert.equal(health.database.tracks, 3503);
      assert.equal(health.database.path, db);
      assert.equal(health.database.journalMode, 'wal');
      const track = await (await fetch(`${url}/api/tracks/1801`)).json();
      assert.equal(track.name, 'Enter Sandman');
      assert.equal(track.artist, 'Metallica');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      if (child.exitCode === null) child.kill('SIGTERM');
      assert.equal(await exited, 0, 'SIGTERM shuts down cleanly');
    }
  });

  it('the release it would download is the pinned v1.4.5 asset', () => {
    assert.match(CHINOOK_RELEASE.url, /lerocha\/chinook-database\/releases\/download\/v1\.4\.5\/Chinook_Sqlite\.sqlite$/);
    assert.equal(CHINOOK_RELEASE.sha256, '7651ba378ac2fcd0dfc3c66fb101f7a7eed3ba39a612ec642b96e20702061f15');
  });
});

/** Resolves with the URL from Fastify's "Server listening at" log line. */
function listeningUrl(child: ChildProcess): Promise<{ url: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s\nstdout: ${out}\nstderr: ${err}`)), 60_000);
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      const m = out.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, stderr: err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}
