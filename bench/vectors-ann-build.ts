// Builds the ANN files of an already built database with another expansion_add than
// ANN_SETTINGS says (a 1M catalog's files at the served 256 take longer than a session on this
// shared machine had): the files the second round of docs/BENCHMARKS.md measured with
// `--settings '{"<space>":{"expansionAdd":128}}'`. Progress once a minute.
//
//   nice -n 19 npx tsx bench/vectors-ann-build.ts <db> <expansionAdd> <space…>
import { openPrimary } from '../src/db/connection.ts';
import { ANN_SETTINGS, buildAnnFile } from '../src/vectors/ann/ann-file.ts';
import { isSpace } from '../src/vectors/spaces.ts';
import { exitWithUsageOnHelp } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const [dbPath, expansionAdd, ...spaces] = process.argv.slice(2);
if (!dbPath || !Number(expansionAdd) || spaces.length === 0 || !spaces.every(isSpace)) {
  throw new Error('usage: vectors-ann-build.ts <db> <expansionAdd> <audio|lyric|metadata …>');
}
for (const s of Object.values(ANN_SETTINGS)) s.expansionAdd = Number(expansionAdd);
const db = openPrimary(
  { dbPath, pageSize: 32768, cacheSizeKiB: 131072, mmapSize: 536870912, busyTimeoutMs: 10000, walAutocheckpoint: 2000 },
  { skipMigrations: true },
);
const at = () => new Date().toISOString().slice(11, 19);
try {
  for (const space of spaces.filter(isSpace)) {
    let last = 0;
    const meta = buildAnnFile(db, space, (done, total) => {
      if (performance.now() - last < 60_000) return;
      last = performance.now();
      console.log(`${at()} ${space} ${done}/${total}`);
    });
    console.log(`${at()} ${space}: ${meta.count} groups in ${(meta.buildMs / 1000).toFixed(0)} s, ${(meta.bytes / 2 ** 20).toFixed(0)} MiB`);
  }
} finally {
  db.close();
}
