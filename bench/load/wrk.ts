// Runs wrk (in its own process, optionally pinned with taskset) over one request file per
// endpoint class and reads the JSON line that requests.lua prints. A mix is one wrk per class,
// all at once, connections split by the class's share: wrk's script cannot tell which
// connection a reply belongs to, so separate processes are how each class gets its own latency.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'requests.lua');

export interface WrkResult {
  requests: number;
  seconds: number;
  errors: { connect: number; read: number; write: number; timeout: number; status: number };
  statuses: Record<string, number>;
  meanUs: number;
  maxUs: number;
  /** Latency at 0.1 %, 0.2 % … 100 %, in µs. */
  quantilesUs: number[];
}

export interface ClassResult extends WrkResult {
  name: string;
  connections: number;
}

export interface WrkOptions {
  connections: number;
  seconds: number;
  /** taskset CPU list for wrk, or null to leave it unpinned. */
  cpus: string | null;
  timeoutSeconds?: number;
  /** Where in the request file to start (so runs do not replay the same writes). */
  offset?: number;
}

export function runWrk(url: string, file: string, o: WrkOptions): Promise<WrkResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, `--timeout`, `${o.timeoutSeconds ?? 2}s`, '-s', script, url, '--', file, String(o.offset ?? 0)];
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
      const json = out.split('\n').find((l) => l.startsWith('JSON:'));
      if (code !== 0 || !json) return reject(new Error(`wrk exited ${code}: ${err || out}`));
      const r = JSON.parse(json.slice(5)) as Omit<WrkResult, 'seconds'> & { durationUs: number };
      resolve({ ...r, seconds: r.durationUs / 1e6 });
    });
  });
}

/** Runs each class of `mix` ({class: share}) at once, splitting `connections` by share (at least 1 each). */
export async function runMix(url: string, files: (name: string) => string, mix: Record<string, number>, o: WrkOptions): Promise<ClassResult[]> {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const entries = Object.entries(mix).map(([name, share]) => ({ name, connections: Math.max(1, Math.round((share / total) * o.connections)) }));
  return Promise.all(
    entries.map(async (e) => ({ name: e.name, connections: e.connections, ...(await runWrk(url, files(e.name), { ...o, connections: e.connections })) })),
  );
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
