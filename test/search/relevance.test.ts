// Relevance: MRR and nDCG@10 of the suite in relevance-suite.ts (answers from the source file),
// and every query held to the rank its kind allows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import type { Db } from '../../src/db/connection.ts';
import { SearchService } from '../../src/search/index.ts';
import { importedDb, openSource } from '../helpers.ts';
import { evaluateRelevance } from './relevance-suite.ts';

describe('search relevance (answers checked against the Chinook source)', () => {
  let db: Db;
  let src: Database.Database;
  let search: SearchService;
  before(() => {
    db = importedDb().db;
    src = openSource();
    search = new SearchService(db);
  });
  after(() => {
    db.close();
    src.close();
  });

  it('ranks the expected tracks first: MRR and nDCG@10 over at least 40 queries', () => {
    const r = evaluateRelevance(search, src);
    assert.ok(r.queries >= 40, `only ${r.queries} queries`);
    const kinds = [...r.byKind].map(([k, v]) => `${k} ${v.mrr.toFixed(2)} (${v.n})`).join(', ');
    console.log(`relevance: ${r.queries} queries, MRR ${r.mrr.toFixed(3)}, nDCG@10 ${r.ndcg.toFixed(3)}; MRR by kind: ${kinds}`);
    assert.deepEqual(r.failures, []);
    assert.ok(r.mrr >= 0.95, `MRR ${r.mrr}`);
    assert.ok(r.ndcg >= 0.85, `nDCG@10 ${r.ndcg}`);
  });
});
