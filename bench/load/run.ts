// `npm run bench:load [-- --quick] [-- --seconds N] [-- --rounds N] [-- --command "node dist/cli/main.js serve"]`
//
// The store under load over HTTP, the way it is deployed: `npm start` with default settings on
// a fresh database (so the first start imports Chinook and builds the vectors), wrk in its own
// process. With one worker the server is pinned to CPU 1 and wrk to CPU 0; bare Fastify
// (the ceiling) runs pinned the same way and is measured between the app's runs, so every
// ratio compares neighbours in time. Two workers need both cores, so those runs are unpinned
// and wrk shares the cores. Writes bench/results/load.md and splices it into docs/BENCHMARKS.md.

import { execSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithUsageOnHelp, fmtRatio, replaceSection, table } from '../lib.ts';
import { startBenchServer } from '../servers/spawn.ts';
import { type FirstReplies, firstReplies } from './first-replies.ts';
import { cpuSeconds, requestFiles } from './request-files.ts';
import { type AppServer, childrenOf, commandOf, memoryOf, pin, startApp } from './server.ts';
import { type ClassResult, mergedQuantileUs, quantileUs, runMix, runWrk, type WrkResult } from './wrk.ts';

exitWithUsageOnHelp(import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const seconds = Number(flag('--seconds') ?? (quick ? 4 : 10));
// Three rounds by default: the median of three is the middle one, where the median of two was
// the lower round, and on this shared host one round in a few lands in a slow minute (bare
// Fastify at 13–15k req/s against 26–28k, 2026-12-02 11:07 and 13:22 UTC).
const rounds = Number(flag('--rounds') ?? (quick ? 1 : 3));
const command = (flag('--command') ?? 'npm start').split(' ');
// Another checkout to serve from (to compare two versions with the same load generator).
const cwd = path.resolve(flag('--cwd') ?? root);
const SERVER_CPU = '1';
const LOAD_CPU = '0';

// The issue's store traffic, and the same with logged-in users playing, buying and asking for recommendations.
const STORE_MIX = { track: 55, search: 15, similar: 10, album: 10, list: 5, top: 5 };
const FULL_MIX = { track: 47, search: 13, similar: 9, album: 9, list: 4, top: 4, play: 7, recommend: 5, order: 2 };

const adminToken = randomBytes(16).toString('hex');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-load-'));
const dbPath = path.join(scratch, 'chinook.sqlite');
const files = path.join(scratch, 'requests');
const logFile = path.join(scratch, 'server.log');
const say = (line: string) => console.error(`  ${line}`);
const commitOf = (dir: string) => {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return `(${dir} is not a git checkout)`;
  }
};
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

const requestFile = requestFiles(files);

// ---- memory, sampled while the load runs
const peaks = new Map<number, number>();
let sampler: NodeJS.Timeout | undefined;
function sampleMemory(pids: number[]): void {
  clearInterval(sampler);
  sampler = setInterval(() => {
    for (const pid of pids) {
      const m = memoryOf(pid);
      if (m) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, m.rssMiB));
    }
  }, 200);
  sampler.unref();
}

