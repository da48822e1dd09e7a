// Test fixtures: a real SQLite file in a fresh temp folder, imported from the real
// Chinook source, and a real HTTP server on a free port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Config, type ConfigOverrides, loadConfig } from '../src/config.ts';
import { type AppContext, createContext } from '../src/context.ts';
import { type Db, openPrimary } from '../src/db/connection.ts';
import { buildApp } from '../src/http/app.ts';
import { importOfficial } from '../src/importer/official.ts';
import { sharedDatasetPath } from '../src/importer/source.ts';

export const chinookSource = process.env.CHINOOK_SOURCE ?? sharedDatasetPath;

const tempDirs: string[] = [];
// Test databases are throwaway: remove them when the test file's process ends.
process.once('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'chinook-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function testConfig(overrides: ConfigOverrides = {}): Config {
  const dir = tempDir();
  // No load shedding by default: a test process runs its servers, their imports and the test
  // code on one event loop, and a busy CI host lags it past any threshold (a 503 from
  // src/http/overload.ts is then a false failure). test/http/overload.test.ts turns it on.
  return loadConfig({ dbPath: path.join(dir, 'chinook.sqlite'), logLevel: 'silent', port: 0, host: '127.0.0.1', overloadDelayMs: 0, ...overrides }, {});
}

/** A migrated primary database holding the official Chinook catalog. */
export function importedDb(overrides: ConfigOverrides = {}): { config: Config; db: Db } {
  const config = testConfig(overrides);
  const db = openPrimary(config);
  importOfficial(db, chinookSource);
  return { config, db };
}

/** Read-only handle on the official source file, to check answers against the data itself. */
export function openSource(): Database.Database {
  return new Database(chinookSource, { readonly: true, fileMustExist: true });
}

export interface TestServer {
  ctx: AppContext;
  url: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply fields freely; a wrong guess fails the assertion.
  get(pathAndQuery: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

/** Starts the real app on a free port over an imported database. */
export async function startServer(overrides: ConfigOverrides = {}): Promise<TestServer> {
  const { config, db } = importedDb(overrides);
  return startServerOn(config, db);
}

/** Starts another app over an existing database file (a second "worker" with its own connections). */
export async function startServerOn(config: Config, db: Db = openPrimary(config)): Promise<TestServer> {
  const ctx = createContext(config, db);
  const app = await buildApp(ctx, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    ctx,
    url,
    async get(pathAndQuery, init) {
      const res = await fetch(url + pathAndQuery, init);
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, headers: res.headers, body };
    },
    async close() {
      await app.close();
      await ctx.shutdown();
    },
  };
}

/** How many descriptors of the socket listening on 127.0.0.1:`port` process `pid` holds (Linux /proc; src/cli/cluster-accept.ts). */
export function listeningDescriptors(pid: number, port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const row = fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === `0100007F:${hexPort}` && f[3] === '0A');
  if (!row) throw new Error(`no socket listening on 127.0.0.1:${port}`);
  const target = `socket:[${row[9]}]`;
  return fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

/** listeningDescriptors once it reaches `want` (a server takes its copies just after it starts listening), or after 5 s. */
export async function descriptorsWithin5s(pid: number, port: number, want: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < 50; i++) {
    n = listeningDescriptors(pid, port);
    if (n === want) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return n;
}
