import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionService } from '../../src/accounts/sessions.ts';
import { UserService } from '../../src/accounts/users.ts';
import { CacheDb } from '../../src/cache/index.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { WriteQueue } from '../../src/db/write-queue.ts';
import { ActivityLog } from '../../src/store/activity.ts';
import { testConfig } from '../helpers.ts';

async function setup() {
  const db = openPrimary(testConfig());
  const writes = new WriteQueue(db);
  let now = 1_000_000;
  // The cache keeps real time on purpose: a session must expire by its own clock, whatever the cache holds.
  const cache = new CacheDb();
  const sessions = new SessionService(db, writes, cache, { idleSeconds: 600, now: () => now });
  const user = await new UserService(db, writes).register({ email: 's@example.com', password: 'long enough pw', displayName: 'S' });
  return { db, writes, cache, sessions, user, tick: (ms: number) => (now += ms), now: () => now };
}

describe('sessions', () => {
  it('slide their expiry with use and end after the idle time', async () => {
    const t = await setup();
    const { token } = await t.sessions.create(t.user.id);
    t.tick(500_000);
    assert.ok(t.sessions.resolve(token), 'still alive before the idle time');
    await t.writes.drain();
    t.tick(500_000); // 1000 s after creation, 500 s after last use
    assert.ok(t.sessions.resolve(token), 'use pushed the expiry forward');
    await t.writes.drain();
    t.tick(601_000);
    assert.equal(t.sessions.resolve(token), undefined);
    assert.equal(await t.sessions.pruneExpired(), 1);
    t.db.close();
  });

  it('survive losing the cache (the database row is the truth)', async () => {
    const t = await setup();
    const { token, session } = await t.sessions.create(t.user.id);
    t.cache.flush();
    const again = t.sessions.resolve(token);
    assert.equal(again?.id, session.id);
    assert.equal(again?.csrfToken, session.csrfToken);
    t.db.close();
  });

  it('refuse unknown, oversized and revoked tokens', async () => {
    const t = await setup();
    assert.equal(t.sessions.resolve('nope'), undefined);
    assert.equal(t.sessions.resolve('x'.repeat(10_000)), undefined);
    const a = await t.sessions.create(t.user.id);
    const b = await t.sessions.create(t.user.id);
    await t.sessions.revokeAllFor(t.user.id, a.session.id);
    assert.ok(t.sessions.resolve(a.token));
    assert.equal(t.sessions.resolve(b.token), undefined);
    await t.sessions.revoke(a.session.id);
    assert.equal(t.sessions.resolve(a.token), undefined);
    t.db.close();
  });
});

describe('activity log', () => {
  it('prunes entries past retention and pages newest first', async () => {
    const db = openPrimary(testConfig());
    const writes = new WriteQueue(db);
    const log = new ActivityLog(db, writes);
    for (let i = 0; i < 5; i++) await log.record({ description: `e${i}`, causerType: 'user', causerId: i % 2 });
    db.prepare("UPDATE activity_log SET created_at = '2000-01-01T00:00:00.000Z' WHERE description = 'e0'").run();
    assert.equal(await log.prune(30), 1);
    const page = log.list({ limit: 2 });
    assert.deepEqual(
      page.items.map((i) => i.description),
      ['e4', 'e3'],
    );
    const next = log.list({ limit: 2, cursor: page.nextCursor ?? undefined });
    assert.deepEqual(
      next.items.map((i) => i.description),
      ['e2', 'e1'],
    );
    assert.deepEqual(
      log.list({ limit: 10, causerId: 1 }).items.map((i) => i.description),
      ['e3', 'e1'],
    );
    assert.throws(() => log.list({ limit: 2, cursor: 'abc' }), /cursor/);
    db.close();
  });
});
