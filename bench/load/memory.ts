// `npm run bench:memory [-- --seconds N]`: where a serving process's memory goes, and what each
// setting costs. Each variant is `npm start` (or the tsx loader) with one setting changed, on
// the same Chinook database, measured after start and after N s of mixed store traffic (wrk on
// CPU 0, the server on CPU 1), from /proc/<pid>/smaps (RSS per mapping), /proc/<pid>/status and
// the server's own /metrics (V8 heap, external memory). The first variant starts on an empty
// database, so it includes the import and the vector build. Writes bench/results/memory.md.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithUsageOnHelp, table } from '../lib.ts';
import { memoryOf, startApp } from './server.ts';
import { runMix } from './wrk.ts';

exitWithUsageOnHelp(import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const secondsArg = args.indexOf('--seconds');
const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 10;
// The issue's store mix (as bench:load) with logged-in plays (writes). Recommendations are left
// out: at ~7 ms of CPU each they take the core from everything else and the run serves a
// few hundred requests instead of tens of thousands (bench:load measures them). Orders too:
// each run would need its own fresh purchases.
const MIX = { track: 52, search: 14, similar: 10, album: 10, list: 5, top: 4, play: 5 };
const NPM_START = ['npm', 'start'];
const TSX = ['node', '--import', 'tsx', 'src/cli/main.ts', 'serve'];
// `npm start` without some of its settings (flags on the command line win over NODE_OPTIONS and
// the script sets the variable itself, so the variants that leave one of them out spell the
// command).
const START = (...flags: string[]) => ['node', '--max-semi-space-size=2', ...flags, 'scripts/start.mjs'];

interface Variant {
  label: string;
  command: string[];
  env?: Record<string, string>;
  fresh?: boolean;
}
const variants: Variant[] = [
  { label: 'npm start, first start (import + vectors)', command: NPM_START, fresh: true },
  { label: 'npm start, defaults', command: NPM_START },
  { label: 'tsx loader (the old npm start)', command: TSX },
  { label: 'only --max-semi-space-size=2 (npm start before 2026-11-30 18:40)', command: START() },
  { label: 'npm start without MALLOC_ARENA_MAX=1', command: START('--max-old-space-size=1024', '--heap-growing-percent=15') },
  { label: 'npm start without the heap cap and growth', command: START(), env: { MALLOC_ARENA_MAX: '1' } },
  { label: 'MALLOC_ARENA_MAX=2, V8 growth (npm start before 2026-12-01)', command: START('--max-old-space-size=1024'), env: { MALLOC_ARENA_MAX: '2' } },
  { label: 'CHINOOK_MMAP_SIZE=0', command: NPM_START, env: { CHINOOK_MMAP_SIZE: '0' } },
  { label: 'CHINOOK_CACHE_SIZE_KIB=8192', command: NPM_START, env: { CHINOOK_CACHE_SIZE_KIB: '8192' } },
  { label: 'CHINOOK_VECTOR_MEMORY_MIB=0', command: NPM_START, env: { CHINOOK_VECTOR_MEMORY_MIB: '0' } },
  { label: 'CHINOOK_CACHE=false', command: NPM_START, env: { CHINOOK_CACHE: 'false' } },
  { label: 'CHINOOK_CACHE_PRELOAD=false', command: NPM_START, env: { CHINOOK_CACHE_PRELOAD: 'false' } },
  { label: 'NODE_OPTIONS=--max-semi-space-size=1', command: NPM_START, env: { NODE_OPTIONS: '--max-semi-space-size=1' } },
  { label: 'NODE_OPTIONS=--max-semi-space-size=4', command: NPM_START, env: { NODE_OPTIONS: '--max-semi-space-size=4' } },
  { label: 'NODE_OPTIONS=--max-semi-space-size=2', command: NPM_START, env: { NODE_OPTIONS: '--max-semi-space-size=2' } },
  { label: 'semi-space 2 + CHINOOK_CACHE_SIZE_KIB=8192', command: NPM_START, env: { NODE_OPTIONS: '--max-semi-space-size=2', CHINOOK_CACHE_SIZE_KIB: '8192' } },
  { label: 'semi-space 2 + --optimize-for-size', command: NPM_START, env: { NODE_OPTIONS: '--max-semi-space-size=2 --optimize-for-size' } },
];
// `--only a,b`: the variants whose label contains one of these (the first start always runs: it makes the database).
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? (args[onlyArg + 1] ?? '').split(',') : null;
const chosen = variants.filter((v, i) => i === 0 || !only || only.some((o) => v.label.includes(o)));

const adminToken = randomBytes(16).toString('hex');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-memory-'));
const dbPath = path.join(scratch, 'chinook.sqlite');
const files = path.join(scratch, 'requests');
const logFile = path.join(scratch, 'server.log');
const mib = (kib: number) => (kib / 1024).toFixed(1);

/** RSS by mapping kind, from /proc/<pid>/smaps, in KiB. */
function mappings(pid: number): Record<string, number> {
  const out: Record<string, number> = { 'node binary': 0, 'database file (mmap)': 0, 'other files': 0, 'malloc [heap]': 0, 'anonymous mappings': 0, pss: 0 };
  let kind = '';
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1] ?? '';
      kind =
        name === ''
          ? 'anonymous mappings'
          : name === '[heap]'
            ? 'malloc [heap]'
            : name.startsWith(dbPath)
              ? 'database file (mmap)'
              : name === process.execPath || name.endsWith('/bin/node')
                ? 'node binary'
                : name.startsWith('[')
                  ? 'anonymous mappings'
                  : 'other files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1]);
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss) out.pss = (out.pss ?? 0) + Number(pss[1]);
  }
  return out;
}

