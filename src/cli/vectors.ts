// `chinook vectors build|import|status` and `chinook eval recommendations`.
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Db } from '../db/index.ts';
import { loadRecommendEvaluation } from '../recommend/index.ts';
import {
  ANN_MIN_TRACKS,
  buildVectors,
  ensureAnnFiles,
  ensureGroups,
  ensureVectors,
  importEmbeddings,
  isSpace,
  SPACES,
  type Space,
  VectorStore,
} from '../vectors/index.ts';
import { withDb } from './db.ts';
import { createProgress } from './progress.ts';

const trackCountArg = (value: string): number => {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('a whole number of tracks');
  return Number(value);
};

const spaceArg = (value: string): Space => {
  if (!isSpace(value)) throw new InvalidArgumentError(`space must be one of ${SPACES.join(', ')}`);
  return value;
};

/** Start-up hook for `serve`: builds missing vectors with a progress bar; a failure is reported, never fatal. */
export function ensureVectorsOnStart(db: Db): void {
  try {
    const progress = createProgress('vectors');
    const result = ensureVectors(db, (d, t, l) => progress.update(d, t, l));
    progress.stop();
    if (result) console.error(`Built vectors for ${result.trackCount} tracks in ${result.ms.toFixed(0)} ms.`);
  } catch (err) {
    console.error(`Building vectors failed (similarity answers 409 until \`chinook vectors build\` succeeds): ${(err as Error).message}`);
  }
}

