import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPrimary, statement, statementFor } from '../../src/db/connection.ts';
import { testConfig } from '../helpers.ts';

describe('the statement cache (db/connection.ts)', () => {
  it('prepares each SQL text once per connection', () => {
    const config = testConfig();
    const a = openPrimary(config);
    const b = openPrimary(config);
    const sql = 'SELECT count(*) FROM chinook_tracks';
    assert.equal(statement(a, sql), statement(a, sql));
    assert.notEqual(statement(a, sql), statement(b, sql), 'a statement belongs to its connection');
    a.close();
    b.close();
  });

  it('statementFor builds the SQL of a shape only the first time, apart from SQL-text keys', () => {
    const db = openPrimary(testConfig());
    let builds = 0;
    const build = () => {
      builds++;
      return 'SELECT 1 AS one';
    };
    const first = statementFor(db, 'one', build);
    assert.equal(statementFor(db, 'one', build), first);
    assert.equal(builds, 1);
    // A shape spelled like an SQL text is still its own entry.
    assert.deepEqual(statementFor(db, 'SELECT 2 AS n', () => 'SELECT 3 AS n').get(), { n: 3 });
    assert.deepEqual(statement(db, 'SELECT 2 AS n').get(), { n: 2 });
    assert.deepEqual(first.get(), { one: 1 });
    db.close();
  });
});
