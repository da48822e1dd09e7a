// `chinook doctor [--json] [--integrity]`: effective settings, versions, pragmas read back and
// row counts; with --integrity, SQLite's integrity_check of the whole file, table by table with
// a progress bar (51 s on a 1M-track catalog here), the search index check and a vectors check.
import type { Command } from 'commander';
import { CatalogService } from '../catalog/index.ts';
import { type Config, type ConfigOverrides, describeSettings } from '../config.ts';
import { checkIntegrity, currentVersion, type Db, type IntegrityResult, migrations, openPrimary, readPragmas, sqliteVersions } from '../db/index.ts';
import { catalogCounts, catalogIsEmpty } from '../importer/index.ts';
import { checkSearchIndex } from '../search/index.ts';
import { SPACES, VectorStore } from '../vectors/index.ts';
import { createProgress } from './progress.ts';

interface CheckOutcome {
  ok: boolean;
  problems: string[];
}

export interface IntegrityReport {
  sqlite: IntegrityResult;
  search: CheckOutcome;
  vectors: CheckOutcome & { sampled: number };
}

/** How many vectors per space are decoded and checked (spread evenly over the track ids). */
const VECTOR_SAMPLE = 2000;

/**
 * What the vectors can be checked for from outside their service: every built space holds a
 * vector for every track, and sampled vectors have the space's dimensions, finite values and a
 * non-zero length (a zero or NaN vector ranks nothing, silently).
 */
export function checkVectors(db: Db): CheckOutcome & { sampled: number } {
  const store = new VectorStore(db);
  const spaces = store.spaces();
  const tracks = new CatalogService(db).tracks;
  const trackCount = tracks.count();
  const problems: string[] = [];
  if (spaces.length === 0) return { ok: true, problems: [], sampled: 0 }; // never built: similarity answers 409 and says so
  const vectors = store.count();
  if (vectors !== trackCount) problems.push(`${vectors} tracks have vectors, the catalog has ${trackCount} (run \`chinook vectors build\`)`);
  for (const s of SPACES) if (!spaces.some((r) => r.space === s)) problems.push(`space ${s} was never built`);
  // Track ids are dense from 1 (Chinook, synthetic catalogs); a deleted id is simply skipped.
  const maxId = trackCount;
  const step = Math.max(1, Math.floor(maxId / VECTOR_SAMPLE));
  let sampled = 0;
  for (let id = 1; id <= maxId && problems.length < 20; id += step) {
    const all = store.getAll(id);
    if (!all) continue;
    sampled++;
    for (const s of spaces) {
      const v = all[s.space];
      let norm = 0;
      for (const x of v) norm += x * x;
      if (v.length !== s.dims) problems.push(`track ${id}: ${s.space} vector has ${v.length} dimensions, the space has ${s.dims}`);
      else if (!Number.isFinite(norm) || norm === 0) problems.push(`track ${id}: ${s.space} vector is ${Number.isFinite(norm) ? 'all zeros' : 'not finite'}`);
    }
  }
  return { ok: problems.length === 0, problems, sampled };
}

export async function integrityReport(config: Config, options: { quiet?: boolean } = {}): Promise<IntegrityReport> {
  const progress = createProgress('integrity_check', { quiet: options.quiet });
  const sqlite = await checkIntegrity(config.dbPath, {
    mode: 'full',
    busyTimeoutMs: config.busyTimeoutMs,
    onProgress: (done, total, table) => progress.update(done, total, `pages, ${table}`),
  });
  progress.stop();
  const other = (f: (db: Db) => CheckOutcome): CheckOutcome => {
    try {
      const db = openPrimary(config, { skipMigrations: true }); // FTS5's integrity-check is an INSERT command: it needs a writable connection
      try {
        return f(db);
      } finally {
        db.close();
      }
    } catch (err) {
      return { ok: false, problems: [(err as Error).message] };
    }
  };
  const search = other((db) => checkSearchIndex(db));
  const vectors = other((db) => checkVectors(db));
  return { sqlite, search, vectors: { ...vectors, sampled: 'sampled' in vectors ? Number(vectors.sampled) : 0 } };
}

