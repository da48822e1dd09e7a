// A shipped migration is frozen text: the DDL it runs is pinned here by hash, so editing one
// (or making it call live code whose SQL can move) fails. Change the schema with a new
// migration at the end of src/db/migrations.ts, and pin it here once it ships.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Db } from '../../src/db/connection.ts';
import { migrations } from '../../src/db/migrations.ts';

/** sha256 of the SQL each migration hands to exec, in order, as it shipped (taken on main 0fe7d22). */
const pinned: Record<number, string> = {
  1: '5a5a73bb99dec6dffb9783ec53110b3cae9fff3358c0dcc77dca27ab26434598',
  3: '0a9dc30fc6dad5e697dadb06cf99a60c327e6c2e69386de8b4f04ee36d0b0dc2',
  4: '75591462a5ec29db8855813fad8ef748ede4bd66d070ce0c962ff46d00388926',
  5: '69d30e23d94ea25bfc3c5af1ebad3c79e07ef9e0046e20e7d4bdcee542b529ac',
  6: '0e7f60459a61b0d9fb4c49be1249d55f92c86afc51d3e8c01d83ba3660b9e16e',
  8: '355e019bc6c41ba560caa1de625e3ec0662621ae2f2d979ee5887258b5004b11',
  9: '76f4cdd8de6f1ad84b91ec6ad1af85471945ff1b6b8622e64186538f3034ca30',
  // 2 and 7 call live search code today; the `search` branch freezes them (test/db/search-migrations.test.ts there).
};

/** Runs a migration against a recorder instead of a database: what SQL would it execute? */
function ddlOf(up: (db: Db) => void): string {
  const executed: string[] = [];
  const recorder = {
    exec(sql: string) {
      executed.push(sql);
      return recorder;
    },
  };
  up(recorder as unknown as Db);
  return createHash('sha256').update(executed.join('\n;\n')).digest('hex');
}

describe('shipped migrations are frozen', () => {
  for (const [version, hash] of Object.entries(pinned)) {
    it(`migration ${version} runs the DDL it shipped with`, () => {
      const m = migrations[Number(version) - 1];
      assert.ok(m, `migration ${version} exists`);
      assert.equal(m.version, Number(version));
      assert.equal(ddlOf(m.up), hash, `${m.name} changed: a shipped migration is never edited; add a new one`);
    });
  }
});