/** The V8 heap and external memory as the server reports them (prom-client's default metrics). */
async function v8Of(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) / 1024;
  return { heapTotal: value('nodejs_heap_size_total_bytes'), heapUsed: value('nodejs_heap_size_used_bytes'), external: value('nodejs_external_memory_bytes') };
}

/** Seconds the server has spent in GC since it started, all kinds (prom-client's nodejs_gc_duration_seconds). */
async function gcSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
  return [...text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function cacheBytes(url: string): Promise<number> {
  const res = await fetch(`${url}/api/admin/cache/stats`, { headers: { authorization: `Bearer ${adminToken}` } });
  return res.ok ? ((await res.json()) as { total: { bytes: number } }).total.bytes / 1024 : 0;
}

async function snapshot(pid: number, url: string) {
  const m = memoryOf(pid);
  return { rss: (m?.rssMiB ?? 0) * 1024, hwm: (m?.peakMiB ?? 0) * 1024, maps: mappings(pid), v8: await v8Of(url), cache: await cacheBytes(url) };
}

const rows: (string | number)[][] = [];
const breakdown: (string | number)[][] = [];
const env = { CHINOOK_DB: dbPath, CHINOOK_ADMIN_TOKEN: adminToken } as Record<string, string>;
const sharedCopy = path.resolve(root, '..', 'shared', 'datasets', 'chinook', 'Chinook_Sqlite.sqlite');
if (!process.env.CHINOOK_SOURCE && fs.existsSync(sharedCopy)) env.CHINOOK_SOURCE = sharedCopy;
const startedAt = new Date();
const loadAtStart = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ');
try {
  for (const v of chosen) {
    console.error(`== ${v.label}`);
    const app = await startApp({ command: v.command, env: { ...env, ...v.env }, workers: 1, cpus: '1', logFile, cwd: root, adminToken });
    const pid = app.workerPids[0] as number;
    try {
      if (!fs.existsSync(path.join(files, 'track.txt'))) {
        const prepared = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'load', 'prepare.ts'), dbPath, files, '200'], { cwd: root });
        if (prepared.status !== 0) throw new Error(`prepare failed: ${prepared.stderr}`);
      }
      const atStart = await snapshot(pid, app.url);
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, memoryOf(pid)?.rssMiB ?? 0);
      }, 200);
      const gcBefore = await gcSeconds(app.url);
      const classes = await runMix(app.url, (name) => path.join(files, `${name}.txt`), MIX, { connections: 100, seconds, cpus: '0' });
      clearInterval(sampler);
      const gcUs = ((await gcSeconds(app.url)) - gcBefore) * 1e6;
      const requests = classes.reduce((n, c) => n + c.requests, 0);
      await new Promise((r) => setTimeout(r, 3000));
      const after = await snapshot(pid, app.url);
      const rps = classes.reduce((s, c) => s + c.requests / c.seconds, 0);
      const failed = classes.reduce((s, c) => s + Object.entries(c.statuses).reduce((n, [k, x]) => n + (k.startsWith('2') ? 0 : x), 0) + c.errors.timeout, 0);
      const statuses = [...new Set(classes.flatMap((c) => Object.keys(c.statuses)))].filter((k) => !k.startsWith('2'));
      rows.push([
        v.label,
        mib(atStart.rss),
        mib(atStart.hwm),
        peak.toFixed(1),
        mib(after.rss),
        mib(after.maps.pss ?? 0),
        mib(after.v8.heapTotal ?? 0),
        Math.round(rps),
        (gcUs / Math.max(1, requests)).toFixed(1),
        statuses.length ? `${failed} (${statuses.join(', ')})` : failed,
      ]);
      for (const [when, s] of [
        ['start', atStart],
        ['after load', after],
      ] as const) {
        breakdown.push([
          v.label,
          when,
          mib(s.rss),
          mib(s.maps['node binary'] ?? 0),
          mib(s.maps['database file (mmap)'] ?? 0),
          mib(s.maps['other files'] ?? 0),
          mib(s.maps['malloc [heap]'] ?? 0),
          mib(s.maps['anonymous mappings'] ?? 0),
          `${mib(s.v8.heapTotal ?? 0)} (${mib(s.v8.heapUsed ?? 0)})`,
          mib(s.v8.external ?? 0),
          mib(s.cache),
        ]);
      }
      console.error(`   RSS ${mib(atStart.rss)} → ${mib(after.rss)} MiB, peak ${peak.toFixed(1)}, ${Math.round(rps)} req/s`);
    } finally {
      await app.stop();
    }
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

