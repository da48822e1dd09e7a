// `npm start` serves the bundle of dist/ (scripts/bundle.mjs), which no other test loads: the rest
// of the suite runs src/ through tsx. This starts scripts/start.mjs as npm start does, on a fresh
// database (so it builds what is stale, bundles, imports Chinook and builds the vectors), and
// asks for what depends on a path the bundling had to keep: swagger-ui's static files (its
// `__dirname`), the OpenAPI document, the metrics prom-client's collectors give (loaded by name),
// the password check whose word lists load at first use, a job and the checkpointer in their
// worker threads, a page, a write, and a clean stop.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot } from '../../src/config.ts';
import { chinookSource, tempDir } from '../helpers.ts';
import { freePort } from '../serve-process.ts';

const ADMIN_TOKEN = 'bundle-test-admin-token-0123456789';

describe('npm start serves the bundle', { timeout: 300_000 }, () => {
  let child: ChildProcess;
  let url = '';
  let output = '';

  before(async () => {
    const port = await freePort();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHINOOK_') && !k.startsWith('NODE_TEST')));
    child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        CHINOOK_DB: path.join(tempDir(), 'chinook.sqlite'),
        CHINOOK_SOURCE: chinookSource,
        CHINOOK_ADMIN_TOKEN: ADMIN_TOKEN,
        CHINOOK_OVERLOAD_DELAY_MS: '0',
        LOG_LEVEL: 'warn',
      },
    });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 2400; i++) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
      try {
        if ((await fetch(`${url}/health/ready`)).status === 200) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`npm start was not ready in 240 s:\n${output}`);
  });

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('bundled dist/ after its last build', () => {
    const bundle = fs.statSync(path.join(projectRoot, 'dist', 'server', 'main.js'));
    const built = fs.statSync(path.join(projectRoot, 'dist', '.tsbuildinfo'));
    assert.ok(bundle.mtimeMs >= built.mtimeMs, 'dist/server/main.js is older than the tsc build');
  });

  it('leaves prom-client in node_modules, where runtime-metrics.ts requires its collectors by name', () => {
    const dir = path.join(projectRoot, 'dist', 'server');
    for (const file of fs.readdirSync(dir)) {
      // A string only prom-client's own collector holds: bundled, its classes would load twice.
      assert.doesNotMatch(fs.readFileSync(path.join(dir, file), 'utf8'), /process_cpu_user_seconds_total/, file);
    }
  });

  it('answers the catalog, search and similar tracks', async () => {
    const track = await (await fetch(`${url}/api/tracks/1`)).json();
    assert.equal(track.id, 1);
    assert.equal(typeof track.name, 'string');
    const search = await (await fetch(`${url}/api/search?q=zepelin`)).json();
    assert.ok(
      search.hits.some((h: { artist: string }) => h.artist === 'Led Zeppelin'),
      'a misspelt artist still finds its tracks',
    );
    const similar = await fetch(`${url}/api/tracks/1/similar`);
    assert.equal(similar.status, 200);
  });

  it("serves swagger-ui's own files and the OpenAPI document", async () => {
    const logo = await fetch(`${url}/docs/static/logo.svg`);
    assert.equal(logo.status, 200);
    assert.match(await logo.text(), /<svg/);
    const doc = await (await fetch(`${url}/docs/json`)).json();
    assert.ok(doc.paths['/api/tracks/{id}'], 'the OpenAPI document lists the routes');
  });

  it("serves prom-client's process metrics and ours", async () => {
    const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds_count',
      'http_request_duration_seconds_count',
    ]) {
      assert.match(metrics, new RegExp(`^${name}`, 'm'), name);
    }
  });

  it('checks passwords, registers, and records a play', async () => {
    const register = (password: string) =>
      fetch(`${url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `bundle-${password.length}@example.com`, password, displayName: 'Bundle' }),
      });
    const weak = await register('password1234');
    assert.equal(weak.status, 400, 'a guessable password is refused (zxcvbn loaded at first use)');
    const created = await register('a lyre, seven owls and a tuba');
    assert.equal(created.status, 201);
    const cookie = created.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = await created.json();
    const play = await fetch(`${url}/api/plays`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ trackId: 1, msPlayed: 30_000 }),
    });
    assert.equal(play.status, 201, await play.text());
  });

  it('runs a maintenance job and the checkpointer in their worker threads', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const job = await (await fetch(`${url}/api/admin/search/optimize`, { method: 'POST', headers: admin })).json();
    let state = job.state;
    for (let i = 0; i < 300 && state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await (await fetch(`${url}/api/admin/jobs/${job.id}`, { headers: admin })).json()).state;
    }
    assert.equal(state, 'done');
    const stats = await (await fetch(`${url}/api/admin/database/stats`, { headers: admin })).json();
    assert.ok(stats.checkpoints, 'the checkpointer thread answers');
  });

  it('serves the storefront', async () => {
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<!doctype html>/i);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, output);
  });
});
