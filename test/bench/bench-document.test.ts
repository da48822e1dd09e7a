// docs/BENCHMARKS.md is written by two tools: a full `npm run bench` (its sections) and
// `npm run bench:load` (its "Load test" section), with notes kept by hand beside them. Before,
// a full run wrote the file afresh and dropped the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fullRunDocument, replaceSection } from '../../bench/lib.ts';

const doc = [
  '# Benchmarks',
  '',
  '- Date: old',
  '',
  '## Import',
  '',
  'old import',
  '',
  '## Load test (wrk)',
  '',
  'old load',
  '## Issue 17 notes',
  '',
  'by hand',
  '',
].join('\n');

test('a full run replaces its own sections and keeps the others after them, in their order', () => {
  const out = fullRunDocument(doc, '# Benchmarks\n\n- Date: new\n\n', ['## Import\n\nnew import\n', '## Search\n\nnew search\n']);
  assert.equal(
    out,
    [
      '# Benchmarks',
      '',
      '- Date: new',
      '',
      '## Import',
      '',
      'new import',
      '',
      '## Search',
      '',
      'new search',
      '',
      '## Load test (wrk)',
      '',
      'old load',
      '',
      '## Issue 17 notes',
      '',
      'by hand',
      '',
    ].join('\n'),
  );
  assert.ok(!out.includes('old import'));
});

test('bench:load replaces its section in place, or appends it', () => {
  const replaced = replaceSection(doc, '## Load test (wrk)\n\nnew load\n');
  assert.ok(replaced.includes('## Load test (wrk)\n\nnew load\n\n## Issue 17 notes'));
  assert.ok(!replaced.includes('old load'));
  assert.ok(replaced.startsWith('# Benchmarks\n\n- Date: old'));
  const appended = replaceSection('# Benchmarks\n\n## Import\n\nx\n', '## Load test (wrk)\n\ny\n');
  assert.equal(appended, '# Benchmarks\n\n## Import\n\nx\n\n## Load test (wrk)\n\ny\n');
});
