// `node --expose-gc --import tsx bench/search-doc-cache-memory.ts [db]`
//
// The V8 heap that the search's row cache (src/search/doc-cache.ts) holds when full, as a
// search-heavy server ends up: the rows' details and their indexed text cut into tokens, for
// every track of the catalog or the first 20,000 (the cache's cap) of a larger one. Reads the
// rows in batches of 500, as searches do, and prints one JSON line with the live heap before
// and after (each after two full GCs) and the bytes a row.
// The default database is the one `npm start` serves (data/chinook.sqlite).
import { exitWithUsageOnHelp } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const { loadConfig } = await import('../src/config.ts');
const { openPrimary } = await import('../src/db/index.ts');
const { DOC_CACHE_ROWS, DocCache } = await import('../src/search/doc-cache.ts');
const { SearchStatements } = await import('../src/search/statements.ts');

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const config = loadConfig(process.argv[2] ? { dbPath: process.argv[2] } : {});
const db = openPrimary(config, { readonly: true });
const ids = db.prepare('SELECT id FROM chinook_tracks ORDER BY id LIMIT ?').pluck().all(DOC_CACHE_ROWS) as number[];
const cache = new DocCache(new SearchStatements(db).details, DOC_CACHE_ROWS);

const live = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const before = live();
const started = performance.now();
for (let i = 0; i < ids.length; i += 500) cache.get(ids.slice(i, i + 500), 0);
const fillMs = performance.now() - started;
const after = live();
console.log(
  JSON.stringify({
    db: config.dbPath,
    rows: ids.length,
    heapMiB: Number(((after - before) / 2 ** 20).toFixed(2)),
    bytesPerRow: Math.round((after - before) / ids.length),
    fillMs: Math.round(fillMs),
  }),
);
db.close();