export function registerDoctorCommand(program: Command, configFrom: (cmd: Command, extra?: ConfigOverrides) => Config): void {
  program
    .command('doctor')
    .description('print effective settings, SQLite and sqlite-vec versions, pragmas read back and row counts')
    .option('--json', 'machine-readable output')
    .option(
      '--integrity',
      "also check the file: SQLite's integrity_check (every page and index entry), the search index and the vectors (exit code 1 on a problem)",
    )
    .action(async (opts: { json?: boolean; integrity?: boolean }, cmd: Command) => {
      const config = configFrom(cmd);
      const integrity = opts.integrity ? await integrityReport(config, { quiet: opts.json }) : undefined;
      if (integrity && !(integrity.sqlite.ok && integrity.search.ok && integrity.vectors.ok)) process.exitCode = 1;
      let db: Db;
      try {
        db = openPrimary(config, { skipMigrations: true });
      } catch (err) {
        // A damaged file may not even open: the integrity report is then the useful part.
        if (!integrity) throw err;
        if (opts.json) console.log(JSON.stringify({ integrity, error: (err as Error).message }, null, 2));
        else {
          printIntegrity(integrity);
          console.log(`(${(err as Error).message})`);
        }
        return;
      }
      try {
        const report = {
          settings: describeSettings(config),
          versions: { node: process.version, ...sqliteVersions(db) },
          schema: { version: currentVersion(db), latest: migrations.length },
          pragmas: readPragmas(db),
          counts: currentVersion(db) >= 1 ? catalogCounts(db) : null,
          ...(integrity ? { integrity } : {}),
        };
        if (opts.json) {
          console.log(JSON.stringify(report, null, 2));
          return;
        }
        console.log('Settings');
        const width = Math.max(18, ...report.settings.map((s) => s.name.length));
        for (const s of report.settings) console.log(`  ${s.name.padEnd(width)} ${String(s.value ?? '(unset)').padEnd(40)} ${s.env}`);
        console.log(`Versions\n  node ${report.versions.node}, SQLite ${report.versions.sqlite}, sqlite-vec ${report.versions.sqliteVec}`);
        console.log(
          `Schema\n  version ${report.schema.version} of ${report.schema.latest}${report.schema.version < report.schema.latest ? ' (run `chinook migrate`)' : ''}`,
        );
        console.log('Pragmas (read back)');
        for (const [k, v] of Object.entries(report.pragmas)) console.log(`  ${k.padEnd(18)} ${v}`);
        console.log('Rows');
        if (!report.counts || catalogIsEmpty(db)) console.log('  catalog is empty (run `chinook import`)');
        else for (const [k, v] of Object.entries(report.counts)) console.log(`  ${k.padEnd(18)} ${v}`);
        if (integrity) printIntegrity(integrity);
      } finally {
        db.close();
      }
    });
}

function printIntegrity(r: IntegrityReport): void {
  console.log('Integrity');
  const line = (name: string, c: CheckOutcome, note: string) => {
    console.log(`  ${name.padEnd(18)} ${c.ok ? 'ok' : `${c.problems.length} problem(s)`}  ${note}`);
    for (const p of c.problems.slice(0, 20)) console.log(`    - ${p}`);
  };
  line('integrity_check', r.sqlite, `${(r.sqlite.bytes / 2 ** 20).toFixed(1)} MiB in ${(r.sqlite.ms / 1000).toFixed(1)} s`);
  line('search check', r.search, '');
  line('vectors check', r.vectors, `${r.vectors.sampled} tracks sampled`);
  if (!r.sqlite.ok) console.log('  The file is damaged: restore a backup (`chinook restore FILE`).');
  if (!r.search.ok) console.log('  Repair the search index with `chinook search rebuild`.');
  if (!r.vectors.ok) console.log('  Rebuild the vectors with `chinook vectors build`.');
}
