// One import in a fresh process, so that its peak RSS is its own: prints one JSON line.
// Usage: import.ts official <db> <source> | import.ts synthetic <db> <tracks> <seed>
import fs from 'node:fs';
import { loadConfig } from '../../src/config.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { importOfficial } from '../../src/importer/official.ts';
import { importSynthetic } from '../../src/importer/synthetic.ts';

const [kind, dbPath, arg, seed] = process.argv.slice(2);
if (!dbPath || !arg || (kind !== 'official' && kind !== 'synthetic'))
  throw new Error('usage: import.ts official <db> <source> | synthetic <db> <tracks> <seed>');
const db = openPrimary(loadConfig({ dbPath, logLevel: 'silent' }, {}));
const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const result = kind === 'official' ? importOfficial(db, arg) : importSynthetic(db, { tracks: Number(arg), seed: Number(seed ?? 42) });
const cpu = process.cpuUsage(cpuBefore);
db.close();
console.log(
  JSON.stringify({
    ms: result.ms,
    tracks: result.counts.tracks,
    rssBeforeBytes: rssBefore,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    fileBytes: fs.statSync(dbPath).size,
    cpuMs: (cpu.user + cpu.system) / 1000,
  }),
);
