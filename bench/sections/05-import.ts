// Import speed and memory: the official Chinook file (the baseline: a plain INSERT … SELECT
// copy) and the synthetic generator at 10k, 100k and 1M tracks. Every import runs in its own
// process into a fresh file, so each peak RSS belongs to that import alone.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedDatasetPath } from '../../src/importer/source.ts';
import { type BenchEnv, fmtRatio, percentile, table } from '../lib.ts';

export const title = 'Import: official Chinook vs synthetic catalog';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const execFileAsync = promisify(execFile);

interface Sample {
  ms: number;
  tracks: number;
  rssBeforeBytes: number;
  peakRssBytes: number;
  fileBytes: number;
  cpuMs: number;
}

let counter = 0;
async function once(env: BenchEnv, args: string[]): Promise<Sample> {
  const dbPath = path.join(env.scratchDir, `import-${process.pid}-${++counter}.sqlite`);
  try {
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'bench', 'workers', 'import.ts'), args[0]!, dbPath, ...args.slice(1)],
      {
        cwd: root,
        maxBuffer: 1 << 20,
      },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Sample;
  } finally {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbPath + suffix, { force: true });
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const secs = (ms: number) => (ms < 10_000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);

export async function run(env: BenchEnv): Promise<string> {
  const source = process.env.CHINOOK_SOURCE ?? sharedDatasetPath;
  const rows: (string | number)[][] = [];
  const official: Sample[] = [];
  for (let i = 0; i < 5; i++) official.push(await once(env, ['official', source]));
  official.sort((a, b) => a.ms - b.ms);
  const base = official[Math.floor(official.length / 2)]!;
  const baseRate = base.tracks / (base.ms / 1000);
  env.log(`official: median ${base.ms.toFixed(0)} ms over ${official.length} runs`);
  rows.push([
    'official Chinook (baseline)',
    base.tracks,
    `${official.length}`,
    secs(base.ms),
    secs(
      percentile(
        official.map((s) => s.ms),
        99,
      ),
    ),
    Math.round(baseRate).toLocaleString('en-US'),
    '1.00×',
    secs(base.cpuMs),
    mb(base.peakRssBytes),
    mb(base.peakRssBytes - base.rssBeforeBytes),
    mb(base.fileBytes),
  ]);

  const sizes: [tracks: number, runs: number][] = [
    [10_000, 3],
    [100_000, 2],
  ];
  if (!env.quick) sizes.push([1_000_000, 1]);
  for (const [tracks, runs] of sizes) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      samples.push(await once(env, ['synthetic', String(tracks), '42']));
      env.log(`synthetic ${tracks}: ${samples.at(-1)!.ms.toFixed(0)} ms, peak RSS ${mb(samples.at(-1)!.peakRssBytes)}`);
    }
    samples.sort((a, b) => a.ms - b.ms);
    const median = samples[Math.floor(samples.length / 2)]!;
    const rate = tracks / (median.ms / 1000);
    const peak = Math.max(...samples.map((s) => s.peakRssBytes));
    const delta = Math.max(...samples.map((s) => s.peakRssBytes - s.rssBeforeBytes));
    rows.push([
      'synthetic',
      tracks.toLocaleString('en-US'),
      `${runs}`,
      secs(median.ms),
      secs(samples.at(-1)!.ms),
      Math.round(rate).toLocaleString('en-US'),
      fmtRatio(rate / baseRate),
      secs(median.cpuMs),
      mb(peak),
      mb(delta),
      mb(median.fileBytes),
    ]);
  }
  return [
    'Each import runs in a fresh process into a fresh database file (WAL, the production pragmas), in one transaction, including the search index fill.',
    'Tracks/s counts tracks only, but a synthetic catalog also writes ~1.2 playlist entries and ~0.64 invoice lines per track; "vs official" is the tracks/s ratio to the official import measured in this run.',
    'CPU is user + system time of the importing process: on a shared machine it is steadier than wall time.',
    'Peak RSS is the process maximum; "Δ RSS" is that peak minus the RSS just before the import (after opening the database).',
    '',
    table(['import', 'tracks', 'runs', 'median', 'slowest', 'tracks/s', 'vs official', 'CPU', 'peak RSS', 'Δ RSS', 'file size'], rows),
  ].join('\n');
}
