// Two habits the project keeps, checked: no file of src/ over ~400 lines (data files aside),
// and one statement cache (db/connection.ts statement/statementFor), not one per class.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listFiles, readSource, root } from './source.ts';

const MAX_LINES = 400;

/** Files allowed past MAX_LINES, with why. */
const longFiles: Record<string, string> = {
  'src/importer/synthetic-words.ts': 'data: the word lists of the synthetic catalog',
  'src/vectors/vector-index.ts': 'the ann branch replaces the sharded index and moves this file to bench/baselines',
};

describe('code shape', () => {
  const files = listFiles('src').map(readSource);

  it(`no file in src/ is over ${MAX_LINES} lines, data files aside`, () => {
    assert.deepEqual(
      files.filter((f) => f.lines > MAX_LINES && !(f.file in longFiles)).map((f) => `${f.file}: ${f.lines} lines`),
      [],
    );
  });

  it('every long file listed is still long (a split one comes off the list)', () => {
    assert.deepEqual(
      Object.keys(longFiles).filter((f) => !files.some((s) => s.file === f && s.lines > MAX_LINES)),
      [],
    );
  });

  it('prepared statements are cached in one place: db/connection.ts', () => {
    // A class keeping its own map of statements is a second cache to invalidate, size and reason about.
    const own = files
      .filter((f) => f.file !== 'src/db/connection.ts')
      .flatMap((f) =>
        fs
          .readFileSync(path.join(root, f.file), 'utf8')
          .split('\n')
          .flatMap((line, i) => (/\bnew\s+(?:Weak)?Map<[^>]*\b(?:Stmt|Statement)\b/.test(line) ? [`${f.file}:${i + 1}`] : [])),
      );
    assert.deepEqual(own, [], 'use statement(db, sql) or statementFor(db, shape, build) from db/');
  });
});