// ---- cache counters, summed over the workers by GET /metrics (the worker that takes the scrape asks the
// primary, which gathers every worker's). Asking /api/admin/cache/stats until each worker had answered
// stopped working once workers accept on their own: fresh connections at rest may all land on one.
async function cacheCounters(url: string): Promise<{ hits: number; misses: number }> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}`, connection: 'close' } });
  const text = await res.text();
  const total = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { hits: total('chinook_cache_hits_total'), misses: total('chinook_cache_misses_total') };
}

interface Run {
  label: string;
  workers: number;
  connections: number;
  classes: ClassResult[];
  hitRate: number | null;
  rps: number;
  /** Server CPU time (user + system, all its threads) per request answered, in µs. */
  cpuUsPerRequest: number;
  /** At 1,000 connections: 50 new visitors 1 s into the run, timed to their first reply. */
  visitors?: FirstReplies;
}

const runs: Run[] = [];

async function measure(
  label: string,
  url: string,
  mix: Record<string, number>,
  o: { connections: number; workers: number; pinned: boolean; cache?: boolean; pids: number[] },
): Promise<Run> {
  const before = o.cache === false ? null : await cacheCounters(url);
  const cpuBefore = cpuSeconds(o.pids);
  const visitors = o.connections >= 1000 ? firstReplies(url, { visitors: 50, delayMs: 1000, capMs: seconds * 1000 }) : undefined;
  const classes = await runMix(url, requestFile, mix, { connections: o.connections, seconds, cpus: o.pinned ? LOAD_CPU : null });
  const cpu = cpuSeconds(o.pids) - cpuBefore;
  const after = before && (await cacheCounters(url));
  const lookups = after && before ? after.hits + after.misses - before.hits - before.misses : 0;
  const rps = classes.reduce((s, c) => s + c.requests / c.seconds, 0);
  const cpuUsPerRequest =
    (cpu * 1e6) /
    Math.max(
      1,
      sum(classes, (c) => c.requests),
    );
  const run = {
    label,
    workers: o.workers,
    connections: o.connections,
    classes,
    rps,
    cpuUsPerRequest,
    hitRate: after && before && lookups ? (after.hits - before.hits) / lookups : null,
    visitors: await visitors,
  };
  runs.push(run);
  say(
    `${label}: ${Math.round(rps)} req/s, ${cpuUsPerRequest.toFixed(0)} µs CPU/request, p50 ${ms(mergedQuantileUs(classes, 0.5))}, p99 ${ms(mergedQuantileUs(classes, 0.99))}, ${failures(classes)}`,
  );
  return run;
}

const ms = (us: number) => (us >= 100_000 ? `${(us / 1000).toFixed(0)} ms` : `${(us / 1000).toFixed(1)} ms`);
const sum = (classes: WrkResult[], f: (c: WrkResult) => number) => classes.reduce((s, c) => s + f(c), 0);
const non2xx = (c: WrkResult, only?: string) =>
  Object.entries(c.statuses)
    .filter(([s]) => (only ? s === only : !s.startsWith('2')))
    .reduce((n, [, v]) => n + v, 0);
const socketErrors = (c: WrkResult) => c.errors.connect + c.errors.read + c.errors.write;
const failures = (classes: WrkResult[]) =>
  `${sum(classes, socketErrors)} socket errors, ${sum(classes, (c) => c.errors.timeout)} timeouts, ${sum(classes, (c) => non2xx(c))} non-2xx (${sum(classes, (c) => non2xx(c, '503'))} × 503)`;

async function waitGone(pids: number[]): Promise<void> {
  for (let i = 0; i < 100 && pids.some((p) => fs.existsSync(`/proc/${p}`)); i++) await new Promise((r) => setTimeout(r, 100));
}

function memoryRows(server: AppServer, when: string): (string | number)[][] {
  // With two workers, the process that forked them is the cluster primary; the rest (npm, sh) wrap.
  const isPrimary = (pid: number) => server.workerPids.length > 1 && childrenOf(pid).some((c) => server.workerPids.includes(c));
  return server.treePids().map((pid) => {
    const m = memoryOf(pid);
    const worker = server.workerPids.includes(pid);
    const cmd = commandOf(pid).replace(root, '.').slice(0, 70);
    return [
      when,
      worker ? 'serving' : isPrimary(pid) ? 'cluster primary' : 'wrapper',
      `\`${cmd}\``,
      m ? m.rssMiB.toFixed(0) : '—',
      m ? m.anonMiB.toFixed(0) : '—',
      m ? m.peakMiB.toFixed(0) : '—',
      worker ? (peaks.get(pid)?.toFixed(0) ?? '—') : '',
    ];
  });
}

// ------------------------------------------------------------------------------------------
const startedAt = new Date();
const loadAtStart = loadAverage();
const env: Record<string, string> = { CHINOOK_DB: dbPath, CHINOOK_ADMIN_TOKEN: adminToken };
// A checkout elsewhere (--cwd) does not sit beside shared/: point it at this one's copy of Chinook.
const sharedCopy = path.resolve(root, '..', 'shared', 'datasets', 'chinook', 'Chinook_Sqlite.sqlite');
if (!process.env.CHINOOK_SOURCE && fs.existsSync(sharedCopy)) env.CHINOOK_SOURCE = sharedCopy;
const out: string[] = [];
const memory: (string | number)[][] = [];

console.error(`== load test (scratch ${scratch})`);
const bare = await startBenchServer('bare-server.ts', ['1024'], {});
pin(bare.pid, SERVER_CPU);
say(`bare Fastify up, ${bare.info.bytes} bytes of JSON a reply`);

