// The in-memory cache database: what a hit costs next to a JS Map and lru-cache holding the
// same answers, what a miss+fill costs next to reading the primary alone, the hit rate of a
// storefront-like mixed workload (with writes invalidating as they go), and the memory a
// full cache takes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { resolveSource } from '../../src/importer/source.ts';
import { type BenchEnv, fmtMs, fmtRatio, measure, measureSync, table } from '../lib.ts';

export const title = 'Cache database (in-memory SQLite)';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Deterministic PRNG so every run draws the same workload. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(s) sampler over ranks 0..n-1 by inverse CDF. */
function zipf(n: number, s: number, random: () => number) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Nanoseconds per call over a tight loop (the per-call timer would dominate sub-µs work). */
function nsPerOp(fn: (i: number) => unknown, ops: number, rounds = 5): number {
  for (let i = 0; i < Math.min(ops, 20_000); i++) fn(i);
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) fn(i);
    results.push(((performance.now() - t0) * 1e6) / ops);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(rounds / 2)] as number;
}

const fmtNs = (ns: number) => (ns < 1000 ? `${ns.toFixed(0)} ns` : `${(ns / 1000).toFixed(2)} µs`);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export async function run(env: BenchEnv): Promise<string> {
  const dbPath = path.join(env.scratchDir, 'cache-bench.sqlite');
  const config = loadConfig({ dbPath, logLevel: 'silent', cacheCleanupMs: 0, cachePreload: false }, {});
  const primary = openPrimary(config);
  const source = await resolveSource({ env: config.source, log: env.log });
  importOfficial(primary, source.path);
  const ctx = createContext(config, primary);
  const cache = ctx.cache.cache!;
  const trackIds = (primary.prepare('SELECT id FROM chinook_tracks ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  const out: string[] = [];

  // ---- 1. hit latency: the same answers in four stores ----------------------------------
  env.log('hit latency');
  const answers = trackIds.map((id) => ctx.catalog.tracks.get(id));
  const map = new Map<string, unknown>();
  const lru = new LRUCache<string, object>({ max: 100_000 });
  const lruJson = new LRUCache<string, string>({ max: 100_000 });
  for (const t of answers) {
    cache.set(`track:${t.id}`, t, { tags: [`track:${t.id}`, `album:${t.albumId}`, `artist:${t.artistId}`, `genre:${t.genreId}`], ttlSeconds: 3600 });
    map.set(`track:${t.id}`, t);
    lru.set(`track:${t.id}`, t);
    lruJson.set(`track:${t.id}`, JSON.stringify(t));
  }
  const random = rng(42);
  const keys = Array.from({ length: 65_536 }, () => `track:${trackIds[Math.floor(random() * trackIds.length)]}`);
  const mask = keys.length - 1;
  const plainSelect = cache.db.prepare('SELECT result_data AS json, etag FROM cache_queries WHERE cache_key = ? AND expires_at > ?');
  const ops = env.quick ? 50_000 : 200_000;
  const now = Date.now();
  const variants: [string, (i: number) => unknown][] = [
    ['JS Map (object)', (i) => map.get(keys[i & mask]!)],
    ['lru-cache (object)', (i) => lru.get(keys[i & mask]!)],
    ['lru-cache (JSON string)', (i) => lruJson.get(keys[i & mask]!)],
    ['SQLite: plain SELECT (no LRU touch)', (i) => plainSelect.get(keys[i & mask]!, now)],
    ['SQLite cache: getEntry (JSON + ETag, what HTTP sends)', (i) => cache.getEntry(keys[i & mask]!)],
    ['SQLite cache: get (parsed object)', (i) => cache.get(keys[i & mask]!)],
  ];
  const hitRows: (string | number)[][] = [];
  const perCall: number[] = [];
  const mapNs = nsPerOp(variants[0]![1], ops);
  const lruNs = nsPerOp(variants[1]![1], ops);
  for (const [label, fn] of variants) {
    const ns = label.startsWith('JS Map') ? mapNs : label === 'lru-cache (object)' ? lruNs : nsPerOp(fn, ops);
    let k = 0;
    const t = measureSync(() => fn(k++), { iterations: 20_000 });
    perCall.push(t.medianMs);
    hitRows.push([label, fmtMs(t.medianMs), fmtMs(t.p99Ms), fmtNs(ns), fmtRatio(ns / mapNs), fmtRatio(ns / lruNs)]);
  }
  out.push(
    `Hits on the ${trackIds.length} real track answers, random keys. Median and p99 are per call (20,000 calls, ~0.1 µs of timer overhead included); ` +
      `"loop" is the median of 5 tight loops of ${ops.toLocaleString('en')} lookups, and the ratios use it.`,
    '',
    table(['store', 'median', 'p99', 'loop, per hit', 'vs Map', 'vs lru-cache'], hitRows),
    '',
  );

  // ---- 2. miss + fill ---------------------------------------------------------------------
  env.log('miss + fill');
  let n = 0;
  const primaryOnly = await measure(
    () => {
      const id = trackIds[n++ % trackIds.length]!;
      return JSON.stringify(ctx.catalog.tracks.get(id));
    },
    { iterations: 5000 },
  );
  cache.flush();
  let m = 0;
  const missFill = await measure(
    async () => {
      const id = trackIds[m++ % trackIds.length]!;
      // Deleted after each fill, so every call is a miss followed by a fill with four tags.
      await ctx.cached.catalog.track(id);
      cache.delete(`track:${id}`);
    },
    { iterations: 5000 },
  );
  const hitPath = await measure(() => ctx.cached.catalog.track(trackIds[m++ % 64]!), { iterations: 20_000 });
  out.push(
    table(
      ['path (one track answer, through CachedCatalog)', 'median', 'p99', 'vs primary read'],
      [
        ['primary read + JSON.stringify (no cache)', fmtMs(primaryOnly.medianMs), fmtMs(primaryOnly.p99Ms), '1.00×'],
        [
          'miss + fill (read, stringify, SHA-1 ETag, insert + 4 tags, then delete)',
          fmtMs(missFill.medianMs),
          fmtMs(missFill.p99Ms),
          fmtRatio(missFill.medianMs / primaryOnly.medianMs),
        ],
        ['hit (rememberJson: the entry itself, no promise)', fmtMs(hitPath.medianMs), fmtMs(hitPath.p99Ms), fmtRatio(hitPath.medianMs / primaryOnly.medianMs)],
      ],
    ),
    '',
  );

  // ---- 3. mixed workload hit rate ----------------------------------------------------------
  env.log('mixed workload');
  const albumIds = (primary.prepare('SELECT id FROM chinook_albums ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  const artistIds = (primary.prepare('SELECT DISTINCT artist_id AS id FROM chinook_albums ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  const genreIds = (primary.prepare('SELECT id FROM chinook_genres ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  // Popularity follows sales: rank tracks by units sold, then Zipf over that ranking.
  const byPopularity = ctx.reports.topTracks(100_000).map((t) => t.id);
  const seen = new Set(byPopularity);
  for (const id of trackIds) if (!seen.has(id)) byPopularity.push(id);
  const totalOps = env.quick ? 40_000 : 150_000;
  const writeEvery = 1000;
  const simulate = async (label: string, maxBytes: number | null, opsCount = totalOps) => {
    const simCtx = createContext(
      loadConfig({ dbPath, logLevel: 'silent', cacheCleanupMs: 0, cache: maxBytes !== null, cacheMaxBytes: maxBytes ?? undefined }, {}),
      openPrimary(config),
    );
    const r = rng(7);
    const pickTrack = zipf(byPopularity.length, 1.0, r);
    const pickAlbum = zipf(albumIds.length, 1.0, r);
    const pickArtist = zipf(artistIds.length, 1.0, r);
    const c = simCtx.cached.catalog;
    const started = performance.now();
    let writes = 0;
    for (let i = 0; i < opsCount; i++) {
      const x = r();
      if (i % writeEvery === writeEvery - 1) {
        const id = byPopularity[pickTrack()]!;
        await simCtx.editor.updateTrack(id, { unitPrice: r() < 0.5 ? 0.99 : 1.29 });
        writes++;
      } else if (x < 0.55) await c.track(byPopularity[pickTrack()]!);
      else if (x < 0.7) await c.album(albumIds[pickAlbum()]!);
      else if (x < 0.8) await c.artist(artistIds[pickArtist()]!);
      else if (x < 0.9) {
        const genreId = r() < 0.5 ? genreIds[Math.floor(r() * genreIds.length)] : undefined;
        await c.tracks({ limit: 20, sort: (['id', 'name', '-price', 'newest'] as const)[Math.floor(r() * 4)], genreId });
      } else if (x < 0.95) await c.genres();
      else await simCtx.cached.reports.topTracks(10);
    }
    const ms = performance.now() - started;
    const s = simCtx.cache.cache?.stats();
    simCtx.close();
    return {
      label,
      hitRate: s?.total.hitRate ?? null,
      entries: s?.total.entries ?? 0,
      bytes: s?.total.bytes ?? 0,
      evictions: s?.total.evictions ?? 0,
      invalidations: s?.total.invalidations ?? 0,
      opsPerSec: (opsCount / ms) * 1000,
      writes,
    };
  };
  // Without a cache only the throughput matters, so a fifth of the operations is enough.
  const sims = [
    await simulate('no cache (CHINOOK_CACHE=off)', null, Math.round(totalOps / 5)),
    await simulate('cache, 64 MiB cap (default)', 64 * 2 ** 20),
    await simulate('cache, 1 MiB cap', 2 ** 20),
  ];
  const base = sims[0]!.opsPerSec;
  out.push(
    `Mixed storefront workload, in process, ${totalOps.toLocaleString('en')} operations: 55 % track pages, 15 % album pages, 10 % artist pages, ` +
      '10 % track lists (4 sorts, half filtered by genre), 5 % genre list, 5 % top tracks. Ids are drawn Zipf(1.0) over tracks ranked by units sold. ' +
      `Every ${writeEvery}th operation is a price edit of a (popular) track through the catalog editor, which invalidates by tag. Default TTLs.`,
    '',
    table(
      ['variant', 'hit rate', 'ops/s', 'vs no cache', 'entries', 'bytes', 'evictions', 'invalidated'],
      sims.map((s) => [
        s.label,
        s.hitRate === null ? '—' : `${(s.hitRate * 100).toFixed(1)} %`,
        Math.round(s.opsPerSec).toLocaleString('en'),
        fmtRatio(s.opsPerSec / base),
        s.entries,
        mib(s.bytes),
        s.evictions,
        s.invalidations,
      ]),
    ),
    '',
    'The hit rate through the real HTTP server under autocannon is in the HTTP section (read from `/api/admin/cache/stats`).',
    '',
  );

  // ---- 4. memory ----------------------------------------------------------------------------
  env.log('memory');
  const memRows: (string | number)[][] = [];
  const memRuns = (env.quick ? [16 * 2 ** 20] : [16 * 2 ** 20, 64 * 2 ** 20]).flatMap((cap) => [
    { cap, mode: 'sqlite' },
    { cap, mode: 'lru-cache' },
  ]);
  for (const { cap, mode } of memRuns) {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, '..', 'cache-memory.ts'), dbPath, String(cap), mode], {
      encoding: 'utf8',
      cwd: path.join(here, '..', '..'),
    });
    if (child.status !== 0) throw new Error(`cache-memory.ts failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim()) as {
      cap: number;
      budget: number;
      sets: number;
      entries: number;
      evictions: number;
      charged: number;
      sqlitePages: number;
      rssBefore: number;
      rssAfter: number;
    };
    memRows.push([
      mode === 'sqlite' ? 'SQLite cache' : 'lru-cache (JSON strings)',
      mib(r.budget),
      mib(r.cap),
      r.sets.toLocaleString('en'),
      r.entries.toLocaleString('en'),
      mib(r.charged),
      r.sqlitePages ? mib(r.sqlitePages) : '—',
      mib(r.rssBefore),
      mib(r.rssAfter),
      mib(r.rssAfter - r.rssBefore),
      fmtRatio((r.rssAfter - r.rssBefore) / r.cap),
      r.rssAfter - r.rssBefore <= r.budget ? 'yes' : 'no',
    ]);
  }
  out.push(
    'Memory: a fresh process, warmed with the same workload on a throwaway cache, fills a cache past its cap with real track and album answers (tagged), then churns through half as many again. ' +
      '"budget" is CHINOOK_CACHE_MAX_BYTES; the SQLite cache counts payload against budget / CHINOOK_CACHE_MEMORY_FACTOR (the "payload cap"), lru-cache gets the whole budget as maxSize. ' +
      '"charged" is what the cap counts (payload + key + tags + a fixed per-row overhead); "SQLite pages" is page_count × page_size of the `:memory:` database; "within budget" compares RSS growth with the budget.',
    '',
    table(
      [
        'store',
        'budget',
        'payload cap',
        'sets',
        'entries',
        'charged',
        'SQLite pages',
        'RSS before',
        'RSS full',
        'RSS growth',
        'growth / payload cap',
        'within budget',
      ],
      memRows,
    ),
  );

  ctx.close();
  return out.join('\n');
}
