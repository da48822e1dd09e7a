// Login brakes, password strength and proxy trust: each case was a finding of the outside
// probe (issue 12) and failed before.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT_WIDE_FACTOR } from '../../src/accounts/throttle.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startServer, type TestServer } from '../helpers.ts';
import { Client } from './client.ts';

const PASSWORD = 'correct horse battery';
const LIMIT = 3;

describe('login attempts are counted before the password is checked', () => {
  let server: TestServer;
  // One trusted proxy hop (this test's loopback connection) sets the client address.
  before(async () => {
    server = await startServer({ loginFailuresPerAccount: LIMIT, loginRatePerMinute: 100000, trustProxy: '1' });
  });
  after(() => server.close());

  const login = (email: string, password: string, ip: string) => new Client(server.url).post('/api/auth/login', { email, password }, { 'x-forwarded-for': ip });

  it('lets at most the limit of concurrent wrong guesses reach the password check', async () => {
    await new Client(server.url).register('target1@example.com');
    const replies = await Promise.all(Array.from({ length: 30 }, () => login('target1@example.com', 'wrong guess here', '10.0.0.1')));
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, LIMIT);
    assert.equal(statuses.filter((s) => s === 429).length, 30 - LIMIT);
  });

  it('refuses the right password hidden among concurrent guesses past the limit', async () => {
    await new Client(server.url).register('target2@example.com');
    const guesses = Array.from({ length: 20 }, (_, i) => (i === 16 ? PASSWORD : `wrong guess ${i}`));
    const replies = await Promise.all(guesses.map((p) => login('target2@example.com', p, '10.0.0.2')));
    assert.equal(replies[16]?.status, 429);
    assert.ok(replies.every((r) => r.status !== 200));
  });

  it('does not lock the owner out from another address', async () => {
    await new Client(server.url).register('owner@example.com');
    for (let i = 0; i < LIMIT + 2; i++) await login('owner@example.com', `attacker ${i}`, '10.0.0.3');
    assert.equal((await login('owner@example.com', PASSWORD, '10.0.0.3')).status, 429);
    assert.equal((await login('owner@example.com', PASSWORD, '10.0.0.4')).status, 200);
    // Successes do not use up the account-wide allowance.
    for (let i = 0; i < LIMIT * 2; i++) assert.equal((await login('owner@example.com', PASSWORD, '10.0.0.4')).status, 200);
  });

  it('brakes guessing spread over many addresses', async () => {
    await new Client(server.url).register('spread@example.com');
    const allowance = LIMIT * ACCOUNT_WIDE_FACTOR;
    for (let i = 0; i < allowance; i++) assert.equal((await login('spread@example.com', 'wrong guess', `10.1.${i >> 8}.${i & 255}`)).status, 401);
    const next = await login('spread@example.com', PASSWORD, '10.2.0.1');
    assert.equal(next.status, 429);
    assert.ok(Number(next.headers.get('retry-after')) > 0);
  });

  it('trusts only the nearest hop: a spoofed X-Forwarded-For chain does not pick a new address', async () => {
    await new Client(server.url).register('spoof@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await login('spoof@example.com', 'wrong guess', `6.6.6.${i}, 10.0.0.9`)).status);
    assert.deepEqual(statuses, [...Array(LIMIT).fill(401), 429, 429]);
  });
});

describe('passwords', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('refuses guessable passwords at registration, saying why', async () => {
    for (const [email, password] of [
      ['weak1@example.com', 'aaaaaaaaaa'],
      ['weak2@example.com', 'password12'],
      ['weak3@example.com', 'weak3@example.com'],
      ['weak4@example.com', 'qwertyuiop'],
    ] as const) {
      const res = await new Client(server.url).register(email, password);
      assert.equal(res.status, 400, `${password}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.message, /too easy to guess/);
    }
    assert.equal((await new Client(server.url).register('strong@example.com', 'violet tractor seventeen')).status, 201);
  });

  it('refuses a guessable new password', async () => {
    const c = new Client(server.url);
    await c.register('changer@example.com');
    const res = await c.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'changer@example.com' });
    assert.equal(res.status, 400);
    assert.equal((await c.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'lantern orbit marmalade' })).status, 204);
  });
});

describe('CHINOOK_TRUST_PROXY', () => {
  it('refuses true (any client could choose its IP) and bad addresses, naming the variable', () => {
    for (const value of ['true', 'yes', '10.0.0.300', 'proxy.example.com', '99']) {
      assert.throws(
        () => loadConfig({}, { CHINOOK_TRUST_PROXY: value }),
        (err: unknown) => err instanceof ConfigError && /CHINOOK_TRUST_PROXY/.test(err.message),
        value,
      );
    }
    for (const value of ['false', '1', '2', '127.0.0.1', '10.0.0.0/8, ::1']) assert.doesNotThrow(() => loadConfig({}, { CHINOOK_TRUST_PROXY: value }));
  });
});
