// Runs wrk in its own process (optionally pinned with taskset): one process for a whole mix,
// requests.lua choosing each request's class and timing each reply by the request id the
// server echoes (see the script for why one process), and reads the JSON lines it prints.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'requests.lua');

export interface WrkErrors {
  connect: number;
  read: number;
  write: number;
  timeout: number;
  status: number;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  /** wrk's socket errors and timeouts: counted per run, not per class (attached to the run's first class). */
  errors: WrkErrors;
  statuses: Record<string, number>;
  meanUs: number;
  maxUs: number;
  /** Latency at 0.1 %, 0.2 % … 100 %, in µs. */
  quantilesUs: number[];
}

export interface ClassResult extends WrkResult {
  name: string;
  /** Requests sent but not answered within the run (the ones in flight at its end included). */
  unanswered: number;
}

export interface WrkOptions {
  connections: number;
  seconds: number;
  /** taskset CPU list for wrk, or null to leave it unpinned. */
  cpus: string | null;
  timeoutSeconds?: number;
  /** Where in the request files to start (so runs do not replay the same writes). */
  offset?: number;
}

const parses = (json: string): boolean => {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
};

const NO_ERRORS: WrkErrors = { connect: 0, read: 0, write: 0, timeout: 0, status: 0 };

/** One wrk process over a mix ({class: share}); a class's requests come from `files(class)`. */
export function runMix(url: string, files: (name: string) => string, mix: Record<string, number>, o: WrkOptions): Promise<ClassResult[]> {
  const specs = Object.entries(mix).map(([name, share]) => `${name}:${share}:${files(name)}`);
  const args = [
    '-t1',
    `-c${o.connections}`,
    `-d${o.seconds}s`,
    '--timeout',
    `${o.timeoutSeconds ?? 2}s`,
    '-s',
    script,
    url,
    '--',
    String(o.offset ?? 0),
    ...specs,
  ];
  const [cmd, argv] = o.cpus ? ['taskset', ['-c', o.cpus, 'wrk', ...args]] : ['wrk', args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const lines = out.split('\n').filter((l) => l.startsWith('JSON:') && parses(l.slice(5)));
      // wrk's LuaJIT once died of a general protection fault while done() printed these lines
      // (2026-12-02 19:22 UTC, dmesg: "traps: wrk … in libluajit-5.1.so"): the run itself was
      // over. A result is kept when every class's line came out whole, whatever the exit.
      if (lines.length !== specs.length || (code !== 0 && code !== null)) return reject(new Error(`wrk exited ${code}: ${err || out}`));
      resolve(
        lines.map((line, i) => {
          const r = JSON.parse(line.slice(5)) as Omit<WrkResult, 'seconds'> & { class: string; sent: number; durationUs: number };
          return {
            name: r.class,
            requests: r.requests,
            unanswered: Math.max(0, r.sent - r.requests),
            seconds: r.durationUs / 1e6,
            errors: i === 0 ? r.errors : NO_ERRORS,
            statuses: r.statuses,
            meanUs: r.meanUs,
            maxUs: r.maxUs,
            quantilesUs: r.quantilesUs,
          };
        }),
      );
    });
  });
}

/** One class from one request file. */
export async function runWrk(url: string, file: string, o: WrkOptions): Promise<ClassResult> {
  const [result] = await runMix(url, () => file, { requests: 1 }, o);
  return result as ClassResult;
}

/** The q-quantile (0–1) of several classes' latencies together, each weighted by its request count. */
export function mergedQuantileUs(results: WrkResult[], q: number): number {
  const points: { us: number; weight: number }[] = [];
  for (const r of results) for (const us of r.quantilesUs) points.push({ us, weight: r.requests / r.quantilesUs.length });
  points.sort((a, b) => a.us - b.us);
  const total = points.reduce((s, p) => s + p.weight, 0);
  let seen = 0;
  for (const p of points) {
    seen += p.weight;
    if (seen >= q * total) return p.us;
  }
  return points.at(-1)?.us ?? Number.NaN;
}

export const quantileUs = (r: WrkResult, q: number): number =>
  r.quantilesUs[Math.min(r.quantilesUs.length - 1, Math.max(0, Math.round(q * 1000) - 1))] ?? Number.NaN;
