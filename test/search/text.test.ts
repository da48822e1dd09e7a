// The ranking re-reads candidate rows in JS (match.ts), so text.ts must cut and fold words
// exactly as the FTS5 tokenizer does. FTS5's own token list for every row of the catalog
// (fts5vocab 'instance') is the reference.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/connection.ts';
import { FTS } from '../../src/search/schema.ts';
import { fold, stripMarks, terms, tokens } from '../../src/search/text.ts';
import { importedDb } from '../helpers.ts';

describe('text.ts cuts and folds words as the index does', () => {
  let db: Db;
  before(() => {
    db = importedDb().db;
  });
  after(() => db.close());

  it('gives the same tokens as FTS5 for every column of every Chinook track', () => {
    db.exec(`CREATE VIRTUAL TABLE temp.search_instances USING fts5vocab(main, ${FTS}, 'instance')`);
    const fts = new Map<string, string[]>();
    for (const r of db.prepare('SELECT doc, col, term FROM temp.search_instances ORDER BY doc, col, offset').iterate() as Iterable<{
      doc: number;
      col: string;
      term: string;
    }>) {
      const key = `${r.doc}|${r.col}`;
      const list = fts.get(key) ?? [];
      list.push(r.term);
      fts.set(key, list);
    }
    let compared = 0;
    const mismatches: string[] = [];
    for (const row of db.prepare(`SELECT rowid, name, album, artist, genre, composer FROM ${FTS}`).iterate() as Iterable<Record<string, string | number>>) {
      for (const col of ['name', 'album', 'artist', 'genre', 'composer']) {
        const ours = terms(String(row[col]));
        const theirs = fts.get(`${row.rowid}|${col}`) ?? [];
        compared++;
        if (ours.join(' ') !== theirs.join(' ')) mismatches.push(`${row.rowid}.${col}: ${JSON.stringify(row[col])} → ours ${ours} / FTS5 ${theirs}`);
      }
    }
    assert.ok(compared > 17_000, `${compared} columns compared`);
    assert.deepEqual(mismatches.slice(0, 10), []);
  });

  it('folds Latin diacritics only, keeps offsets into the original text, and strips marks for the noise model', () => {
    assert.equal(fold('Antônio Titãs São'), 'antonio titas sao');
    assert.equal(fold('Bjørn Łódź Ωμέγα'), 'bjørn łodz ωμέγα');
    assert.equal(fold('cafe\u0301'), 'cafe');
    assert.deepEqual(tokens("Can't stop"), [
      { term: 'can', start: 0, end: 3 },
      { term: 't', start: 4, end: 5 },
      { term: 'stop', start: 6, end: 10 },
    ]);
    assert.equal(stripMarks('Legião Urbana'), 'Legiao Urbana');
  });
});
