// `npx tsx bench/load/flags.ts [--variants '<json>'] [--reps N] [--seconds N]`
//
// Node/V8 flags on top of `npm start`'s, by memory and CPU: each variant is one serving worker
// (`node <npm start's flags> <the variant's flags> scripts/start.mjs` with npm start's environment,
// both read from package.json; pinned
// to CPU 1, wrk on CPU 0, 100 connections) on its own copy of one Chinook database, through 4 s
// of warm-up, N s of the store mix and N s of the full mix (bench:load's mixes), then 30 s idle.
// Reports RSS at start, the peak in each mix (sampled every 100 ms), RSS 1, 5, 10, 20 and 30 s
// into the idle time (V8's memory reducer starts ~8 s after allocation stops), and the worker's
// CPU µs per request in each mix. Variants alternate within each repetition, so a slow minute
// of this shared host falls on all of them; compare within one invocation.
//
//   --variants '{"default":[],"optimize-for-size":["--optimize-for-size"]}' (the default)
//
// An item of the form NAME=VALUE is set in the worker's environment instead of its command
// line, for glibc's malloc settings: '{"arena 1":["MALLOC_ARENA_MAX=1"]}'.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithUsageOnHelp } from '../lib.ts';
import { cpuSeconds, requestFiles } from './request-files.ts';
import { memoryOf, npmStartSettings, startApp } from './server.ts';
import { runMix } from './wrk.ts';

exitWithUsageOnHelp(import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(name) ? (args[args.indexOf(name) + 1] ?? fallback) : fallback);
const variants = JSON.parse(flag('--variants', '{"default":[],"optimize-for-size":["--optimize-for-size"]}')) as Record<string, string[]>;
const reps = Number(flag('--reps', '3'));
const seconds = Number(flag('--seconds', '10'));
const STORE_MIX = { track: 55, search: 15, similar: 10, album: 10, list: 5, top: 5 };
const FULL_MIX = { track: 47, search: 13, similar: 9, album: 9, list: 4, top: 4, play: 7, recommend: 5, order: 2 };
const npmStart = npmStartSettings(root);

const adminToken = randomBytes(16).toString('hex');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-flags-'));
const master = path.join(scratch, 'chinook.sqlite');
const env = { ...npmStart.env, CHINOOK_ADMIN_TOKEN: adminToken } as Record<string, string>;
const sharedCopy = path.resolve(root, '..', 'shared', 'datasets', 'chinook', 'Chinook_Sqlite.sqlite');
if (!process.env.CHINOOK_SOURCE && fs.existsSync(sharedCopy)) env.CHINOOK_SOURCE = sharedCopy;
const isEnv = (item: string) => /^[A-Z_][A-Z0-9_]*=/.test(item);
const command = (items: string[]) => ['node', ...npmStart.nodeFlags, ...items.filter((i) => !isEnv(i)), 'scripts/start.mjs'];
const envOf = (items: string[]) => Object.fromEntries(items.filter(isEnv).map((i) => [i.slice(0, i.indexOf('=')), i.slice(i.indexOf('=') + 1)]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

try {
  // One first start makes the database (import + vectors); every run serves a copy of it.
  const first = await startApp({
    command: command([]),
    env: { ...env, CHINOOK_DB: master },
    workers: 1,
    cpus: null,
    logFile: path.join(scratch, 'server.log'),
    cwd: root,
    adminToken,
  });
  await first.stop();
  console.log(
    `| variant | rep | RSS at start | store mix: req/s, CPU µs/request, peak RSS | full mix: req/s, CPU µs/request, peak RSS | idle 1 / 5 / 10 / 20 / 30 s |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (let rep = 1; rep <= reps; rep++) {
    for (const [label, flags] of Object.entries(variants)) {
      // A label may hold any character (a "/" made a path of it): the file is named by position.
      const dbPath = path.join(scratch, `variant-${Object.keys(variants).indexOf(label)}-${rep}.sqlite`);
      fs.copyFileSync(master, dbPath);
      const app = await startApp({
        command: command(flags),
        env: { ...env, ...envOf(flags), CHINOOK_DB: dbPath },
        workers: 1,
        cpus: '1',
        logFile: path.join(scratch, 'server.log'),
        cwd: root,
        adminToken,
      });
      try {
        const pid = app.workerPids[0] as number;
        const files = path.join(scratch, `requests-${Object.keys(variants).indexOf(label)}-${rep}`);
        const prepared = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'load', 'prepare.ts'), dbPath, files, '200'], { cwd: root });
        if (prepared.status !== 0) throw new Error(`prepare failed: ${prepared.stderr}`);
        const requestFile = requestFiles(files);
        const atStart = memoryOf(pid)?.rssMiB ?? 0;
        await runMix(app.url, requestFile, FULL_MIX, { connections: 100, seconds: 4, cpus: '0' });
        const phase = async (mix: Record<string, number>) => {
          let peak = 0;
          const sampler = setInterval(() => {
            peak = Math.max(peak, memoryOf(pid)?.rssMiB ?? 0);
          }, 100);
          const cpu0 = cpuSeconds([pid]);
          const classes = await runMix(app.url, requestFile, mix, { connections: 100, seconds, cpus: '0' });
          clearInterval(sampler);
          const requests = classes.reduce((n, c) => n + c.requests, 0);
          const rps = classes.reduce((n, c) => n + c.requests / c.seconds, 0);
          return `${Math.round(rps)}, ${(((cpuSeconds([pid]) - cpu0) * 1e6) / requests).toFixed(0)} µs, ${peak.toFixed(0)} MiB`;
        };
        const store = await phase(STORE_MIX);
        const full = await phase(FULL_MIX);
        const idle: string[] = [];
        for (let t = 1; t <= 30; t++) {
          await sleep(1000);
          if ([1, 5, 10, 20, 30].includes(t)) idle.push((memoryOf(pid)?.rssMiB ?? 0).toFixed(0));
        }
        console.log(`| ${label} | ${rep} | ${atStart.toFixed(0)} | ${store} | ${full} | ${idle.join(' / ')} |`);
      } finally {
        await app.stop();
      }
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${dbPath}${suffix}`, { force: true });
    }
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
