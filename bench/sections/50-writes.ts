import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { hashPassword } from '../../src/accounts/passwords.ts';
import { loadConfig } from '../../src/config.ts';
import { type AppContext, createContext } from '../../src/context.ts';
import { openPrimary } from '../../src/db/connection.ts';
import type { WriteQueueStats } from '../../src/db/write-queue.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { sharedDatasetPath } from '../../src/importer/source.ts';
import type { Buyer } from '../../src/store/orders.ts';
import { type BenchEnv, fmtMs, fmtRatio, percentile, table } from '../lib.ts';
import { startBenchServer } from '../servers/spawn.ts';

export const title = 'Writes: group commit vs one transaction per write (100 concurrent clients)';

const source = process.env.CHINOOK_SOURCE ?? sharedDatasetPath;
const CLIENTS = 100;
const TARGET = 20_000;

// ---------------------------------------------------------------- in-process, service level

interface Outcome {
  acked: number;
  errors: number;
  firstError: string | undefined;
  seconds: number;
  p50: number;
  p99: number;
  meanBatch: number;
  meanCommitMs: number;
}

const delta = (a: WriteQueueStats, b: WriteQueueStats) => {
  const batches = b.batches - a.batches;
  const ops = b.operations - a.operations;
  return {
    batches,
    ops,
    meanBatch: batches ? ops / batches : 0,
    meanCommitMs: batches ? (b.meanCommitMs * b.batches - a.meanCommitMs * a.batches) / batches : 0,
  };
};

/**
 * `clients` async loops, each awaiting one write at a time (a write counts once its promise
 * resolves, i.e. after COMMIT). A warm-up phase first, then the measured phase; loops stop
 * starting writes at the deadline and the clock stops when the last one is acknowledged.
 */
async function drive(
  ctx: AppContext,
  seconds: number,
  warmupSeconds: number,
  op: (client: number) => Promise<unknown> | undefined,
): Promise<Outcome & { warmupAcked: number }> {
  let errors = 0;
  let firstError: string | undefined;
  const phase = async (durationMs: number, samples: number[] | null) => {
    const started = performance.now();
    const end = started + durationMs;
    let acked = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (performance.now() < end) {
          const t0 = performance.now();
          const pending = op(client);
          if (!pending) return; // this client ran out of distinct work
          try {
            await pending;
            acked++;
            samples?.push(performance.now() - t0);
          } catch (err) {
            errors++;
            firstError ??= String((err as Error).message ?? err);
          }
        }
      }),
    );
    return { acked, seconds: (performance.now() - started) / 1000 };
  };
  const warm = await phase(warmupSeconds * 1000, null);
  const before = ctx.writes.stats();
  const samples: number[] = [];
  const measured = await phase(seconds * 1000, samples);
  const d = delta(before, ctx.writes.stats());
  samples.sort((a, b) => a - b);
  return {
    acked: measured.acked,
    warmupAcked: warm.acked,
    errors,
    firstError,
    seconds: measured.seconds,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    meanBatch: d.meanBatch,
    meanCommitMs: d.meanCommitMs,
  };
}

/** A fresh imported database and the full app context over it (cache layer included). */
async function freshContext(env: BenchEnv, name: string, writeBatchMax: number): Promise<{ ctx: AppContext; userIds: number[] }> {
  const config = loadConfig(
    { dbPath: path.join(env.scratchDir, `${name}.sqlite`), logLevel: 'silent', writeBatchMax, cacheCleanupMs: 0, cachePreload: false },
    {},
  );
  const db = openPrimary(config);
  importOfficial(db, source);
  const ctx = createContext(config, db);
  // One real scrypt hash shared by all bench users: 100 hashes per variant would only add
  // seconds of setup, and logins are not what is measured here.
  const hash = await hashPassword('bench password 1234');
  const userIds = await ctx.writes.run((w) => {
    const insert = w.prepare("INSERT INTO users (email, password_hash, display_name, role) VALUES (?, ?, ?, 'customer')");
    return Array.from({ length: CLIENTS }, (_, i) => Number(insert.run(`bench${i}@example.com`, hash, `Bench Client${i}`).lastInsertRowid));
  });
  return { ctx, userIds };
}