let one: AppServer | undefined;
let two: AppServer | undefined;
let twoRoundRobin: AppServer | undefined;
try {
  say(`starting \`${command.join(' ')}\` (first start: import + vectors), pinned to CPU ${SERVER_CPU}`);
  one = await startApp({ command, env, workers: 1, cpus: SERVER_CPU, logFile, cwd, adminToken });
  say(`ready in ${(one.startMs / 1000).toFixed(1)} s, worker ${one.workerPids.join(', ')}`);
  memory.push(...memoryRows(one, 'after the first start'));
  const prepared = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'load', 'prepare.ts'), dbPath, files, '200'], { cwd: root });
  if (prepared.status !== 0) throw new Error(`prepare failed: ${prepared.stderr}`);
  say(`prepared ${prepared.stdout.toString().trim()}`);
  sampleMemory(one.workerPids);

  // Warm-up: every class once (JIT, statement caches, the cache database), not reported.
  await runMix(one.url, requestFile, FULL_MIX, { connections: 100, seconds: Math.max(3, seconds / 2), cpus: LOAD_CPU });
  fs.writeFileSync(path.join(files, 'bare.txt'), 'GET\t/\n');
  await runWrk(bare.url, path.join(files, 'bare.txt'), { connections: 100, seconds: 2, cpus: LOAD_CPU });

  const logBefore = fs.statSync(logFile).size;
  let appRequests = 0;
  const ceiling: { round: number; label: string; app: Run; bareBefore: Run; bareAfter: Run }[] = [];
  const bareRun = (round: number) =>
    measure(`round ${round}: bare Fastify`, bare.url, { bare: 1 }, { connections: 100, workers: 1, pinned: true, cache: false, pids: [bare.pid] });
  for (let r = 1; r <= rounds; r++) {
    let previous = await bareRun(r);
    for (const [label, mix] of [
      ['GET /health', { health: 1 }],
      ['GET /api/tracks/:id (cached)', { track: 1 }],
      ['store mix (the issue’s)', STORE_MIX],
      ['store mix + logged-in plays, orders, recommendations', FULL_MIX],
    ] as const) {
      const app = await measure(`round ${r}: ${label}`, one.url, mix, { connections: 100, workers: 1, pinned: true, pids: one.workerPids });
      appRequests += sum(app.classes, (c) => c.requests);
      const next = await bareRun(r);
      ceiling.push({ round: r, label, app, bareBefore: previous, bareAfter: next });
      previous = next;
    }
  }
  const logBytes = fs.statSync(logFile).size - logBefore;
  // The issue's "after the mixed load": the 100-connection rounds (store and full mixes), before the 1,000-connection run.
  await new Promise((r) => setTimeout(r, 5000));
  memory.push(...memoryRows(one, 'after the 100-connection rounds (5 s idle)'));
  // And once V8's memory reducer has had its turn (it starts 8 s after allocation stops): in 4
  // of 7 runs of bench/load/flags.ts the RSS fell by 14–18 MiB within 30 s (docs/benchmarks-http.md).
  await new Promise((r) => setTimeout(r, 25_000));
  memory.push(...memoryRows(one, 'after the 100-connection rounds (30 s idle)'));
  await measure('1 worker, 1,000 connections, full mix', one.url, FULL_MIX, { connections: 1000, workers: 1, pinned: true, pids: one.workerPids });
  await new Promise((r) => setTimeout(r, 5000));
  memory.push(...memoryRows(one, 'after the 1,000-connection full mix (5 s idle)'));
  const onePids = one.treePids();
  await one.stop();
  await waitGone(onePids);

  say('starting 2 workers (unpinned: they need both cores; wrk shares them)');
  two = await startApp({ command, env, workers: 2, cpus: null, logFile, cwd, adminToken });
  memory.push(...memoryRows(two, '2 workers, after start'));
  sampleMemory(two.workerPids);
  await runMix(two.url, requestFile, FULL_MIX, { connections: 100, seconds: Math.max(3, seconds / 2), cpus: null });
  await measure('2 workers, 100 connections, full mix', two.url, FULL_MIX, { connections: 100, workers: 2, pinned: false, pids: two.workerPids });
  await measure('2 workers, 1,000 connections, full mix', two.url, FULL_MIX, { connections: 1000, workers: 2, pinned: false, pids: two.workerPids });
  await new Promise((r) => setTimeout(r, 5000));
  memory.push(...memoryRows(two, '2 workers, after the load (5 s idle)'));
  const twoPids = two.treePids();
  await two.stop();
  await waitGone(twoPids);
  two = undefined;

  // The same steps with Node's round-robin, the primary handing out connections (src/cli/cluster-accept.ts).
  say('starting 2 workers with CHINOOK_CLUSTER_ACCEPT=primary');
  twoRoundRobin = await startApp({ command, env: { ...env, CHINOOK_CLUSTER_ACCEPT: 'primary' }, workers: 2, cpus: null, logFile, cwd, adminToken });
  await runMix(twoRoundRobin.url, requestFile, FULL_MIX, { connections: 100, seconds: Math.max(3, seconds / 2), cpus: null });
  for (const connections of [100, 1000]) {
    await measure(
      `2 workers, the primary accepting (CHINOOK_CLUSTER_ACCEPT=primary), ${connections.toLocaleString('en-US')} connections, full mix`,
      twoRoundRobin.url,
      FULL_MIX,
      { connections, workers: 2, pinned: false, pids: twoRoundRobin.workerPids },
    );
  }

  // ---------------------------------------------------------------------------------------
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
  const labels = [...new Set(ceiling.map((c) => c.label))];
  out.push(
    `- Command: \`npm run bench:load${args.length ? ` -- ${args.join(' ')}` : ''}\` (server: \`${command.join(' ')}\`${cwd === root ? '' : ` in ${cwd}`}, default settings on a fresh database; \`CHINOOK_ADMIN_TOKEN\` set for the cache stats)`,
    `- Date: ${startedAt.toISOString()}; load average (1/5/15 min) ${loadAtStart} at start, ${loadAverage()} at the end`,
    `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${execSync('wrk -v 2>&1 || true').toString().split('\n')[0]?.split(' [')[0]}, commit ${commitOf(cwd)}`,
    `- ${seconds} s per run, ${rounds} round(s); one worker: server on CPU ${SERVER_CPU}, wrk on CPU ${LOAD_CPU}; bare Fastify (a fixed ${bare.info.bytes}-byte JSON) pinned like the server and measured before and after each app run. Latency is over HTTP, measured by wrk: a mix is one wrk process choosing each request's class by share (bench/load/requests.lua), and each class's latency is timed by the request id the server echoes.`,
    '',
    '### Share of the bare-Fastify ceiling (1 worker, pinned, 100 connections)',
    '',
    'Ratio = the run’s req/s ÷ the mean of the bare runs just before and after it. CPU ratio = bare CPU time per request ÷ the app’s (user + system time of the server process and all its threads, from /proc): what the req/s ratio would be if both servers had their core to themselves, so it moves far less than req/s when other work shares the core.',
    '',
    table(
      [
        'traffic',
        'round',
        'req/s',
        'bare req/s',
        'ratio',
        'CPU µs/request (bare)',
        'CPU ratio',
        'p50 (bare)',
        'p99 (bare)',
        'errors + timeouts + non-2xx',
        'cache hit rate',
      ],
      ceiling.map((c) => {
        const b = [c.bareBefore, c.bareAfter];
        const bareRps = (b[0]!.rps + b[1]!.rps) / 2;
        const bareCpu = (b[0]!.cpuUsPerRequest + b[1]!.cpuUsPerRequest) / 2;
        const bp = (q: number) => ms((mergedQuantileUs(b[0]!.classes, q) + mergedQuantileUs(b[1]!.classes, q)) / 2);
        return [
          c.label,
          c.round,
          Math.round(c.app.rps),
          Math.round(bareRps),
          fmtRatio(c.app.rps / bareRps),
          `${c.app.cpuUsPerRequest.toFixed(0)} (${bareCpu.toFixed(0)})`,
          fmtRatio(bareCpu / c.app.cpuUsPerRequest),
          `${ms(mergedQuantileUs(c.app.classes, 0.5))} (${bp(0.5)})`,
          `${ms(mergedQuantileUs(c.app.classes, 0.99))} (${bp(0.99)})`,
          sum(c.app.classes, (x) => socketErrors(x) + x.errors.timeout + non2xx(x)),
          c.app.hitRate === null ? '—' : `${(c.app.hitRate * 100).toFixed(1)} %`,
        ];
      }),
    ),
    '',
    `Median ratio over the rounds (${rounds === 2 ? 'of two: the lower' : rounds % 2 === 0 ? 'the lower of the middle two' : 'the middle one'}): ${labels
      .map((l) => {
        const of = ceiling.filter((c) => c.label === l);
        const rs = of.map((c) => c.app.rps / ((c.bareBefore.rps + c.bareAfter.rps) / 2));
        const cpu = of.map((c) => (c.bareBefore.cpuUsPerRequest + c.bareAfter.cpuUsPerRequest) / 2 / c.app.cpuUsPerRequest);
        return `${l} **${fmtRatio(median(rs))}** (CPU ratio ${fmtRatio(median(cpu))})`;
      })
      .join('; ')}.`,
    '',
    `Log written at the default level during the ceiling rounds: ${(logBytes / Math.max(1, appRequests)).toFixed(1)} bytes per request (${(logBytes / 1024).toFixed(0)} KiB for ${appRequests.toLocaleString('en-US')} requests).`,
    '',
    '### Every run',
    '',
    table(
      ['run', 'req/s', 'CPU µs/request', 'p50', 'p95', 'p99', 'max', 'socket errors', 'timeouts', 'non-2xx', 'of which 503', 'cache hit rate'],
      runs.map((r) => [
        r.label,
        Math.round(r.rps),
        r.cpuUsPerRequest.toFixed(0),
        ms(mergedQuantileUs(r.classes, 0.5)),
        ms(mergedQuantileUs(r.classes, 0.95)),
        ms(mergedQuantileUs(r.classes, 0.99)),
        ms(Math.max(...r.classes.map((c) => c.maxUs))),
        sum(r.classes, socketErrors),
        sum(r.classes, (c) => c.errors.timeout),
        sum(r.classes, (c) => non2xx(c)),
        sum(r.classes, (c) => non2xx(c, '503')),
        r.hitRate === null ? '—' : `${(r.hitRate * 100).toFixed(1)} %`,
      ]),
    ),
    '',
    '### New visitors during the 1,000-connection runs',
    '',
    'Fifty fresh connections opened together 1 s into the run, each asking for one track page, timed to its first reply (bench/load/first-replies.ts). wrk’s timeouts count late replies but not connections that get none.',
    '',
    table(
      ['run', 'visitors', 'first reply p50', 'p90', 'max', `no reply within ${seconds} s`],
      runs
        .filter((r) => r.visitors)
        .map((r) => {
          const v = r.visitors as FirstReplies;
          const t = (x: number) => (Number.isNaN(x) ? '—' : ms(x * 1000));
          return [r.label, v.visitors, t(v.p50Ms), t(v.p90Ms), t(v.maxMs), v.unanswered];
        }),
    ),
    '',
    '### Per endpoint class, in the mixed runs',
    '',
    table(
      ['run', 'class', 'share of requests', 'req/s', 'p50', 'p95', 'p99', 'max', 'non-2xx (statuses)', 'sent, not answered in the run'],
      runs
        .filter((r) => r.classes.length > 1)
        .flatMap((r) => {
          const total = sum(r.classes, (c) => c.requests);
          return r.classes.map((c) => [
            r.label,
            c.name,
            `${((c.requests / total) * 100).toFixed(1)} %`,
            Math.round(c.requests / c.seconds),
            ms(quantileUs(c, 0.5)),
            ms(quantileUs(c, 0.95)),
            ms(quantileUs(c, 0.99)),
            ms(c.maxUs),
            Object.entries(c.statuses)
              .filter(([s]) => !s.startsWith('2'))
              .map(([s, n]) => `${n} × ${s}`)
              .join(', ') || 0,
            c.unanswered,
          ]);
        }),
    ),
    '',
    '### Memory (from /proc: VmRSS, RssAnon, VmHWM = the peak since the process started; "peak under load" sampled every 200 ms)',
    '',
    table(['when', 'process', 'command', 'RSS MiB', 'anonymous MiB', 'VmHWM MiB', 'peak under load MiB'], memory),
  );
} catch (err) {
  if (fs.existsSync(logFile)) console.error(`server log (last lines):\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')}`);
  throw err;
} finally {
  clearInterval(sampler);
  await one?.stop();
  await two?.stop();
  await twoRoundRobin?.stop();
  await bare.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
}

const markdown = `## Load test (wrk, \`npm run bench:load\`)\n\n${out.join('\n')}\n`;
const resultFile = path.join(root, 'bench', 'results', 'load.md');
fs.mkdirSync(path.dirname(resultFile), { recursive: true });
fs.writeFileSync(resultFile, markdown);
// Splice into docs/BENCHMARKS.md: replace the section if it is there, else append it.
const docs = path.join(root, 'docs', 'BENCHMARKS.md');
fs.writeFileSync(docs, replaceSection(fs.readFileSync(docs, 'utf8'), markdown));
console.error(`wrote ${path.relative(root, resultFile)} and its section of docs/BENCHMARKS.md`);
