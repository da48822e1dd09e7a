// `npx tsx bench/load/ab.ts [--variants "A;B"] [--reps N] [--seconds N] [--connections N] [--workers N] [--mix full|store|class:share,...] [--pin]`
//
// Alternating A/B of server settings under one load: each run starts `npm start` afresh with the
// variant's environment on the same database (prepared once, as bench:load prepares it), warms
// up for 4 s at 100 connections, then measures. A variant is `NAME=value,NAME=value` (empty: the
// defaults). Reports req/s, server CPU µs per request (from /proc, all the workers' threads),
// wrk's errors, 503s, latency, and at 1,000 connections or more the first replies of 50 new
// visitors 1 s into the run (first-replies.ts). On this shared host compare variants of the same
// invocation only: they alternate so that a slow minute falls on both.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithUsageOnHelp } from '../lib.ts';
import { firstReplies } from './first-replies.ts';
import { cpuSeconds, requestFiles } from './request-files.ts';
import { startApp } from './server.ts';
import { mergedQuantileUs, runMix } from './wrk.ts';

exitWithUsageOnHelp(import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const variants = flag('--variants', 'CHINOOK_TURN_BUDGET_US=0;').split(';');
const reps = Number(flag('--reps', '2'));
const seconds = Number(flag('--seconds', '12'));
const connections = Number(flag('--connections', '1000'));
const workers = Number(flag('--workers', '2'));
const pinned = args.includes('--pin');
const MIXES = {
  full: { track: 47, search: 13, similar: 9, album: 9, list: 4, top: 4, play: 7, recommend: 5, order: 2 },
  store: { track: 55, search: 15, similar: 10, album: 10, list: 5, top: 5 },
};
// `--mix play:1` measures one endpoint class alone; `track:47,play:7` any blend of them.
const CLASSES = [...Object.keys(MIXES.full), 'health'];
function parseMix(value: string): Record<string, number> {
  if (value in MIXES) return MIXES[value as keyof typeof MIXES];
  const mix: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [name = '', share = ''] = part.split(':');
    if (!CLASSES.includes(name) || !(Number(share) > 0)) {
      throw new Error(`--mix ${value}: give full, store, or class:share,... with classes from ${CLASSES.join(', ')} and shares > 0`);
    }
    mix[name] = Number(share);
  }
  return mix;
}
const mix = parseMix(flag('--mix', 'full'));

const adminToken = randomBytes(16).toString('hex');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-ab-'));
const dbPath = path.join(scratch, 'chinook.sqlite');
const files = path.join(scratch, 'requests');
const logFile = path.join(scratch, 'server.log');
const env: Record<string, string> = { CHINOOK_DB: dbPath, CHINOOK_ADMIN_TOKEN: adminToken };
const sharedCopy = path.resolve(root, '..', 'shared', 'datasets', 'chinook', 'Chinook_Sqlite.sqlite');
if (!process.env.CHINOOK_SOURCE && fs.existsSync(sharedCopy)) env.CHINOOK_SOURCE = sharedCopy;

const requestFile = requestFiles(files);

const parseVariant = (v: string): Record<string, string> =>
  Object.fromEntries(
    v
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

console.error(`== A/B (scratch ${scratch}): first start imports Chinook`);
const first = await startApp({ command: ['npm', 'start'], env, workers: 1, cpus: null, logFile, cwd: root, adminToken });
const prepared = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'load', 'prepare.ts'), dbPath, files, '200'], { cwd: root });
if (prepared.status !== 0) throw new Error(`prepare failed: ${prepared.stderr}`);
await first.stop();

console.log(`${connections} connections, ${workers} worker(s)${pinned ? ', pinned' : ''}, ${seconds} s a run; ${new Date().toISOString()}`);
for (let rep = 0; rep < reps; rep++) {
  for (const variant of variants) {
    const app = await startApp({
      command: ['npm', 'start'],
      env: { ...env, ...parseVariant(variant) },
      workers,
      cpus: pinned ? '1' : null,
      logFile,
      cwd: root,
      adminToken,
    });
    await runMix(app.url, requestFile, mix, { connections: 100, seconds: 4, cpus: pinned ? '0' : null });
    const cpuBefore = cpuSeconds(app.workerPids);
    const visitors = connections >= 1000 ? firstReplies(app.url, { visitors: 50, delayMs: 1000, capMs: seconds * 1000 }) : null;
    const classes = await runMix(app.url, requestFile, mix, { connections, seconds, cpus: pinned ? '0' : null });
    const requests = classes.reduce((s, c) => s + c.requests, 0);
    const cpuUs = ((cpuSeconds(app.workerPids) - cpuBefore) * 1e6) / Math.max(1, requests);
    const count = (f: (c: (typeof classes)[number]) => number) => classes.reduce((s, c) => s + f(c), 0);
    const v = await visitors;
    const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`;
    console.log(
      [
        `${new Date().toISOString().slice(11, 19)} ${variant || '(defaults)'}`,
        `${Math.round(count((c) => c.requests / c.seconds))} req/s`,
        `${cpuUs.toFixed(0)} µs CPU/request`,
        `p50 ${ms(mergedQuantileUs(classes, 0.5))} p99 ${ms(mergedQuantileUs(classes, 0.99))} max ${ms(Math.max(...classes.map((c) => c.maxUs)))}`,
        `timeouts ${count((c) => c.errors.timeout)}, socket errors ${count((c) => c.errors.connect + c.errors.read + c.errors.write)}, 503 ${count((c) => c.statuses['503'] ?? 0)}`,
        v ? `visitors' first reply p50 ${v.p50Ms.toFixed(0)} ms, max ${v.maxMs.toFixed(0)} ms, none within ${seconds} s: ${v.unanswered}/${v.visitors}` : '',
      ]
        .filter(Boolean)
        .join(' | '),
    );
    await app.stop();
  }
}
fs.rmSync(scratch, { recursive: true, force: true });
