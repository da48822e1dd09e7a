// The search's row cache: each row's details and tokens as text.ts cuts them, emptied when the
// catalog's generation moves, and small: one copy of each repeated string and exact-size token
// arrays (2.6 KB a Chinook row before, 1.7–1.8 after; bench/search-doc-cache-memory.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DocCache } from '../../src/search/doc-cache.ts';
import { SearchStatements } from '../../src/search/statements.ts';
import { tokens } from '../../src/search/text.ts';
import { importedDb } from '../helpers.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('search row cache', () => {
  const { db } = importedDb();
  const ids = db.prepare('SELECT id FROM chinook_tracks ORDER BY id').pluck().all() as number[];

  it("holds each row's details and the tokens of its five columns, and is emptied when the generation moves", () => {
    const cache = new DocCache(new SearchStatements(db).details);
    const some = ids.filter((_, i) => i % 97 === 0);
    const docs = cache.get(some, 1);
    assert.equal(docs.size, some.length);
    for (const id of some) {
      const doc = docs.get(id);
      assert.ok(doc, `row ${id}`);
      assert.equal(doc.details.id, id);
      assert.deepEqual(doc.text, [doc.details.name, doc.details.album ?? '', doc.details.artist ?? '', doc.details.genre ?? '', doc.details.composer ?? '']);
      assert.deepEqual(
        doc.tokens.map((column) => column.map((t) => ({ ...t }))),
        doc.text.map((t) => tokens(t)),
      );
    }
    const again = cache.get(some, 1);
    assert.equal(again.get(some[0] as number), docs.get(some[0] as number), 'same generation: the cached object');
    const after = cache.get(some, 2);
    assert.notEqual(after.get(some[0] as number), docs.get(some[0] as number), 'a new generation reads the rows again');
    assert.deepEqual(after.get(some[0] as number), docs.get(some[0] as number));
  });

  it('holds every Chinook row in under 2.2 KB of heap a row (2.6 KB with a copy of every string)', () => {
    const cache = new DocCache(new SearchStatements(db).details);
    cache.get(ids.slice(0, 50), 1); // statements and code compiled before the measure
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < ids.length; i += 500) cache.get(ids.slice(i, i + 500), 1);
    gc();
    gc();
    const perRow = (process.memoryUsage().heapUsed - before) / ids.length;
    assert.ok(cache.get([ids[0] as number], 1).size === 1);
    assert.ok(perRow < 2200, `${perRow.toFixed(0)} B a row`);
  });
});