async function benchPlays(env: BenchEnv, label: string, writeBatchMax: number, seconds: number, warmup: number): Promise<Outcome> {
  const { ctx, userIds } = await freshContext(env, `plays-${label}`, writeBatchMax);
  try {
    const trackIds = ctx.db.prepare('SELECT id FROM chinook_tracks ORDER BY id').pluck().all() as number[];
    let next = 0;
    const r = await drive(ctx, seconds, warmup, (client) =>
      ctx.store.plays.record(userIds[client] as number, trackIds[next++ % trackIds.length] as number, 30_000),
    );
    await ctx.writes.drain();
    const rows = ctx.db.prepare('SELECT count(*) FROM plays').pluck().get() as number;
    if (rows !== r.acked + r.warmupAcked) throw new Error(`plays ${label}: ${rows} rows for ${r.acked + r.warmupAcked} acknowledged writes`);
    env.log(
      `plays, ${label}: ${Math.round(r.acked / r.seconds)}/s, p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)}, mean batch ${r.meanBatch.toFixed(1)}, rows ${rows} = acks`,
    );
    return r;
  } finally {
    await ctx.shutdown();
  }
}

async function benchOrders(env: BenchEnv, label: string, writeBatchMax: number, seconds: number, warmup: number): Promise<Outcome> {
  const { ctx, userIds } = await freshContext(env, `orders-${label}`, writeBatchMax);
  try {
    const trackIds = ctx.db.prepare('SELECT id FROM chinook_tracks ORDER BY id').pluck().all() as number[];
    const buyers: Buyer[] = userIds.map((userId, i) => ({ userId, email: `bench${i}@example.com`, displayName: `Bench Client${i}`, customerId: null }));
    // Each client walks the catalog from its own offset, so it never buys a track twice
    // ("already owned" would be a 409, not a measured order). The first order of each
    // client, in the warm-up, creates its chinook_customers row.
    const bought = new Array<number>(CLIENTS).fill(0);
    const r = await drive(ctx, seconds, warmup, (client) => {
      const k = bought[client] ?? 0;
      bought[client] = k + 1;
      if (k >= trackIds.length) return undefined;
      const trackId = trackIds[(client * 35 + k) % trackIds.length] as number;
      return ctx.store.orders.place(buyers[client] as Buyer, [trackId]);
    });
    await ctx.writes.drain();
    const rows = ctx.db.prepare('SELECT count(*) FROM chinook_invoices i JOIN users u ON u.customer_id = i.customer_id').pluck().get() as number;
    if (rows !== r.acked + r.warmupAcked) throw new Error(`orders ${label}: ${rows} invoices for ${r.acked + r.warmupAcked} acknowledged orders`);
    env.log(
      `orders, ${label}: ${Math.round(r.acked / r.seconds)}/s, p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)}, mean batch ${r.meanBatch.toFixed(1)}, invoices ${rows} = acks`,
    );
    return r;
  } finally {
    await ctx.shutdown();
  }
}

// ---------------------------------------------------------------- over HTTP

async function startServer(script: string, args: string[], extraEnv: Record<string, string>) {
  const server = await startBenchServer(script, args, { CHINOOK_WRITE_BATCH_MAX: '', ...extraEnv });
  return { ...server, stats: async () => JSON.parse(await server.ask('stats')) as WriteQueueStats };
}

interface HttpOutcome {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failures: number;
  meanBatch: number;
  rows: number;
  okTotal: number;
}

