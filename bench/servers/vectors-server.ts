// The app over an existing, already built database (no import): for the memory of a server
// that answers /similar in every space. Usage: vectors-server.ts <db path> [--expansion-add n] [--settings json] [--warm]
// (files built with another expansion_add than ANN_SETTINGS says are served as they are,
// instead of being found stale and rebuilt at start). Besides the port
// line it answers a `memory` line on stdin with this process's RSS (from /proc: anonymous and
// file-backed pages apart, since the ANN files are memory-mapped) as one JSON line.
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import { ANN_SETTINGS } from '../../src/vectors/ann/ann-file.ts';
import { announce } from './announce.ts';

const dbPath = process.argv[2];
if (!dbPath) throw new Error('usage: vectors-server.ts <db path> [--expansion-add n]');
const expansionAdd = process.argv.indexOf('--expansion-add');
if (expansionAdd > 0) for (const s of Object.values(ANN_SETTINGS)) s.expansionAdd = Number(process.argv[expansionAdd + 1]);
const settings = process.argv.indexOf('--settings');
if (settings > 0)
  for (const [space, over] of Object.entries(JSON.parse(process.argv[settings + 1] as string) as Record<string, object>))
    Object.assign(ANN_SETTINGS[space as keyof typeof ANN_SETTINGS], over);

const config = loadConfig({ dbPath, logLevel: 'silent', port: 0, host: '127.0.0.1' });
const ctx = createContext(config);
// `--warm`: read the index files ahead of the first request, as `chinook serve` does (CHINOOK_CACHE_PRELOAD).
if (process.argv.includes('--warm')) process.stderr.write(`${JSON.stringify({ warmed: await ctx.similarity.warmIndexFiles() })}\n`);
const app = await buildApp(ctx, { logger: false });
await app.listen({ port: config.port, host: config.host });

/** kB fields of /proc/self/status, in MiB. */
function memory(): Record<string, number> {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const out: Record<string, number> = {};
  for (const key of ['VmRSS', 'VmHWM', 'RssAnon', 'RssFile']) {
    const m = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
    if (m) out[key] = Number(m[1]) / 1024;
  }
  const m = process.memoryUsage();
  out.heapUsed = m.heapUsed / 2 ** 20;
  out.heapTotal = m.heapTotal / 2 ** 20;
  out.external = m.external / 2 ** 20;
  return out;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'memory') process.stdout.write(`${JSON.stringify(memory())}\n`);
});
announce(app, { pid: process.pid }, () => ctx.close());
