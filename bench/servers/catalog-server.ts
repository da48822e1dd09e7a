// The app under test: the real catalog API over a fresh database imported from the official
// Chinook file. Usage: catalog-server.ts <db path>. Settings come from the environment like
// `chinook serve` (so a variant such as a cache switch is just an env var), except that
// logging is off and the port is picked by the OS. Besides the port line, it answers a `stats`
// line on stdin with the write queue's counters as one JSON line, so a bench can take a
// before/after difference without an HTTP request of its own skewing the load.
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { buildApp } from '../../src/http/app.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { resolveSource } from '../../src/importer/source.ts';
import { announce } from './announce.ts';

const dbPath = process.argv[2];
if (!dbPath) throw new Error('usage: catalog-server.ts <db path>');

const config = loadConfig({ dbPath, logLevel: 'silent', port: 0, host: '127.0.0.1' });
const db = openPrimary(config);
const source = await resolveSource({ env: config.source, log: (l) => console.error(l) });
const imported = importOfficial(db, source.path);
const ctx = createContext(config, db);
const app = await buildApp(ctx, { logger: false });
await app.listen({ port: config.port, host: config.host });
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(`${JSON.stringify(ctx.writes.stats())}\n`);
});
announce(app, { importMs: Math.round(imported.ms), tracks: imported.counts.tracks, writeBatchMax: config.writeBatchMax }, () => ctx.close());
