// The server under load, started as a user would (`npm start`, default settings), in its own
// process group so the whole tree (npm, the server, its workers) stops together; and the
// memory of its serving processes, read from /proc.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * `npm start`'s environment settings and node flags, read from package.json's start script
 * (`NAME=value … node --flag … scripts/start.mjs`), for the tools that start node directly with
 * a variant on top: written out by hand in them, they drifted from package.json.
 */
export function npmStartSettings(root: string): { env: Record<string, string>; nodeFlags: string[] } {
  const script = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = script.split(/\s+/).filter(Boolean);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[i] as string); i++) {
    const word = words[i] as string;
    env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  }
  if (words[i] !== 'node') throw new Error(`package.json's start script does not run node: ${script}`);
  return { env, nodeFlags: words.slice(i + 1).filter((w) => w.startsWith('--')) };
}

export interface AppServer {
  url: string;
  /** The processes that answer requests (one, or the cluster's workers). */
  workerPids: number[];
  /** Every process of the tree (npm, wrappers, cluster primary, workers). */
  treePids(): number[];
  startMs: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid) killGroup(child.pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Children of `pid`, recursively (from /proc/<pid>/task/<pid>/children). */
/** The processes a process started, from /proc; [] once it is gone. */
export function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function descendants(pid: number): number[] {
  return childrenOf(pid).flatMap((c) => [c, ...descendants(c)]);
}

export interface Memory {
  rssMiB: number;
  peakMiB: number;
  anonMiB: number;
  fileMiB: number;
}

/** VmRSS, VmHWM (the peak since the process started), anonymous and file-backed resident memory. */
export function memoryOf(pid: number): Memory | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
    return { rssMiB: kib('VmRSS'), peakMiB: kib('VmHWM'), anonMiB: kib('RssAnon'), fileMiB: kib('RssFile') + kib('RssShmem') };
  } catch {
    return null;
  }
}

export const commandOf = (pid: number): string => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '?';
  }
};

export async function startApp(options: {
  command: string[];
  env: Record<string, string>;
  workers: number;
  /** taskset CPU list for the whole tree, or null. */
  cpus: string | null;
  logFile: string;
  cwd: string;
  /** Sent as a bearer token: /health names the answering pid to admins only. */
  adminToken: string;
}): Promise<AppServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const argv = options.cpus ? ['taskset', '-c', options.cpus, ...options.command] : options.command;
  const log = fs.openSync(options.logFile, 'a');
  const started = performance.now();
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, HOST: '127.0.0.1', PORT: String(port), CHINOOK_WORKERS: String(options.workers) },
    stdio: ['ignore', log, log],
    detached: true,
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // The first start imports Chinook and builds the vectors: minutes on a busy host.
  const deadline = Date.now() + 600_000;
  const pids = new Set<number>();
  while (pids.size < options.workers) {
    if (gone) throw new Error(`the server exited during start-up; see ${options.logFile}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer /health within 10 minutes; see ${options.logFile}`);
    try {
      // A new connection each time, so the cluster hands it to any worker.
      const res = await fetch(`${url}/health`, { headers: { connection: 'close', authorization: `Bearer ${options.adminToken}` } });
      if (res.ok) pids.add(((await res.json()) as { pid: number }).pid);
    } catch {
      // not listening yet
    }
    if (pids.size < options.workers) await new Promise((r) => setTimeout(r, 100));
  }
  const startMs = performance.now() - started;
  fs.closeSync(log);
  return {
    url,
    workerPids: [...pids],
    startMs,
    treePids: () => (child.pid ? [child.pid, ...descendants(child.pid)] : []),
    async stop() {
      if (child.pid) killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && killGroup(child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      running.delete(child);
    },
  };
}

/** Pins a running process and all its threads (the bare server, started by bench/servers/spawn.ts). */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}
