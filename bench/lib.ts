// Shared benchmark tools: timing loops with warm-up, percentiles, markdown tables.
// Every section measures its baseline in the same run, so ratios survive a noisy machine.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Timing {
  iterations: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  opsPerSec: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

/** Median, p99, mean and ops/s of per-call samples in ms (sorts them in place). */
export function summarize(samples: number[]): Timing {
  samples.sort((a, b) => a - b);
  const total = samples.reduce((s, x) => s + x, 0);
  return {
    iterations: samples.length,
    medianMs: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    meanMs: total / samples.length,
    opsPerSec: samples.length / (total / 1000),
  };
}

/** Times fn one call at a time: warm-up first, then until `iterations` or `maxMs` is reached. */
export async function measure(fn: () => unknown, options: { iterations?: number; warmup?: number; maxMs?: number } = {}): Promise<Timing> {
  const iterations = options.iterations ?? 1000;
  const warmup = options.warmup ?? Math.min(100, Math.ceil(iterations / 10));
  const maxMs = options.maxMs ?? 10_000;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < iterations && performance.now() - started < maxMs) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/** Synchronous variant for in-process calls too fast for per-call await overhead to be fair. */
export function measureSync(fn: () => unknown, options: { iterations?: number; warmup?: number; maxMs?: number } = {}): Timing {
  const iterations = options.iterations ?? 1000;
  const warmup = options.warmup ?? Math.min(100, Math.ceil(iterations / 10));
  const maxMs = options.maxMs ?? 10_000;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < iterations && performance.now() - started < maxMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

export const fmtMs = (ms: number): string => (ms < 0.01 ? `${(ms * 1000).toFixed(2)} µs` : ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
export const fmtRatio = (x: number): string => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;

export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** What every section gets: where to put scratch databases, and whether to run the long, large-catalog parts. */
export interface BenchEnv {
  scratchDir: string;
  /** `npm run bench -- --quick` skips the large synthetic catalogs. */
  quick: boolean;
  log(line: string): void;
}

/** A file in bench/sections/ exports these; run.ts runs them in file-name order. */
export interface BenchSection {
  title: string;
  run(env: BenchEnv): Promise<string>;
}

/**
 * `--help` or `-h`: prints the script's opening comment (its usage) and exits, before the script
 * starts anything. Without it a bench tool took `--help` for no option and ran in full
 * (bench:ab's A/B: two minutes of load).
 */
export function exitWithUsageOnHelp(moduleUrl: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  const lines = readFileSync(fileURLToPath(moduleUrl), 'utf8').split('\n');
  const header: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('//')) break;
    header.push(line.replace(/^\/\/ ?/, ''));
  }
  process.stdout.write(`${header.join('\n').trim()}\n`);
  process.exit(0);
}

/** A Markdown document's `## ` sections, each from its title line to the next: the text before the first is `head`. */
function splitSections(doc: string): { head: string; sections: string[] } {
  const [head = '', ...rest] = doc.split(/^(?=## )/m);
  return { head, sections: rest };
}

const titleOf = (section: string) => section.slice(0, section.indexOf('\n') < 0 ? undefined : section.indexOf('\n')).trim();
const withBlankLine = (section: string) => `${section.trimEnd()}\n\n`;

/** `doc` with `section` (from its `## ` title line) in place of the section with the same title, or appended. */
export function replaceSection(doc: string, section: string): string {
  const { head, sections } = splitSections(doc);
  const at = sections.findIndex((s) => titleOf(s) === titleOf(section));
  if (at < 0) sections.push(section);
  else sections[at] = section;
  return `${head}${sections.map(withBlankLine).join('')}`.trimEnd().concat('\n');
}

/**
 * docs/BENCHMARKS.md after a full `npm run bench`: the new header and sections, then every
 * section of `current` this run does not write, in its order. Those are bench:load's "Load test"
 * and the notes kept by hand beside it (issue 16's and 17's runs): writing the file afresh lost
 * ~1,400 lines of them.
 */
export function fullRunDocument(current: string, header: string, produced: readonly string[]): string {
  const titles = new Set(produced.map(titleOf));
  const kept = splitSections(current).sections.filter((s) => !titles.has(titleOf(s)));
  return `${header}${[...produced, ...kept].map(withBlankLine).join('')}`.trimEnd().concat('\n');
}
