// scripts/tick-warmup.mjs (npm start's first import): after it, process.nextTick must be
// optimized by TurboFan with the feedback for its tick object MONOMORPHIC. That is the state the
// warm-up exists for (docs/benchmarks-http.md, "Tick objects"); 500 or 2,000 calls did not get
// there. Read through V8's natives syntax in a child process; the bits are V8's
// OptimizationStatus (Node 20: 16 optimized, 64 TurboFan).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/config.ts';

// TurboFan compiles on a background thread and the main thread installs the result at its next
// interrupt: on a busy host that can come after the warm-up's last batch. So the probe polls
// (timers only; it calls nothing that queues a tick itself) for up to 3 s.
const probe = `const started = Date.now();
const look = () => {
  const status = %GetOptimizationStatus(process.nextTick);
  if ((status & 16) === 0 && Date.now() - started < 3000) return setTimeout(look, 20);
  process._rawDebug('status ' + status);
  %DebugPrint(process.nextTick);
};
setTimeout(look, 20);`;

function nextTickState(env: Record<string, string>): { optimized: boolean; turbofan: boolean; literalSlots: string[] } {
  const run = spawnSync(
    process.execPath,
    ['--allow-natives-syntax', '--import', path.join(projectRoot, 'scripts', 'tick-warmup.mjs'), '--input-type=module', '-e', probe],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  // _rawDebug writes to stderr, %DebugPrint to stdout.
  const status = Number(/status (\d+)/.exec(run.stderr)?.[1]);
  assert.ok(Number.isInteger(status), run.stderr);
  const literalSlots = [...run.stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1] as string);
  return { optimized: (status & 16) !== 0, turbofan: (status & 64) !== 0, literalSlots };
}

describe('npm start warms process.nextTick up', () => {
  it('leaves nextTick optimized, its tick-object feedback MONOMORPHIC', () => {
    const state = nextTickState({});
    assert.equal(state.optimized && state.turbofan, true, 'nextTick is optimized by TurboFan after the warm-up');
    assert.deepEqual(state.literalSlots, ['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC']);
  });

  it('without it (CHINOOK_TICK_WARMUP=0), a few ticks leave nextTick unoptimized', () => {
    const state = nextTickState({ CHINOOK_TICK_WARMUP: '0' });
    assert.equal(state.optimized, false);
  });
});
