// The child that prepares a first start's database runs without npm start's heap cap and
// growth, which fit a serving worker but not an import or vector build of a large catalog.
import assert from 'node:assert/strict';
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