const markdown = [
  '## Memory of one serving process (`npm run bench:memory`)',
  '',
  `- Date: ${startedAt.toISOString()}; load average ${loadAtStart} at start; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
  `- One worker pinned to CPU 1, wrk on CPU 0, 100 connections, ${seconds} s of mixed traffic (${Object.entries(MIX)
    .map(([k, n]) => `${n} % ${k}`)
    .join(', ')}); "after" is 3 s after the load. MiB throughout.`,
  '',
  table(
    [
      'variant',
      'RSS after start',
      'VmHWM at start',
      'peak RSS under load',
      'RSS after load',
      'PSS after load',
      'V8 heap total after',
      'req/s',
      'GC µs per request',
      'errors + non-2xx',
    ],
    rows,
  ),
  '',
  'Where the RSS is (from /proc/<pid>/smaps; V8 heap from the server’s /metrics, used in brackets; it lives in the anonymous mappings, as does external memory (ArrayBuffers: the vectors); "cache payload" is what the cache database holds, its pages are in malloc):',
  '',
  table(
    [
      'variant',
      'when',
      'RSS',
      'node binary',
      'database mmap',
      'other files',
      'malloc [heap]',
      'anonymous',
      'V8 heap total (used)',
      'external',
      'cache payload',
    ],
    breakdown,
  ),
  '',
].join('\n');
const out = path.join(root, 'bench', 'results', 'memory.md');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, markdown);
console.log(markdown);
