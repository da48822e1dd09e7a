// Run by bench/sections/20-cache.ts in a fresh process (so nothing else moves RSS):
// fills a cache database past its byte cap with real catalog answers and prints, as one JSON
// line, the RSS before and after next to the bytes charged and SQLite's own page count.
// With `lru-cache` as third argument it fills an lru-cache (maxSize = cap, sized by UTF-8
// bytes of the JSON) instead, as the comparison measured the same way.
// Usage: node --expose-gc --import tsx bench/cache-memory.ts <primary db> <memory budget bytes> [sqlite|lru-cache]
// The SQLite cache gets the payload budget the server would give it (budget / CHINOOK_CACHE_MEMORY_FACTOR);
// lru-cache gets the whole budget as its maxSize, as a plain JS cache would be configured.
import { LRUCache } from 'lru-cache';
import { CacheDb } from '../src/cache/cache-db.ts';
import { payloadBudget } from '../src/cache/index.ts';
import { CatalogService } from '../src/catalog/index.ts';
import { loadConfig } from '../src/config.ts';
import { openPrimary } from '../src/db/connection.ts';

const [dbPath, capArg, mode = 'sqlite'] = process.argv.slice(2);
if (!dbPath || !capArg) throw new Error('usage: cache-memory.ts <primary db> <cap bytes>');
const budget = Number(capArg);
const cap = mode === 'lru-cache' ? budget : payloadBudget({ ...loadConfig({}, {}), cacheMaxBytes: budget });
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const db = openPrimary(loadConfig({ dbPath }, {}), { readonly: true });
const catalog = new CatalogService(db);
const trackIds = (db.prepare('SELECT id FROM chinook_tracks ORDER BY id').all() as { id: number }[]).map((r) => r.id);
const albumIds = (db.prepare('SELECT id FROM chinook_albums ORDER BY id').all() as { id: number }[]).map((r) => r.id);
const tracks = trackIds.map((id) => catalog.tracks.get(id));
const albums = albumIds.map((id) => catalog.artists.getAlbum(id));
db.close();

// Warm the process first (JIT, V8 heap, SQLite's allocator) with the same workload on a
// throwaway 4 MiB cache, so the baseline is a running server's, not a cold process's.
{
  const warm = new CacheDb({ maxBytes: 4 * 2 ** 20, cleanupIntervalMs: 0 });
  for (let i = 0; i < 20_000; i++) {
    const t = tracks[i % tracks.length]!;
    warm.set(`warm:${i}`, i % 3 === 0 ? albums[i % albums.length]! : t, { tags: [`track:${t.id}`] });
  }
  warm.close();
}
const cache = new CacheDb({ maxBytes: cap, cleanupIntervalMs: 0 });
if (mode === 'lru-cache') {
  const lru = new LRUCache<string, string>({ maxSize: cap, sizeCalculation: (v, k) => Buffer.byteLength(v) + Buffer.byteLength(k) });
  gc();
  const rssBefore = process.memoryUsage.rss();
  let sets = 0;
  let evictions = 0;
  const target = () => (evictions > 0 ? Math.ceil(sets * 1.5) : Number.POSITIVE_INFINITY);
  let until = Number.POSITIVE_INFINITY;
  while (sets < until && sets < 2_000_000) {
    const i = sets;
    const value = i % 3 === 0 ? albums[i % albums.length]! : tracks[i % tracks.length]!;
    const before = lru.size;
    lru.set(`${i % 3 === 0 ? 'album' : 'track'}:${value.id}?v=${i}`, JSON.stringify(value));
    if (lru.size <= before) evictions++;
    sets++;
    if (until === Number.POSITIVE_INFINITY) until = target();
  }
  gc();
  const rssAfter = process.memoryUsage.rss();
  process.stdout.write(
    `${JSON.stringify({ cap, budget, sets, entries: lru.size, evictions, charged: lru.calculatedSize, sqlitePages: 0, rssBefore, rssAfter })}\n`,
  );
  process.exit(0);
}
gc();
const before = process.memoryUsage.rss();
// Distinct keys (answers to many different queries), one in three an album page with its
// track list, tagged as the HTTP layer tags them; once full, churn through half as many again.
let i = 0;
let churnUntil = Number.POSITIVE_INFINITY;
while (i < churnUntil && i < 2_000_000) {
  if (i % 3 === 0) {
    const a = albums[i % albums.length]!;
    cache.set(`album:${a.id}?v=${i}`, a, { tags: [`album:${a.id}`, `artist:${a.artistId}`, ...a.tracks.map((t) => `track:${t.id}`)] });
  } else {
    const t = tracks[i % tracks.length]!;
    cache.set(`track:${t.id}?v=${i}`, t, { tags: [`track:${t.id}`, `album:${t.albumId}`, `artist:${t.artistId}`, `genre:${t.genreId}`] });
  }
  i++;
  if (churnUntil === Number.POSITIVE_INFINITY && cache.stats().total.evictions > 0) churnUntil = Math.ceil(i * 1.5);
}
gc();
const after = process.memoryUsage.rss();
const pageSize = cache.db.pragma('page_size', { simple: true }) as number;
const pages = cache.db.pragma('page_count', { simple: true }) as number;
const stats = cache.stats();
process.stdout.write(
  `${JSON.stringify({
    cap,
    budget,
    sets: i,
    entries: stats.total.entries,
    evictions: stats.total.evictions,
    charged: cache.bytes,
    sqlitePages: pages * pageSize,
    rssBefore: before,
    rssAfter: after,
    heapTotal: process.memoryUsage().heapTotal,
  })}\n`,
);
cache.close();
