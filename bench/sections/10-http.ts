import { randomBytes } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { type BenchEnv, fmtMs, fmtRatio, table } from '../lib.ts';
import { startBenchServer } from '../servers/spawn.ts';

export const title = 'HTTP under load (autocannon)';

const adminToken = randomBytes(16).toString('hex');

/**
 * Each variant is one catalog server started with extra environment. When the cache
 * (issue 3) lands, add its switch here, e.g. { label: 'cache off', env: { CHINOOK_CACHE: 'off' } },
 * and every route is measured once per variant against the same bare baseline.
 */
const variants: { label: string; env: Record<string, string> }[] = [{ label: 'default', env: {} }];

const startServer = (script: string, args: string[], env: Record<string, string>) =>
  startBenchServer(script, args, { CHINOOK_ADMIN_TOKEN: adminToken, ...env });

/** Cache hits and misses from the server's stats endpoint, or null when there is no cache (404). */
async function cacheCounters(url: string, log: (line: string) => void): Promise<{ hits: number; misses: number } | null> {
  const res = await fetch(`${url}/api/admin/cache/stats`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status === 404) return null;
  if (!res.ok) {
    log(`cache stats answered ${res.status}; hit rate left out`);
    return null;
  }
  return sumCounters(await res.json());
}

// The stats shape belongs to the cache module; accept totals at the top or per-table counters below.
function sumCounters(stats: unknown): { hits: number; misses: number } {
  if (!stats || typeof stats !== 'object') return { hits: 0, misses: 0 };
  const s = stats as Record<string, unknown>;
  if (typeof s.hits === 'number' && typeof s.misses === 'number') return { hits: s.hits, misses: s.misses };
  if (s.total) return sumCounters(s.total);
  return Object.values(s)
    .map(sumCounters)
    .reduce((a, b) => ({ hits: a.hits + b.hits, misses: a.misses + b.misses }), { hits: 0, misses: 0 });
}

function settings(env: BenchEnv): { seconds: number; connections: number } {
  const seconds = Number(process.env.CHINOOK_BENCH_DURATION ?? (env.quick ? 3 : 10));
  const connections = Number(process.env.CHINOOK_BENCH_CONNECTIONS ?? 100);
  if (!(seconds > 0) || !Number.isInteger(connections) || connections < 1) {
    throw new Error('CHINOOK_BENCH_DURATION must be a positive number of seconds and CHINOOK_BENCH_CONNECTIONS a positive integer');
  }
  return { seconds, connections };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  hitRate: number | null;
}

/** Hammers `paths` round-robin (shared across connections) and returns autocannon's figures. */
async function load(url: string, paths: string[], env: BenchEnv): Promise<Load> {
  const { seconds, connections } = settings(env);
  const first = await fetch(url + paths[0]);
  if (first.status !== 200) throw new Error(`GET ${paths[0]} answered ${first.status}; not measuring an error path`);
  let next = 0;
  const run = (duration: number) =>
    autocannon({
      url,
      connections,
      duration,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
    });
  await run(Math.min(1, seconds)); // warm-up: JIT, statement cache, page cache
  const before = await cacheCounters(url, env.log);
  const r = await run(seconds);
  const after = before && (await cacheCounters(url, env.log));
  const lookups = after && before ? after.hits + after.misses - before.hits - before.misses : 0;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: r.non2xx + r.errors,
    hitRate: after && before && lookups > 0 ? (after.hits - before.hits) / lookups : null,
  };
}

export async function run(env: BenchEnv): Promise<string> {
  const { seconds, connections } = settings(env);
  const rows: (string | number)[][] = [];
  const row = (variant: string, label: string, r: Load, base: Load) => {
    rows.push([
      variant,
      label,
      fmtMs(r.p50),
      fmtMs(r.p99),
      Math.round(r.rps).toLocaleString('en-US'),
      fmtRatio(r.rps / base.rps),
      r.hitRate === null ? '—' : `${(r.hitRate * 100).toFixed(1)} %`,
      r.failures,
    ]);
    env.log(`${variant} ${label}: p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)}, ${Math.round(r.rps)} req/s`);
  };

  const bare = await startServer('bare-server.ts', [], {});
  let base: Load;
  try {
    base = await load(bare.url, ['/'], env);
  } finally {
    await bare.stop();
  }
  row('—', 'bare Fastify, fixed JSON (baseline)', base, base);

  for (const variant of variants) {
    const dbPath = path.join(env.scratchDir, `http-${variant.label.replace(/\W+/g, '-')}.sqlite`);
    const server = await startServer('catalog-server.ts', [dbPath], variant.env);
    try {
      env.log(`${variant.label}: catalog server up (import ${server.info.importMs} ms, ${server.info.tracks} tracks)`);
      const db = new Database(dbPath, { readonly: true });
      const trackIds = db.prepare('SELECT id FROM chinook_tracks ORDER BY id').pluck().all() as number[];
      const genres = db.prepare('SELECT genre_id FROM chinook_tracks GROUP BY genre_id ORDER BY count(*) DESC LIMIT 5').pluck().all() as number[];
      db.close();

      row(variant.label, 'GET /health', await load(server.url, ['/health'], env), base);
      const byId = trackIds.map((id) => `/api/tracks/${id}`);
      row(variant.label, `GET /api/tracks/:id (${byId.length} ids in turn)`, await load(server.url, byId, env), base);
      const lists = genres.map((g) => `/api/tracks?genreId=${g}&minPrice=0.5&sort=-duration&limit=20`);
      const listLabel = `GET /api/tracks?genreId=…&minPrice=0.5&sort=-duration&limit=20 (${genres.length} largest genres in turn)`;
      row(variant.label, listLabel, await load(server.url, lists, env), base);
    } finally {
      await server.stop();
    }
  }

  return [
    `${connections} connections, ${seconds} s per row after a 1 s warm-up; autocannon in the bench process, each server in its own Node process.`,
    'The ratio is req/s of the row ÷ req/s of the bare Fastify route measured in this run (how much of plain Fastify speed the route keeps).',
    'Cache hit rate comes from `/api/admin/cache/stats` during the row (— when the server has no cache). See docs/benchmarks-http.md.',
    '',
    table(['variant', 'route', 'p50', 'p99', 'req/s', 'req/s vs bare', 'cache hit rate', 'non-2xx + errors'], rows),
  ].join('\n');
}
