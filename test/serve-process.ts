// The `chinook` CLI as real child processes: a one-off command, and `chinook serve` on a given
// database file in its own process group (so a test can SIGKILL the primary and its workers at
// once, as a machine crash would). Our own CHINOOK_* variables are not passed on.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { promisify } from 'node:util';
import { projectRoot } from '../src/config.ts';

const inheritedEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHINOOK_') && !k.startsWith('NODE_TEST')));

/** Runs `chinook ARGS` to the end; never throws on a non-zero exit. */
export async function runChinook(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: projectRoot,
      env: { ...inheritedEnv(), ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** SIGKILL to the whole group. */
  kill(): void;
  /** SIGTERM (a clean shutdown), resolved when the process has exited. */
  stop(): Promise<void>;
}

/** Starts `chinook serve` and resolves once /health/ready answers 200. */
export async function startServe(dbPath: string, options: { workers?: number; env?: Record<string, string> } = {}): Promise<ServeProcess> {
  const port = await freePort();
  const args = [
    '--import',
    'tsx',
    'src/cli/main.ts',
    '--db',
    dbPath,
    'serve',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--workers',
    String(options.workers ?? 1),
  ];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    detached: true,
    stdio: 'ignore',
    // No load shedding (as in testConfig): a loaded CI host plus a burst of registrations
    // (zxcvbn runs on the event loop) lagged a test server past 1 s and a write got a 503.
    env: { ...inheritedEnv(), LOG_LEVEL: 'silent', CHINOOK_CACHE_PRELOAD: 'false', CHINOOK_START_CHECK: 'off', CHINOOK_OVERLOAD_DELAY_MS: '0', ...options.env },
  });
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {}
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) {
        return {
          child,
          url,
          kill: () => group('SIGKILL'),
          async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const exited = once(child, 'exit');
            group('SIGTERM');
            await exited;
          },
        };
      }
    } catch {}
    if (child.exitCode !== null) throw new Error(`chinook serve exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  group('SIGKILL');
  throw new Error('chinook serve did not become ready in 60 s');
}