async function benchHttp(env: BenchEnv, label: string, extraEnv: Record<string, string>, seconds: number): Promise<HttpOutcome> {
  const dbPath = path.join(env.scratchDir, `http-writes-${label.replace(/\W+/g, '-')}.sqlite`);
  const server = await startServer('catalog-server.ts', [dbPath], extraEnv);
  let okTotal = 0;
  let result: Omit<HttpOutcome, 'rows' | 'okTotal'>;
  try {
    env.log(`${label}: write server up (import ${server.info.importMs} ms, writeBatchMax ${server.info.writeBatchMax})`);
    const reg = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench-http@example.com', password: 'bench password 1234', displayName: 'Bench Http' }),
    });
    if (reg.status !== 201) throw new Error(`register answered ${reg.status}: ${await reg.text()}`);
    const cookie = (reg.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const { csrfToken } = (await reg.json()) as { csrfToken: string };
    const db = new Database(dbPath, { readonly: true });
    const trackIds = db.prepare('SELECT id FROM chinook_tracks ORDER BY id').pluck().all() as number[];
    db.close();
    const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken };
    const probe = await fetch(`${server.url}/api/plays`, { method: 'POST', headers, body: JSON.stringify({ trackId: trackIds[0], msPlayed: 30_000 }) });
    if (probe.status !== 201) throw new Error(`POST /api/plays answered ${probe.status}: ${await probe.text()}; not measuring an error path`);
    okTotal++;
    let next = 0;
    const run = (duration: number) =>
      autocannon({
        url: server.url,
        connections: CLIENTS,
        duration,
        requests: [
          {
            method: 'POST',
            path: '/api/plays',
            headers,
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ trackId: trackIds[next++ % trackIds.length], msPlayed: 30_000 }) }),
          },
        ],
      });
    const warm = await run(1);
    okTotal += warm['2xx'];
    const before = await server.stats();
    const r = await run(seconds);
    const d = delta(before, await server.stats());
    okTotal += r['2xx'];
    result = {
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      ok: r['2xx'],
      failures: r.non2xx + r.errors + r.timeouts + warm.non2xx + warm.errors + warm.timeouts,
      meanBatch: d.meanBatch,
    };
  } finally {
    await server.stop();
  }
  // After the server has exited: an independent connection counts what is durably there.
  const db = new Database(dbPath, { readonly: true });
  const rows = db.prepare('SELECT count(*) FROM plays').pluck().get() as number;
  db.close();
  if (rows < okTotal) throw new Error(`HTTP ${label}: ${rows} plays rows but ${okTotal} 2xx replies — acknowledged writes are missing`);
  env.log(
    `HTTP ${label}: ${Math.round(result.rps)} req/s, p50 ${fmtMs(result.p50)}, p99 ${fmtMs(result.p99)}, mean batch ${result.meanBatch.toFixed(1)}, ` +
      `failures ${result.failures}, rows ${rows} ≥ 2xx ${okTotal}`,
  );
  return { ...result, rows, okTotal };
}

