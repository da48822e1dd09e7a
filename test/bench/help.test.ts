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
  ...['ab', 'flags', 'memory', 'run'].map((n) => `bench/load/${n}.ts`),
  ...fs
    .readdirSync(path.join(projectRoot, 'bench'))
    .filter((f) => /^vectors-.*\.ts$/.test(f) && f !== 'vectors-ann.ts')
    .map((f) => `bench/${f}`),
];

test('each bench entry point prints its opening comment for --help and exits 0', async () => {
  assert.ok(entries.length >= 12, `entries: ${entries}`);
  const results = await Promise.all(
    entries.map(async (entry) => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', entry, '--help'], { cwd: projectRoot, timeout: 60_000 });
      const opening =
        fs
          .readFileSync(path.join(projectRoot, entry), 'utf8')
          .split('\n')[0]
          ?.replace(/^\/\/ ?/, '') ?? '';
      return { entry, stdout, opening };
    }),
  );
  for (const { entry, stdout, opening } of results) {
    assert.ok(opening.length > 10, `${entry} opens with a usage comment`);
    assert.equal(stdout.split('\n')[0], opening, `${entry} printed its usage`);
  }
});
