// `chinook eval search`: the generated search evaluation (src/search/eval/) on the catalog of
// --db, for the default mode, hybrid and MiniSearch in one run; `chinook eval suggest`: the
// generated as-you-type evaluation, the suggestions against the names-by-prefix list alone.
// (`eval recommendations` lives with the vector commands; all hang under the same `eval` group.)
import { type Command, InvalidArgumentError } from 'commander';
import { loadSynthetic } from '../importer/index.ts';
import { DEFAULT_EVAL_SEED, DEFAULT_PER_KIND, loadSearchEvaluation, SearchService } from '../search/index.ts';
import { ensureVectors, TextQueryRetriever, VectorStore } from '../vectors/index.ts';
import { withDb } from './db.ts';
import { createProgress } from './progress.ts';

const whole = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};

/**
 * The English words the `extra` kind inserts (those the catalog holds are left out): the
 * synthetic catalog generator's lists, which search itself may not import (importer depends on search).
 */
export async function evalWordPool(): Promise<readonly string[]> {
  const { ADJECTIVES, FIRST_NAMES, LAST_NAMES, METAL_NOUNS, NOUNS, PLURALS, VERBS_ING } = await loadSynthetic();
  return [...ADJECTIVES, ...NOUNS, ...PLURALS, ...VERBS_ING, ...METAL_NOUNS, ...FIRST_NAMES, ...LAST_NAMES];
}

interface EvalSearchOptions {
  perKind: number;
  seed: number;
  hybrid: boolean;
  json?: boolean;
  misses: number;
  quiet?: boolean;
}

/** The options every generated evaluation takes: how many queries of each kind, and the noise model's seed. */
const generated = (command: Command) =>
  command
    .option('-n, --per-kind <n>', 'queries per kind', whole('--per-kind', 1, 100_000), DEFAULT_PER_KIND)
    .option('--seed <n>', 'noise model seed', whole('--seed', 0, 0xffffffff), DEFAULT_EVAL_SEED);

export function registerEvalCommands(program: Command): void {
  const evaluate = program.commands.find((c) => c.name() === 'eval') ?? program.command('eval').description('offline evaluation');
  generated(evaluate.command('search'))
    .description(
      'generated search evaluation: queries made from the catalog with a seeded noise model (14 kinds), ' +
        'scored by MRR@10, nDCG@10, success@1 and zero-result rate for the default mode, hybrid and MiniSearch',
    )
    .option('--no-hybrid', 'skip hybrid mode (it needs the vectors, built first when missing)')
    .option('--misses <n>', 'show up to n queries of the default mode with no relevant hit in the first 10', whole('--misses', 0, 10_000), 20)
    .option('--json', 'machine-readable output')
    .option('-q, --quiet', 'no progress output')
    .action(async (opts: EvalSearchOptions, cmd: Command) => {
      const { formatReports, runSearchEvaluation, serviceEngine } = await loadSearchEvaluation();
      const wordPool = await evalWordPool();
      return withDb(cmd, (db) => {
        const progress = createProgress('eval search', { quiet: opts.quiet || opts.json });
        const service = new SearchService(db);
        const engines = [];
        if (opts.hybrid) {
          ensureVectors(db, (done, total, label) => progress.update(done, total, `vectors: ${label}`));
          const hybrid = new SearchService(db);
          hybrid.setVectorRetriever(new TextQueryRetriever(db, new VectorStore(db)));
          engines.push(serviceEngine('hybrid', hybrid, 'hybrid'));
        }
        const result = runSearchEvaluation(db, service, {
          wordPool,
          perKind: opts.perKind,
          seed: opts.seed,
          engines,
          onProgress: (done, total, label) => progress.update(done, total, label),
        });
        progress.stop();
        if (opts.json) {
          const reports = result.reports.map((r) => ({ engine: r.engine, overall: r.overall, byKind: Object.fromEntries(r.byKind), misses: r.misses.length }));
          console.log(
            JSON.stringify({ seed: result.seed, perKind: result.perKind, queries: result.queries.length, reports, ms: Math.round(result.ms) }, null, 2),
          );
          return;
        }
        console.log(`${result.queries.length} generated queries (seed ${result.seed}, ${result.perKind} per kind), ${(result.ms / 1000).toFixed(1)} s\n`);
        console.log(formatReports(result.reports));
        const misses = result.reports[0]?.misses ?? [];
        if (opts.misses > 0 && misses.length > 0) {
          console.log(`\nDefault mode, no relevant hit in the first 10 (${misses.length}; first ${Math.min(opts.misses, misses.length)}):`);
          for (const m of misses.slice(0, opts.misses)) console.log(`  ${m.kind.padEnd(12)} ${JSON.stringify(m.q)}`);
        }
      });
    });
  generated(evaluate.command('suggest'))
    .description(
      'generated as-you-type evaluation: names typed so far, misspelled, without accents or after the artist (5 kinds), ' +
        'scored by hit@8, MRR@8 and empty lists for the suggestions and for the names-by-prefix list alone',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { perKind: number; seed: number; json?: boolean }, cmd: Command) => {
      const { formatSuggestReports, runSuggestEvaluation } = await loadSearchEvaluation();
      return withDb(cmd, (db) => {
        const started = performance.now();
        const result = runSuggestEvaluation(db, new SearchService(db), { perKind: opts.perKind, seed: opts.seed });
        if (opts.json) {
          const reports = result.reports.map((r) => ({ engine: r.engine, overall: r.overall, byKind: Object.fromEntries(r.byKind) }));
          console.log(JSON.stringify({ seed: result.seed, perKind: result.perKind, queries: result.queries.length, reports }, null, 2));
          return;
        }
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`${result.queries.length} generated queries (seed ${result.seed}, ${result.perKind} per kind), ${seconds} s\n`);
        console.log(formatSuggestReports(result.reports));
      });
    });
}
