// Every bench entry point answers --help with its usage and exits, instead of running: before,
// `bench/load/ab.ts --help` took --help for no option and ran two minutes of load.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/config.ts';

const run = promisify(execFile);
const entries = [
  'bench/run.ts',
  'bench/search-doc-cache-memory.ts',
  ...['ab', 'flags', 'memory', 'run'].map((n) => `bench/load/${n}.ts`),
  ...fs
    .readdirSync(path.join(projectRoot, 'bench'))
    .filter((f) => /^vectors-.*\.ts$/.test(f) && f !== 'vectors-ann.ts')
    .map((f) => `bench/${f}`),
];

test('each bench entry point prints its opening comment for --help and exits 0', async () => {
  assert.ok(entries.length >= 12, `entries: ${entries}`);
  // One at a time: 13 node processes at once would take both cores from the test file that
  // runs beside this one (npm test runs two), some of which time their requests.
  for (const entry of entries) {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', entry, '--help'], { cwd: projectRoot, timeout: 60_000 });
    const opening =
      fs
        .readFileSync(path.join(projectRoot, entry), 'utf8')
        .split('\n')[0]
        ?.replace(/^\/\/ ?/, '') ?? '';
    assert.ok(opening.length > 10, `${entry} opens with a usage comment`);
    assert.equal(stdout.split('\n')[0], opening, `${entry} printed its usage`);
  }
});
