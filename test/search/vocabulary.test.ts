// What a typed word may also mean: typo budget and cost, splits, completions, and the plan's
// FTS5 expressions built from them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allOf, atLeast, buildPlan, ONE_LETTER_PREFIX_MAX_ROWS, subsets } from '../../src/search/plan.ts';
import { parseQuery } from '../../src/search/query.ts';
import { editDistance, typoBudget, typoCost, VocabularySnapshot } from '../../src/search/vocabulary.ts';

const vocab = (words: Record<string, number>) =>
  new VocabularySnapshot(
    Object.entries(words).map(([term, doc]) => ({ term, doc, cnt: doc })),
    100,
  );

describe('vocabulary', () => {
  it('allows 0 typos up to 4 letters, 1 up to 8, 2 from 9; a first-letter edit costs 2', () => {
    assert.deepEqual(['stop', 'stops', 'metallic', 'metallica'].map(typoBudget), [0, 1, 1, 2]);
    assert.equal(editDistance('metalica', 'metallica', 2), 1);
    assert.equal(editDistance('aerosmtih', 'aerosmith', 2), 1, 'a swap of neighbours is one edit');
    assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3, 'gives up past max');
    assert.equal(typoCost('lover', 'cover', 1), 2);
    assert.equal(typoCost('lover', 'loves', 1), 1);
    assert.equal(typoCost('lover', 'lower', 0), Number.POSITIVE_INFINITY);
  });

  it('orders derivations of equal cost: suffixes and common words first', () => {
    const v = vocab({ zeppelin: 114, zepelim: 1, masters: 3, matter: 13, master: 1 });
    assert.deepEqual(
      v.typos('zepelin').map((d) => d.term),
      ['zeppelin', 'zepelim'],
    );
    assert.equal(v.typos('master')[0]?.term, 'masters');
    assert.ok(!v.typos('master').some((d) => d.term === 'master'), 'the word itself is not a typo of itself');
  });

  it('splits words the vocabulary lacks, never words it holds', () => {
    const v = vocab({ don: 5, t: 40, ac: 3, dc: 3, pau: 2, de: 60, arara: 1, r: 2, e: 9, m: 4, pearl: 3, p: 1, earl: 2 });
    assert.deepEqual(v.splits('dont'), [['don', 't']]);
    assert.deepEqual(v.splits('acdc'), [['ac', 'dc']]);
    assert.deepEqual(v.splits('paudearara'), [['pau', 'de', 'arara']]);
    assert.deepEqual(v.splits('rem'), [['r', 'e', 'm']]);
    assert.deepEqual(v.splits('pearl'), []);
    assert.deepEqual(v.acronym('erm'), ['e', 'r', 'm']);
    assert.equal(v.acronym('ermx'), null);
  });

  it('lists a handful of completions, or gives up on many', () => {
    const v = vocab({ sandman: 2, sandstorm: 1, sand: 4, san: 9 });
    assert.deepEqual(v.completions('sandm', 12), ['sandman']);
    assert.deepEqual(v.completions('sand', 12), ['sandman', 'sandstorm']);
    assert.equal(v.completions('san', 1), null);
    assert.ok(v.hasPrefix('sands') && !v.hasPrefix('sandz'));
  });
});

describe('search plan', () => {
  const v = vocab({ sweet: 9, child: 4, of: 300, mine: 3, metallica: 112, sandman: 2, sand: 4, man: 20, don: 5, t: 40, look: 7, back: 8 });

  it('ORs each word with its derivations and ANDs the words', () => {
    const plan = buildPlan(parseQuery('metalica sand man'), v);
    assert.equal(allOf(plan, [0, 1, 2], 0), '"metalica" AND "sand" AND "man"');
    assert.equal(allOf(plan, [0, 1, 2]), '("metalica" OR "metallica") AND (("sand" AND "man") OR "sandman")');
    // The last word, still typed, also stands for the words it starts.
    assert.equal(allOf(buildPlan(parseQuery('sand'), v), [0], 0), '("sand" OR "sandman")');
  });

  it('reads one letter being typed as a prefix beside other words, on catalogs up to ONE_LETTER_PREFIX_MAX_ROWS', () => {
    const rows = (n: number) =>
      new VocabularySnapshot(
        [
          { term: 'marvin', doc: 1, cnt: 1 },
          { term: 'gaye', doc: 1, cnt: 1 },
          { term: 'g', doc: 1, cnt: 1 },
        ],
        n,
      );
    assert.equal(
      allOf(buildPlan(parseQuery('marvin g'), rows(3503)), [0, 1], 0),
      '"marvin" AND ("g" OR "gaye")',
      'its completions, as words when they are few',
    );
    // Alone it stays a word (the suggestions answer one letter).
    assert.equal(allOf(buildPlan(parseQuery('g'), rows(3503)), [0], 0), '"g"');
    // Past the bound FTS5 would merge every g… term's doclist (154 ms on 1M tracks for "s" *).
    assert.equal(allOf(buildPlan(parseQuery('marvin g'), rows(ONE_LETTER_PREFIX_MAX_ROWS + 1)), [0, 1], 0), '"marvin" AND "g"');
    assert.equal(allOf(buildPlan(parseQuery('marvin g '), rows(3503)), [0, 1], 0), '"marvin" AND "g"', 'a trailing space ends the word');
  });

  it('builds "at least n of them" from subsets that drop later words first', () => {
    assert.deepEqual(subsets([0, 1, 2], 2, 10), [
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    const plan = buildPlan(parseQuery('sweet child of mine -live'), v);
    assert.match(atLeast(plan, [0, 1, 2, 3], 3) ?? '', /^\(\("sweet" AND "child" AND "of"\) OR .*\) NOT \("live"\)$/);
  });

  it('separates words joined by punctuation and keeps quoted phrases exact', () => {
    const plan = buildPlan(parseQuery("don't look"), v);
    assert.deepEqual(
      plan.clauses.map((c) => c.typed),
      ['don', 't', 'look'],
    );
    assert.deepEqual(buildPlan(parseQuery('"sand man"'), v).clauses[0]?.alternatives.length, 1);
  });
});