export function registerVectorCommands(program: Command): void {
  const vectors = program.command('vectors').description('embedding spaces for similarity and recommendations (sqlite-vec)');

  vectors
    .command('build')
    .description('compute the audio (listens-alike), lyric (text) and metadata vectors from the catalog')
    .addOption(new Option('--space <space...>', 'only these spaces (all when the table is empty)').argParser((v, prev: Space[] = []) => [...prev, spaceArg(v)]))
    .option('--index-only', 'keep the vectors; rebuild only the ANN index files of large catalogs (every space, or --space)')
    .option('--index-min-tracks <n>', `give the catalog ANN index files from this many tracks (default ${ANN_MIN_TRACKS})`, trackCountArg)
    .option('-q, --quiet', 'no progress output')
    .action((opts: { space?: Space[]; quiet?: boolean; indexOnly?: boolean; indexMinTracks?: number }, cmd: Command) =>
      withDb(cmd, (db) => {
        const progress = createProgress('vectors', { quiet: opts.quiet });
        const update = (d: number, t: number, l: string) => progress.update(d, t, l);
        if (opts.indexOnly) {
          const started = performance.now();
          db.transaction(() => ensureGroups(db, opts.indexMinTracks)).immediate();
          const built = ensureAnnFiles(db, update, opts.space ?? true);
          progress.stop();
          console.log(
            built.length
              ? `Rebuilt the index of ${built.join(', ')} in ${(performance.now() - started).toFixed(0)} ms.`
              : 'No index to build: the catalog is below the index threshold (or has no vectors yet).',
          );
          return;
        }
        const r = buildVectors(db, { spaces: opts.space, onProgress: update, indexMinTracks: opts.indexMinTracks });
        progress.stop();
        console.log(`Built ${r.spaces.join(', ')} for ${r.trackCount} tracks in ${r.ms.toFixed(0)} ms.`);
        for (const p of r.providers) console.log(`  ${p.space.padEnd(9)} ${p.name.padEnd(22)} ${JSON.stringify(p.details)}`);
      }),
    );

  vectors
    .command('import')
    .description('replace one space with external embeddings: a JSONL file of {"trackId", "vector"} lines, or a .npy matrix with --ids')
    .requiredOption('--space <space>', 'audio, lyric or metadata', spaceArg)
    .option('--ids <file>', 'for a .npy file: the track id of each row (a JSON array, or one id per line)')
    .argument('<file>', 'JSONL file, or a 2-D float32/float64 .npy array (tracks × dims)')
    .action((file: string, opts: { space: Space; ids?: string }, cmd: Command) =>
      withDb(cmd, (db) => {
        const r = importEmbeddings(db, opts.space, file, { ids: opts.ids });
        console.log(`Imported ${r.imported} ${r.space} vectors in ${r.ms.toFixed(0)} ms.`);
        // Running processes search new vectors from memory; a large import is folded into the index file now.
        const progress = createProgress('vectors');
        const rebuilt = ensureAnnFiles(db, (d, t, l) => progress.update(d, t, l));
        progress.stop();
        if (rebuilt.length) console.log(`Rebuilt the index of ${rebuilt.join(', ')}.`);
      }),
    );

  vectors
    .command('status')
    .description('how each space was built, and how many tracks have vectors')
    .action((_opts: unknown, cmd: Command) =>
      withDb(cmd, (db) => {
        const store = new VectorStore(db);
        console.log(`${store.count()} tracks have vectors`);
        for (const s of store.spaces()) {
          console.log(`  ${s.space.padEnd(9)} ${s.provider.padEnd(24)} ${s.dims} dims, ${s.trackCount} tracks, built ${s.builtAt}`);
          const index = store.index(s.space);
          if (!index) continue;
          const a = index.ann.status();
          const groups = `${index.groups.count()} distinct vectors`;
          console.log(
            a.meta && !a.unusable
              ? `  ${''.padEnd(9)} index ${a.file} (${(a.meta.bytes / 2 ** 20).toFixed(0)} MiB, ${a.meta.settings.quantization}, ${groups}, ${a.delta} newer searched from memory, built ${a.meta.builtAt}; ${a.unitsUpTo === null ? 're-ranked from SQLite: no unit file yet, the next start writes it' : `re-ranked from the unit file up to group ${a.unitsUpTo}`})`
              : `  ${''.padEnd(9)} index ${a.file}: ${a.unusable} (${groups}; \`chinook vectors build --index-only\` rebuilds it, exact scans meanwhile)`,
          );
        }
      }),
    );

  const evaluate = program.command('eval').description('offline evaluation');
  evaluate
    .command('recommendations')
    .description(
      'playlist completion under the strict protocol (spaces, blend, recommender, continuation and baselines, one vector build per playlist), then leave-last-invoice-out and a similarity sanity report; runs on throwaway copies of the database',
    )
    .addOption(new Option('--only <protocol>', 'run one protocol').choices(['playlists', 'invoices']))
    .option('--json', 'machine-readable output')
    .option('--docs <file>', 'also write the Markdown tables into this file, between <!-- eval:playlists:start/end --> (and eval:invoices) markers')
    .action((opts: { only?: 'playlists' | 'invoices'; json?: boolean; docs?: string }, cmd: Command) =>
      withDb(cmd, async (db) => {
        const { EvaluationCopies, formatEvaluation, formatPlaylistEvaluation, runEvaluation, runPlaylistEvaluation, writeBetweenMarkers } =
          await loadRecommendEvaluation();
        const copies = new EvaluationCopies(db);
        try {
          const progress = (l: string) => console.error(l);
          const playlists = opts.only === 'invoices' ? null : await runPlaylistEvaluation(copies, { log: progress });
          const invoices = opts.only === 'playlists' ? null : runEvaluation(copies, { log: progress });
          if (opts.json) console.log(JSON.stringify({ playlists, invoices }, null, 2));
          else console.log([playlists && formatPlaylistEvaluation(playlists), invoices && formatEvaluation(invoices)].filter(Boolean).join('\n\n'));
          if (opts.docs) {
            if (playlists) writeBetweenMarkers(opts.docs, 'eval:playlists', formatPlaylistEvaluation(playlists));
            if (invoices) writeBetweenMarkers(opts.docs, 'eval:invoices', formatEvaluation(invoices));
            console.error(`wrote the tables into ${opts.docs}`);
          }
        } finally {
          copies.dispose();
        }
      }),
    );
}
