import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SharedCounters } from '../../src/accounts/limits.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { WriteQueue } from '../../src/db/write-queue.ts';
import { importedDb, startServerOn, type TestServer, testConfig } from '../helpers.ts';
import { Client } from './client.ts';

describe('shared counters', () => {
  it('count in fixed windows, start over when a window ends, and prune ended ones', async () => {
    const config = testConfig();
    const db = openPrimary(config);
    const writes = new WriteQueue(openPrimary({ ...config, busyTimeoutMs: 0 }));
    let now = 1_000_000;
    const counters = new SharedCounters(db, writes, () => now);
    assert.equal(counters.peek('k'), null);
    const hits = await Promise.all([counters.hit('k', 60_000), counters.hit('k', 60_000), counters.hit('k', 60_000)]);
    assert.deepEqual(
      hits.map((h) => h.count),
      [1, 2, 3],
    );
    assert.deepEqual(counters.peek('k'), { count: 3, resetAt: 1_060_000 });
    now += 59_999;
    assert.equal((await counters.hit('k', 60_000)).count, 4);
    now += 1;
    assert.equal(counters.peek('k'), null);
    assert.deepEqual(await counters.hit('k', 60_000), { count: 1, resetAt: 1_120_000 });
    await counters.hit('other', 10);
    now += 100;
    assert.equal(await counters.prune(), 1);
    await writes.close();
    db.close();
  });
});

// Two apps over one database file stand for two cluster workers: each has its own connections
// and its own memory, so only the database can make them count the same attempts.
describe('login limits across workers', () => {
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    const { config, db } = importedDb({ loginRatePerMinute: 6, loginFailuresPerAccount: 3 });
    a = await startServerOn(config, db);
    b = await startServerOn(config);
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('locks an account after failures spread over both workers', async () => {
    assert.equal((await new Client(a.url).register('shared@example.com')).status, 201);
    const login = (s: TestServer, password: string) => new Client(s.url).post('/api/auth/login', { email: 'shared@example.com', password });
    assert.equal((await login(a, 'wrong password 1')).status, 401);
    assert.equal((await login(b, 'wrong password 2')).status, 401);
    assert.equal((await login(a, 'wrong password 3')).status, 401);
    const locked = await login(b, 'correct horse battery');
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
  });

  it('limits one IP across both workers', async () => {
    // Each route counts on its own: /login has seen 4 attempts from this IP (of 6 a minute),
    // the registration counted on /register.
    const attempt = (s: TestServer) => new Client(s.url).post('/api/auth/login', { email: 'nobody@example.com', password: 'wrong password' });
    assert.equal((await attempt(a)).status, 401);
    assert.equal((await attempt(b)).status, 401);
    const limited = await attempt(a);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'too_many_requests');
    assert.equal((await attempt(b)).status, 429);
  });
});
