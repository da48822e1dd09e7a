import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/config.ts';
import { startServer, type TestServer } from '../helpers.ts';

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/main.ts'), ...args], {
    cwd: projectRoot,
    env: { ...process.env, CHINOOK_ADMIN_TOKEN: '' },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('chinook cache (CLI against a running server)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ adminToken: 'cli-token' });
    await s.get('/api/tracks/1');
    await s.get('/api/tracks/1');
    await s.get('/api/tracks/2');
  });
  after(async () => {
    await s.close();
  });

  it('stats prints per-table counters read from the endpoint', async () => {
    const r = await cli('cache', 'stats', '--url', s.url, '--token', 'cli-token');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`worker ${process.pid}:`));
    const queries = r.stdout.split('\n').find((l) => l.trim().startsWith('queries'))!;
    const cells = queries.trim().split(/\s+/);
    assert.deepEqual(cells.slice(0, 2), ['queries', '2']);
    assert.equal(cells[3], '1', 'one hit');
    assert.equal(cells[4], '2', 'two misses');
    const json = await cli('cache', 'stats', '--url', s.url, '--token', 'cli-token', '--json');
    assert.equal(JSON.parse(json.stdout).total.entries, 2);
  });

  it('flush by tag, and clear errors for a wrong token or no server', async () => {
    const r = await cli('cache', 'flush', '--url', s.url, '--token', 'cli-token', '--tag', 'track:1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed 1 entries/);
    assert.equal(s.ctx.cache.cache!.stats().total.entries, 1);
    const bad = await cli('cache', 'stats', '--url', s.url, '--token', 'nope');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /401/);
    const down = await cli('cache', 'stats', '--url', 'http://127.0.0.1:9');
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach/);
  });
});
