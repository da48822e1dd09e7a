// Starts a bench server script in its own Node process (so the load generator never shares
// its event loop), waits for the JSON line with its port, and stops it reliably. Servers exit
// when their stdin closes; a SIGKILL follows after 5 s, and on the bench's own exit.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BenchServer {
  url: string;
  pid: number;
  info: Record<string, unknown>;
  /** Sends one line on the server's stdin and resolves with the next line it prints. */
  ask(line: string): Promise<string>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startBenchServer(script: string, args: string[], env: Record<string, string>): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'servers', script), ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  };
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const nextLine = () => new Promise<string>((resolve) => (lines.length ? resolve(lines.shift() as string) : waiters.push(resolve)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not report its port within 120 s'), 120_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`${script} ${why}`));
    };
    const early = (code: number | null) => fail(`exited early (code ${code})`);
    child.once('exit', early);
    void nextLine().then((line) => {
      clearTimeout(timer);
      child.off('exit', early);
      const info = JSON.parse(line) as { port: number };
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        pid: child.pid as number,
        info,
        stop,
        async ask(question) {
          child.stdin?.write(`${question}\n`);
          return nextLine();
        },
      });
    });
  });
}
