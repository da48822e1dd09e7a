// `npm run bench [-- --quick] [-- name …]`: runs every section in bench/sections/ (or the
// named ones) and writes docs/BENCHMARKS.md with the command, date and machine (a full run;
// the sections it does not write, bench:load's and the notes beside it, are kept).
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchSection, exitWithUsageOnHelp, fullRunDocument } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));

const files = fs
  .readdirSync(path.join(here, 'sections'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-bench-'));
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const sqliteVersion = (() => {
  try {
    return execSync("node -e \"const D=require('better-sqlite3');console.log(new D(':memory:').prepare('select sqlite_version() v').get().v)\"", { cwd: root })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
})();

const parts: string[] = [];
for (const file of files) {
  const section = (await import(path.join(here, 'sections', file))) as BenchSection;
  console.error(`\n== ${section.title} (${file})`);
  const started = performance.now();
  const markdown = await section.run({ scratchDir, quick, log: (l) => console.error(`  ${l}`) });
  console.error(`   done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  parts.push(`## ${section.title}\n\n${markdown.trim()}\n`);
}
fs.rmSync(scratchDir, { recursive: true, force: true });

const header = [
  '# Benchmarks',
  '',
  `- Command: \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\``,
  `- Date: ${new Date().toISOString()}`,
  `- Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
  `- Node ${process.version}, SQLite ${sqliteVersion}`,
  '',
  'Medians and p99s are over the stated number of calls; every ratio compares two things measured in this same run.',
  '',
].join('\n');

const out = `${header}\n${parts.join('\n')}`;
if (only.length === 0) {
  const docs = path.join(root, 'docs', 'BENCHMARKS.md');
  const current = fs.existsSync(docs) ? fs.readFileSync(docs, 'utf8') : '';
  fs.writeFileSync(docs, fullRunDocument(current, `${header}\n`, parts));
  console.error('\nwrote docs/BENCHMARKS.md (sections this run does not write kept after its own)');
} else {
  const file = path.join(root, 'bench', 'results', `${only.join('-')}.md`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, out);
  console.error(`\nwrote ${path.relative(root, file)} (a partial run does not replace docs/BENCHMARKS.md)`);
}
