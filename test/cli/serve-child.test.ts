// The child that prepares a first start's database runs without npm start's heap cap and
// growth, which fit a serving worker but not an import or vector build of a large catalog; and
// a cluster primary, which never serves, does not load the app.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { npmStartSettings } from '../../bench/load/server.ts';
import { prepareExecArgv } from '../../src/cli/serve.ts';
import { projectRoot } from '../../src/config.ts';

test("the preparing child drops npm start's heap settings and keeps its other flags", () => {
  const { nodeFlags } = npmStartSettings(projectRoot);
  assert.ok(
    nodeFlags.some((f) => f.startsWith('--max-old-space-size')) && nodeFlags.some((f) => f.startsWith('--heap-growing-percent')),
    `npm start: ${nodeFlags}`,
  );
  const child = prepareExecArgv([...nodeFlags, '--import', 'tsx']);
  assert.deepEqual(child, [...nodeFlags.filter((f) => !f.startsWith('--max-old-space-size') && !f.startsWith('--heap-growing-percent')), '--import', 'tsx']);
  assert.ok(child.includes('--max-semi-space-size=2'), 'the young generation setting stays');
});

test("npm start's settings are read from package.json's start script", () => {
  const script = (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const { env, nodeFlags } = npmStartSettings(projectRoot);
  for (const [name, value] of Object.entries(env)) assert.ok(script.includes(`${name}=${value}`), name);
  assert.ok(Object.keys(env).length > 0 && nodeFlags.length > 0);
  for (const flag of nodeFlags) assert.ok(script.includes(flag), flag);
});

test('a cluster primary does not load the app: the CLI and `chinook serve` import no Fastify until a process serves', () => {
  // In its own process: this test file's imports load half the project already. CommonJS
  // packages imported from ESM land in the require cache, which is how Fastify shows up.
  const probe = `
    import { createRequire } from 'node:module';
    await import('./src/cli/main.ts');
    await import('./src/cli/serve.ts');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(loaded.filter((f) => /node_modules\\/(fastify|@fastify|typebox)\\//.test(f)).length));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: projectRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout.trim()), 0, 'Fastify modules loaded by importing the CLI and serve.ts');
});