/** What plain Fastify answers on this machine right now: no HTTP route can beat it, whatever the queue does. */
async function benchBare(env: BenchEnv, seconds: number): Promise<{ rps: number; p50: number; p99: number; failures: number }> {
  const server = await startServer('bare-server.ts', [], {});
  try {
    await autocannon({ url: server.url, connections: CLIENTS, duration: 1 });
    const r = await autocannon({ url: server.url, connections: CLIENTS, duration: seconds });
    env.log(`HTTP bare Fastify GET /: ${Math.round(r.requests.average)} req/s, p50 ${fmtMs(r.latency.p50)}, p99 ${fmtMs(r.latency.p99)}`);
    return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failures: r.non2xx + r.errors + r.timeouts };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- report

export async function run(env: BenchEnv): Promise<string> {
  const seconds = env.quick ? 2 : 5;
  const warmup = env.quick ? 0.5 : 1;
  const httpSeconds = env.quick ? 3 : 10;
  const rate = (o: Outcome) => o.acked / o.seconds;

  const playsGroup = await benchPlays(env, 'group commit', 512, seconds, warmup);
  const playsSingle = await benchPlays(env, 'one tx per write', 1, seconds, warmup);
  const ordersGroup = await benchOrders(env, 'group commit', 512, seconds, warmup);
  const ordersSingle = await benchOrders(env, 'one tx per write', 1, seconds, warmup);

  const inRow = (what: string, variant: string, o: Outcome, base: Outcome) => [
    what,
    variant,
    Math.round(rate(o)).toLocaleString('en-US'),
    fmtRatio(rate(o) / rate(base)),
    fmtMs(o.p50),
    fmtMs(o.p99),
    o.meanBatch.toFixed(1),
    fmtMs(o.meanCommitMs),
    o.acked.toLocaleString('en-US'),
    o.errors ? `${o.errors} (${o.firstError})` : 0,
  ];

  const httpGroup = await benchHttp(env, 'group commit', {}, httpSeconds);
  const httpSingle = await benchHttp(env, 'one tx per write', { CHINOOK_WRITE_BATCH_MAX: '1' }, httpSeconds);
  const bare = await benchBare(env, httpSeconds);
  const httpRow = (variant: string, o: HttpOutcome, base: HttpOutcome) => [
    variant,
    Math.round(o.rps).toLocaleString('en-US'),
    fmtRatio(o.rps / base.rps),
    fmtMs(o.p50),
    fmtMs(o.p99),
    o.meanBatch.toFixed(1),
    o.failures,
    `${o.rows.toLocaleString('en-US')} ≥ ${o.okTotal.toLocaleString('en-US')}`,
  ];

  const verdict = (r: number) => (r >= TARGET ? `met (${Math.round(r).toLocaleString('en-US')}/s)` : `NOT met (${Math.round(r).toLocaleString('en-US')}/s)`);
  return [
    `${CLIENTS} concurrent clients, each waiting for its write to be acknowledged (after COMMIT) before sending the next.`,
    'Baseline: the same WriteQueue and connection with maxBatch = 1 (CHINOOK_WRITE_BATCH_MAX=1), i.e. one `BEGIN IMMEDIATE … COMMIT` per write;',
    'every variant has its own fresh database imported from the official Chinook file. Primary pragmas as configured (WAL, synchronous = NORMAL).',
    '',
    `### In-process, service level (${seconds} s after a ${warmup} s warm-up)`,
    '',
    'A play is `PlayService.record` (plays row + activity_log row, then the popularity counter in the cache database);',
    'an order is `OrderService.place` of one track the client does not own yet (invoice + line + activity_log row, then the order read back).',
    'Latency is per write, from the call to its promise resolving; mean commit is BEGIN IMMEDIATE → COMMIT of one batch. Rows in the database were checked to equal the acknowledged writes.',
    '',
    table(
      ['write', 'variant', 'writes/s', 'vs one tx per write', 'p50', 'p99', 'mean batch', 'mean commit', 'acknowledged', 'errors'],
      [
        inRow('play', 'group commit', playsGroup, playsSingle),
        inRow('play', 'one tx per write (baseline)', playsSingle, playsSingle),
        inRow('order', 'group commit', ordersGroup, ordersSingle),
        inRow('order', 'one tx per write (baseline)', ordersSingle, ordersSingle),
      ],
    ),
    '',
    `### Over HTTP: POST /api/plays (autocannon, ${CLIENTS} connections, ${httpSeconds} s after a 1 s warm-up)`,
    '',
    'One registered user; every connection sends its session cookie and x-csrf-token. The server is the real app in its own Node process.',
    'Mean batch is the server’s write-queue counters over the measured run. After the server exits, an independent connection counts `plays`;',
    'it must hold at least as many rows as autocannon counted 2xx replies (warm-up and probe included).',
    '',
    table(
      ['variant', 'req/s', 'vs one tx per write', 'p50', 'p99', 'mean batch', 'non-2xx + errors', 'plays rows ≥ 2xx replies'],
      [
        httpRow('group commit', httpGroup, httpSingle),
        httpRow('one tx per write (baseline)', httpSingle, httpSingle),
        [
          'reference: bare Fastify `GET /`, fixed JSON, no database',
          Math.round(bare.rps).toLocaleString('en-US'),
          fmtRatio(bare.rps / httpSingle.rps),
          fmtMs(bare.p50),
          fmtMs(bare.p99),
          '—',
          bare.failures,
          '—',
        ],
      ],
    ),
    '',
    'The bare Fastify row is the ceiling for any route on this machine at this moment (autocannon and the server share the 2 cores).',
    '',
    `Target ≥ ${TARGET.toLocaleString('en-US')} plays/s acknowledged after commit: in-process ${verdict(rate(playsGroup))}; over HTTP ${verdict(httpGroup.rps)}.`,
  ].join('\n');
}
