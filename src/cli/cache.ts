// `chinook cache stats|flush`: talks to a running server's admin endpoints (each worker has
// its own cache, so stats are the answering worker's; flush reaches every worker).
import { type Command, InvalidArgumentError } from 'commander';
import type { CacheStats, TableStats } from '../cache/index.ts';

interface RemoteOpts {
  url: string;
  token?: string;
  json?: boolean;
}

const urlOption = (value: string) => {
  try {
    return new URL(value).toString().replace(/\/$/, '');
  } catch {
    throw new InvalidArgumentError(`not a URL: ${value}`);
  }
};

async function call<T>(opts: RemoteOpts, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const token = opts.token ?? process.env.CHINOOK_ADMIN_TOKEN;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${opts.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new Error(`cannot reach ${opts.url} (${(err as Error).cause ?? (err as Error).message}); is \`chinook serve\` running?`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${(parsed as { message?: string })?.message ?? text}`);
  return parsed as T;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);

export function registerCacheCommands(program: Command): void {
  const cache = program.command('cache').description("inspect or empty a running server's in-memory cache");
  const remote = (cmd: Command) =>
    cmd
      .option('--url <url>', 'server base URL', urlOption, 'http://localhost:3000')
      .option('--token <token>', 'admin token (default: env CHINOOK_ADMIN_TOKEN)')
      .option('--json', 'machine-readable output');

  remote(cache.command('stats').description('entries, bytes, hit rate, evictions and expirations per cache table')).action(async (opts: RemoteOpts) => {
    const s = await call<CacheStats & { pid: number; rssBytes: number }>(opts, 'GET', '/api/admin/cache/stats');
    if (opts.json) {
      console.log(JSON.stringify(s, null, 2));
      return;
    }
    console.log(`worker ${s.pid}: ${mib(s.total.bytes)} of ${mib(s.maxBytes)} (entry max ${mib(s.maxEntryBytes)}), RSS ${mib(s.rssBytes)}, ${s.tags} tag rows`);
    const cols = ['entries', 'bytes', 'hits', 'misses', 'hit rate', 'evictions', 'expirations', 'invalidations', 'refused'];
    console.log(`  ${'table'.padEnd(14)}${cols.map((c) => c.padStart(13)).join('')}`);
    for (const [name, t] of [...Object.entries(s.tables), ['total', s.total]] as [string, TableStats][]) {
      const cells = [t.entries, t.bytes, t.hits, t.misses, pct(t.hitRate), t.evictions, t.expirations, t.invalidations, t.refused];
      console.log(`  ${name.padEnd(14)}${cells.map((c) => String(c).padStart(13)).join('')}`);
    }
  });

  remote(cache.command('flush').description('empty the cache in every worker, or only entries with the given tags'))
    .option('--tag <tag...>', 'only entries with these tags (e.g. track:1 search)')
    .action(async (opts: RemoteOpts & { tag?: string[] }) => {
      const r = await call<{ removed: number; workers: number }>(opts, 'POST', '/api/admin/cache/flush', opts.tag ? { tags: opts.tag } : {});
      console.log(opts.json ? JSON.stringify(r) : `removed ${r.removed} entries here; ${r.workers} worker(s) flushed`);
    });
}
