// The pages' build (src/web/build.ts) leaves no esbuild process behind: esbuild bundles in a
// child process that, unless stopped, stays for the life of the process that built (a server
// that built its pages at start carried 21–32 MiB of idle esbuild).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildWeb } from '../../src/web/build.ts';

/** This process's child processes named esbuild, from /proc (Linux). */
function esbuildChildren(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // "pid (comm) state ppid …": comm may hold spaces, so read after the last ')'.
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // A zombie (Z) has exited; its parent has not reaped it yet.
        return comm === 'esbuild' && Number(ppid) === process.pid && state !== 'Z' ? [Number(pid)] : [];
      } catch {
        return []; // gone while we read
      }
    });
}

describe('web build', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('builds both bundles and stops esbuild afterwards, also when two builds overlap', async () => {
    const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-web-')));
    // Under tsx, its loader thread has an esbuild of its own for the TypeScript: not the build's.
    const before = new Set(esbuildChildren());
    const ours = () => esbuildChildren().filter((pid) => !before.has(pid));
    try {
      const manifests = await Promise.all(dirs.map((dir) => buildWeb(dir)));
      for (const [i, manifest] of manifests.entries()) {
        for (const bundle of Object.values(manifest.bundles)) assert.ok(fs.existsSync(path.join(dirs[i] as string, 'assets', bundle.js)), bundle.js);
      }
      // stop() sends SIGTERM: give the child a moment to exit.
      for (let i = 0; i < 50 && ours().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(ours(), []);
    } finally {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
