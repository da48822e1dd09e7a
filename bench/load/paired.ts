// `npx tsx bench/load/paired.ts [--before <mix>] [--both] [--measure <mix>] [--reps N] [--seconds N] [--b-cwd DIR] [--b-flags "…"] [--b-env K=V,…]`
//
// Does what a server has served change what a request costs it? Two servers (A and B) of the
// same database, started as `npm start` starts a worker (its node flags and environment, read
// from package.json), both pinned to CPU 1 with wrk on CPU 0, 100 connections. B first serves
// `--before` for 8 s (A too with `--both`); then A and B take turns, `--reps` runs of
// `--seconds` each of `--measure`, and the tool prints each run's CPU µs a request and the
// median of B ÷ A over the pairs. This host's speed moves 2× within minutes; runs of a few
// seconds, alternating, put both servers in the same minute, which runs of one server before
// and after cannot.
//
// B may also be another checkout (`--b-cwd`, built: `npm run build` there), other node flags
// (`--b-flags`) or environment (`--b-env`), to compare builds or settings in the same state.
// Mixes are bench:load's classes with shares: `track:1`, `track:47,search:13,…,order:2`;
// `full` and `store` are bench:load's two mixes.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithUsageOnHelp } from '../lib.ts';
import { cpuSeconds, requestFiles } from './request-files.ts';
import { npmStartSettings, startApp } from './server.ts';
import { runMix } from './wrk.ts';

exitWithUsageOnHelp(import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(name) ? (args[args.indexOf(name) + 1] ?? fallback) : fallback);
const MIXES: Record<string, string> = {
  full: 'track:47,search:13,similar:9,album:9,list:4,top:4,play:7,recommend:5,order:2',
  store: 'track:55,search:15,similar:10,album:10,list:5,top:5',
};
const parseMix = (value: string): Record<string, number> =>
  Object.fromEntries((MIXES[value] ?? value).split(',').map((part) => [part.split(':')[0] as string, Number(part.split(':')[1] ?? 1)]));
const before = flag('--before', 'full');
const measured = parseMix(flag('--measure', 'track:1'));
const reps = Number(flag('--reps', '10'));
const seconds = Number(flag('--seconds', '2'));
const bCwd = path.resolve(flag('--b-cwd', root));
const bFlags = flag('--b-flags', '').split(' ').filter(Boolean);
const bEnv = Object.fromEntries(
  flag('--b-env', '')
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

const adminToken = randomBytes(16).toString('hex');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-paired-'));
const files = path.join(scratch, 'requests');
const dbA = path.join(scratch, 'a.sqlite');
const dbB = path.join(scratch, 'b.sqlite');
const source = path.resolve(root, '..', 'shared', 'datasets', 'chinook', 'Chinook_Sqlite.sqlite');
const npmStart = npmStartSettings(root);
const server = (db: string, cwd: string, extraEnv: Record<string, string>, extraFlags: string[]) =>
  startApp({
    command: ['node', ...npmStart.nodeFlags, ...extraFlags, 'scripts/start.mjs'],
    env: { ...npmStart.env, CHINOOK_DB: db, CHINOOK_ADMIN_TOKEN: adminToken, ...(fs.existsSync(source) ? { CHINOOK_SOURCE: source } : {}), ...extraEnv },
    workers: 1,
    cpus: '1',
    logFile: path.join(scratch, 'server.log'),
    cwd,
    adminToken,
  });

try {
  // The first start imports Chinook; B gets a copy of the same database.
  await (await server(dbA, root, {}, [])).stop();
  const prepared = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'load', 'prepare.ts'), dbA, files, '200'], { cwd: root });
  if (prepared.status !== 0) throw new Error(`prepare failed: ${prepared.stderr}`);
  fs.copyFileSync(dbA, dbB);
  const a = await server(dbA, root, {}, []);
  const b = await server(dbB, bCwd, bEnv, bFlags);
  try {
    const requestFile = requestFiles(files);
    const load = { connections: 100, seconds, cpus: '0' };
    for (const s of [a, b]) await runMix(s.url, requestFile, measured, { ...load, seconds: 4 });
    await runMix(b.url, requestFile, parseMix(before), { ...load, seconds: 8 });
    if (args.includes('--both')) await runMix(a.url, requestFile, parseMix(before), { ...load, seconds: 8 });
    for (const s of [a, b]) await runMix(s.url, requestFile, measured, { ...load, seconds: 3 });
    const cpuUs = async (s: typeof a) => {
      const cpu0 = cpuSeconds(s.workerPids);
      const classes = await runMix(s.url, requestFile, measured, load);
      return ((cpuSeconds(s.workerPids) - cpu0) * 1e6) / classes.reduce((n, c) => n + c.requests, 0);
    };
    const usA: number[] = [];
    const usB: number[] = [];
    for (let r = 0; r < reps; r++) {
      usA.push(await cpuUs(a));
      usB.push(await cpuUs(b));
    }
    const ratios = usB.map((x, i) => x / (usA[i] as number)).sort((p, q) => p - q);
    const median = ratios[Math.floor((ratios.length - 1) / 2)] as number;
    const show = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
    const who = `B${args.includes('--both') ? ' (and A)' : ''} served "${before}" for 8 s`;
    const bIs = [bCwd !== root && `checkout ${bCwd}`, bFlags.length && bFlags.join(' '), Object.keys(bEnv).length && JSON.stringify(bEnv)]
      .filter(Boolean)
      .join(', ');
    console.log(`${new Date().toISOString()} ${who}${bIs ? `; B is ${bIs}` : ''}`);
    console.log(`CPU µs a request of ${JSON.stringify(measured)}: A ${show(usA)} | B ${show(usB)} | median B ÷ A ${median.toFixed(3)}`);
  } finally {
    await a.stop();
    await b.stop();
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
process.exit(0);
