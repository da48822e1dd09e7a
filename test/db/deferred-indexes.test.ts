import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type AppContext, createContext } from '../../src/context.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { foldTail } from '../../src/db/deferred-indexes.ts';
import { migrations } from '../../src/db/migrations.ts';
import { activityIndex } from '../../src/store/activity.ts';
import { playsIndex } from '../../src/store/plays.ts';
import { importedDb, testConfig } from '../helpers.ts';

// The deferred lookups (plays by user, plays per track, activity by causer) must answer exactly
// what a scan of the logs answers, whatever part of the log has been folded in so far.
describe('deferred indexes', () => {
  let ctx: AppContext;
  let users: number[];
  const tracks = [1, 2, 1801, 3000];

  before(async () => {
    const { config, db } = importedDb({ deferredIndexMs: 60_000 });
    ctx = createContext(config, db);
    ctx.store.deferredIndexes.stop(); // folds happen only where the test says
    users = await ctx.writes.run((w) => {
      const insert = w.prepare("INSERT INTO users (email, password_hash, display_name, role) VALUES (?, 'x', ?, 'customer')");
      return [0, 1, 2].map((i) => Number(insert.run(`u${i}@example.com`, `U${i}`).lastInsertRowid));
    });
  });
  after(() => ctx.close());

  const fold = (maxRows: number) => ctx.writes.run((w) => foldTail(w, playsIndex, maxRows) + foldTail(w, activityIndex, maxRows));

  /** Every page of a user's history, walked by cursor. */
  const historyIds = (userId: number, limit: number) => {
    const ids: number[] = [];
    let cursor: number | undefined;
    for (;;) {
      const page = ctx.store.plays.historyOf(userId, { limit, cursor });
      ids.push(...page.items.map((p) => p.id));
      if (!page.nextCursor) return ids;
      cursor = Number(page.nextCursor);
    }
  };
  const activityIds = (causerId: number, limit: number) => {
    const ids: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = ctx.store.activity.list({ causerId, limit, cursor });
      ids.push(...page.items.map((a) => a.id));
      if (!page.nextCursor) return ids;
      cursor = page.nextCursor;
    }
  };
  const scan = (sql: string, ...args: number[]) =>
    ctx.db
      .prepare(sql)
      .pluck()
      .all(...args) as number[];

  it('history, activity by causer and play counts match a scan of the logs at every fold state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ play: fc.integer({ min: 0, max: 2 }), track: fc.integer({ min: 0, max: 3 }) }),
            fc.record({ fold: fc.integer({ min: 1, max: 7 }) }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 6 }),
        async (steps, pageSize) => {
          for (const step of steps) {
            if ('play' in step) await ctx.store.plays.record(users[step.play] as number, tracks[step.track] as number);
            else await fold(step.fold);
          }
          for (const u of users) {
            assert.deepEqual(historyIds(u, pageSize), scan('SELECT id FROM plays WHERE user_id = ? ORDER BY id DESC', u));
            assert.deepEqual(activityIds(u, pageSize), scan('SELECT id FROM activity_log WHERE causer_id = ? ORDER BY id DESC', u));
          }
        },
      ),
      { numRuns: 25 },
    );
    await fold(Number.MAX_SAFE_INTEGER);
    const counts = ctx.db.prepare('SELECT track_id, plays FROM track_play_counts ORDER BY track_id').all();
    assert.deepEqual(counts, ctx.db.prepare('SELECT track_id, count(*) AS plays FROM plays GROUP BY track_id ORDER BY track_id').all());
  });

  it('never hands out an id behind the watermark, even after the newest plays are deleted', async () => {
    const user = users[0] as number;
    await ctx.store.plays.record(user, 1);
    await fold(Number.MAX_SAFE_INTEGER);
    const newest = ctx.db.prepare('SELECT max(id) FROM plays').pluck().get() as number;
    await ctx.writes.run((w) => w.prepare('DELETE FROM plays WHERE id = ?').run(newest));
    const id = await ctx.store.plays.record(user, 2);
    assert.ok(id > newest);
    assert.equal(historyIds(user, 50)[0], id);
  });

  it('the background fold catches up, and pruning the activity log prunes its lookup', async () => {
    const folded = await ctx.store.deferredIndexes.catchUp();
    assert.ok(folded >= 0);
    const behind = ctx.db.prepare("SELECT (SELECT max(id) FROM plays) - upto FROM deferred_indexes WHERE name = 'plays'").pluck().get();
    assert.equal(behind, 0);
    await ctx.writes.run((w) => w.prepare("UPDATE activity_log SET created_at = '2000-01-01T00:00:00.000Z'").run());
    await ctx.store.activity.prune(30);
    assert.equal(ctx.db.prepare('SELECT count(*) FROM activity_by_causer').pluck().get(), 0);
  });
});

describe('migration 005 on a database that already has plays and activity', () => {
  it('keeps every row, and the first fold indexes them', async () => {
    const config = testConfig();
    const raw = openPrimary(config, { skipMigrations: true });
    for (const m of migrations.slice(0, 4)) {
      raw.transaction(() => {
        m.up(raw);
        raw.pragma(`user_version = ${m.version}`);
      })();
    }
    // A minimal catalog by hand: the importer speaks the current schema.
    raw.exec(`
      INSERT INTO chinook_media_types (id, name) VALUES (1, 'MPEG audio file');
      INSERT INTO chinook_tracks (id, slug, name, media_type_id, milliseconds, unit_price) VALUES
        (1, 'one', 'One', 1, 1000, 0.99), (2, 'two', 'Two', 1, 1000, 0.99), (3, 'three', 'Three', 1, 1000, 0.99);
    `);
    raw.prepare("INSERT INTO users (id, email, password_hash, display_name) VALUES (7, 'old@example.com', 'x', 'Old')").run();
    for (const t of [1, 2, 1]) raw.prepare('INSERT INTO plays (user_id, track_id) VALUES (7, ?)').run(t);
    raw.prepare("INSERT INTO activity_log (description, causer_type, causer_id) VALUES ('logged in', 'user', 7)").run();
    raw.close();

    const ctx = createContext(config, openPrimary(config));
    try {
      ctx.store.deferredIndexes.stop();
      assert.deepEqual(
        ctx.store.plays.historyOf(7, { limit: 10 }).items.map((p) => p.trackId),
        [1, 2, 1],
      );
      assert.equal(await ctx.store.deferredIndexes.catchUp(), 4);
      assert.deepEqual(
        ctx.store.plays.historyOf(7, { limit: 10 }).items.map((p) => p.trackId),
        [1, 2, 1],
      );
      assert.equal(ctx.store.activity.list({ causerId: 7, limit: 10 }).items.length, 1);
      assert.deepEqual(ctx.db.prepare('SELECT track_id, plays FROM track_play_counts ORDER BY track_id').all(), [
        { track_id: 1, plays: 2 },
        { track_id: 2, plays: 1 },
      ]);
      // AUTOINCREMENT carried the old ids on: the next play is numbered after them.
      assert.equal(await ctx.store.plays.record(7, 3), 4);
    } finally {
      ctx.close();
    }
  });
});
