// `chinook search rebuild|optimize|stats|check|query`.
import type { Command } from 'commander';
import { checkSearchIndex, optimizeSearchIndex, rebuildSearchIndex, SearchService, searchStats } from '../search/index.ts';
import { withDb } from './db.ts';
import { createProgress } from './progress.ts';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

export function registerSearchCommands(program: Command): void {
  const search = program.command('search').description('full-text search index (FTS5): rebuild, optimize, stats, check, query');

  search
    .command('rebuild')
    .description('rebuild the search and suggestion indexes from the catalog in one transaction')
    .option('-q, --quiet', 'no progress output')
    .action((opts: { quiet?: boolean }, cmd: Command) =>
      withDb(cmd, (db) => {
        const progress = createProgress('search rebuild', { quiet: opts.quiet });
        const r = rebuildSearchIndex(db, (d, t, l) => progress.update(d, t, l));
        progress.stop();
        console.log(`Indexed ${r.tracks} tracks in ${r.ms.toFixed(0)} ms.`);
      }),
    );

  search
    .command('optimize')
    .description('merge the index segments into one (after bulk loads or many edits)')
    .action((_opts: unknown, cmd: Command) =>
      withDb(cmd, (db) => {
        const r = optimizeSearchIndex(db);
        console.log(`Optimized in ${r.ms.toFixed(0)} ms.`);
      }),
    );

  search
    .command('stats')
    .description('tracks vs indexed tracks, coverage, index size, vocabulary, last rebuild')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) =>
      withDb(cmd, (db) => {
        const s = searchStats(db);
        if (opts.json) {
          console.log(JSON.stringify(s, null, 2));
          return;
        }
        console.log(`tracks          ${s.totalTracks}`);
        console.log(`indexed         ${s.indexedTracks} (${s.coveragePercent}%)`);
        console.log(`index size      ${mib(s.indexBytes)} (suggestions ${mib(s.suggestBytes)}, ${s.suggestEntries} entries)`);
        console.log(`vocabulary      ${s.vocabularyTerms} terms`);
        console.log(`triggers        ${s.triggers.present}/${s.triggers.expected}`);
        console.log(`last rebuild    ${s.lastRebuild ?? 'never'}`);
        console.log(`last optimize   ${s.lastOptimize ?? 'never'}`);
      }),
    );

  search
    .command('check')
    .description('FTS5 integrity-check plus a row-by-row comparison of the index with the catalog (exit code 1 on a problem)')
    .action((_opts: unknown, cmd: Command) =>
      withDb(cmd, (db) => {
        const r = checkSearchIndex(db);
        if (r.ok) console.log('Search index OK.');
        else {
          for (const p of r.problems) console.error(`problem: ${p}`);
          console.error('Run `chinook search rebuild` to repair.');
          process.exitCode = 1;
        }
      }),
    );

  search
    .command('query')
    .description('run a search from the command line')
    .argument('<q...>', 'query words')
    .option('-n, --limit <n>', 'hits to show', (v) => Number.parseInt(v, 10), 10)
    .action((words: string[], opts: { limit: number }, cmd: Command) =>
      withDb(cmd, (db) => {
        const r = new SearchService(db).search({ q: words.join(' '), limit: opts.limit, facets: false });
        const without = r.droppedWords.length ? ` (without ${r.droppedWords.map((w) => `"${w}"`).join(', ')})` : '';
        if (r.correctedQuery) console.log(`showing results for: ${r.correctedQuery}${without}`);
        console.log(`${r.total} hits in ${r.tookMs} ms`);
        for (const h of r.hits) console.log(`  ${String(h.id).padStart(7)}  ${h.name} — ${h.artist ?? '?'} (${h.album ?? '?'})  score ${h.score.toFixed(2)}`);
      }),
    );
}
