// `chinook search …` as an operator runs it: child processes on a temp database.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { projectRoot } from '../../src/config.ts';
import { QUERY_KINDS } from '../../src/search/eval/generate.ts';
import { importedDb } from '../helpers.ts';

const exec = promisify(execFile);
const chinook = (db: string, ...args: string[]) =>
  exec(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'main.ts'), '--db', db, ...args], { cwd: projectRoot, timeout: 60_000 });

describe('chinook search', () => {
  it('check finds a broken index, rebuild mends it, stats and query report', async () => {
    const { config, db } = importedDb();
    db.close();
    // Break the index behind the triggers' back: one track's row disappears.
    const raw = new Database(config.dbPath);
    raw.prepare('DELETE FROM music_search_fts WHERE rowid = 1801').run();
    raw.close();
    await assert.rejects(chinook(config.dbPath, 'search', 'check'), (err: { code?: number }) => err.code === 1);
    const rebuilt = await chinook(config.dbPath, 'search', 'rebuild', '--quiet');
    assert.match(rebuilt.stdout, /Indexed 3503 tracks/);
    await chinook(config.dbPath, 'search', 'check');
    const stats = JSON.parse((await chinook(config.dbPath, 'search', 'stats', '--json')).stdout) as Record<string, unknown>;
    assert.equal(stats.totalTracks, 3503);
    assert.equal(stats.indexedTracks, 3503);
    const query = await chinook(config.dbPath, 'search', 'query', '-n', '3', 'enter', 'sandman');
    assert.match(query.stdout, /Enter Sandman/);
  });

  it('eval search scores the generated queries per kind and overall', async () => {
    const { config, db } = importedDb();
    db.close();
    const out = await chinook(config.dbPath, 'eval', 'search', '--per-kind', '5', '--no-hybrid', '--json');
    const report = JSON.parse(out.stdout) as {
      queries: number;
      reports: { engine: string; overall: { mrr: number; queries: number }; byKind: Record<string, { mrr: number }> }[];
    };
    assert.equal(report.queries, 5 * QUERY_KINDS.length);
    assert.deepEqual(
      report.reports.map((r) => r.engine),
      ['default (keyword)', 'MiniSearch'],
    );
    assert.deepEqual(Object.keys(report.reports[0]?.byKind ?? {}), [...QUERY_KINDS]);
    assert.ok((report.reports[0]?.overall.mrr ?? 0) > 0.8);
    await assert.rejects(chinook(config.dbPath, 'eval', 'search', '--per-kind', 'many'), /--per-kind must be a whole number/);
  });

  it('eval suggest scores the suggestions against the names-by-prefix list, per kind', async () => {
    const { config, db } = importedDb();
    db.close();
    const out = await chinook(config.dbPath, 'eval', 'suggest', '--per-kind', '20', '--json');
    const report = JSON.parse(out.stdout) as {
      queries: number;
      reports: { engine: string; overall: { hit: number }; byKind: Record<string, { hit: number }> }[];
    };
    assert.equal(report.queries, 20 * 5);
    assert.deepEqual(
      report.reports.map((r) => r.engine),
      ['names by prefix (before)', 'forgiving (default)'],
    );
    assert.deepEqual(Object.keys(report.reports[1]?.byKind ?? {}), ['prefix', 'prefix-typo', 'typo', 'accents', 'artist+title']);
    assert.ok((report.reports[1]?.overall.hit ?? 0) > (report.reports[0]?.overall.hit ?? 1));
    const text = await chinook(config.dbPath, 'eval', 'suggest', '--per-kind', '3');
    assert.match(text.stdout, /\| typo \| 3 \|/);
  });
});
