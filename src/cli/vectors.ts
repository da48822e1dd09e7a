// `chinook vectors build|import|status` and `chinook eval recommendations`.
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Db } from '../db/index.ts';
import { formatEvaluation, runEvaluation } from '../recommend/index.ts';
import { buildVectors, ensureVectors, importEmbeddings, isSpace, SPACES, type Space, VectorStore } from '../vectors/index.ts';
import { withDb } from './db.ts';
import { createProgress } from './progress.ts';

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
    .option('-q, --quiet', 'no progress output')
    .action((opts: { space?: Space[]; quiet?: boolean }, cmd: Command) =>
      withDb(cmd, (db) => {
        const progress = createProgress('vectors', { quiet: opts.quiet });
        const r = buildVectors(db, { spaces: opts.space, onProgress: (d, t, l) => progress.update(d, t, l) });
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
      }),
    );

  vectors
    .command('status')
    .description('how each space was built, and how many tracks have vectors')
    .action((_opts: unknown, cmd: Command) =>
      withDb(cmd, (db) => {
        const store = new VectorStore(db);
        console.log(`${store.count()} tracks have vectors`);
        for (const s of store.spaces())
          console.log(
            `  ${s.space.padEnd(9)} ${s.provider.padEnd(24)} ${s.dims} dims, ${s.trackCount} tracks, built ${s.builtAt}${store.index(s.space) ? ', indexed' : ''}`,
          );
      }),
    );

  const evaluate = program.command('eval').description('offline evaluation');
  evaluate
    .command('recommendations')
    .description('leave-last-invoice-out evaluation of the recommender and a similarity sanity report')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) =>
      withDb(cmd, (db) => {
        const result = runEvaluation(db, { log: (l) => console.error(l) });
        console.log(opts.json ? JSON.stringify(result, null, 2) : formatEvaluation(result));
      }),
    );
}
