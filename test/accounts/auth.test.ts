import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers.ts';
import { Client } from './client.ts';

describe('accounts over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ loginFailuresPerAccount: 3 });
  });
  after(async () => server.close());

  it('registers, sets an HttpOnly SameSite=Lax session cookie, and knows the user', async () => {
    const c = new Client(server.url);
    const r = await c.register('Ada@Example.com');
    assert.equal(r.status, 201);
    assert.equal(r.body.user.email, 'ada@example.com');
    assert.equal(r.body.user.role, 'customer');
    assert.equal(typeof r.body.csrfToken, 'string');
    const cookie = r.headers.get('set-cookie') ?? '';
    assert.match(cookie, /chinook_session=[A-Za-z0-9_-]{40,}/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/); // plain http here
    const me = await c.get('/api/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.email, 'ada@example.com');
    // Only a hash of the token is stored.
    const token = c.cookie?.split('=')[1] ?? '';
    assert.equal(server.ctx.db.prepare('SELECT count(*) FROM sessions WHERE id = ?').pluck().get(token), 0);
    assert.equal((server.ctx.db.prepare('SELECT count(*) FROM sessions').pluck().get() as number) >= 1, true);
  });

  it('refuses bad registrations with 4xx', async () => {
    const c = new Client(server.url);
    const malformed = await c.register('not-an-email');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'bad_request');
    assert.match(malformed.body.message, /email/);
    const short = await c.register('short@example.com', 'tooshort');
    assert.equal(short.status, 400);
    assert.match(short.body.message, /at least 10/);
    const missing = await c.post('/api/auth/register', { email: 'x@example.com' });
    assert.equal(missing.status, 400);
    await c.register('dup@example.com');
    const dup = await new Client(server.url).register('DUP@example.com');
    assert.equal(dup.status, 409);
    assert.doesNotMatch(dup.body.message, /dup@example\.com/);
    const wrongType = await c.post('/api/auth/register', 'email=a@b.co', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(wrongType.status, 415);
    const huge = await c.post('/api/auth/register', { email: 'big@example.com', password: 'x'.repeat(2_000_000), displayName: 'Big' });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error, 'payload_too_large');
  });

  it('answers a wrong password exactly like an unknown email, and throttles an account', async () => {
    await new Client(server.url).register('bob@example.com');
    const wrong = await new Client(server.url).post('/api/auth/login', { email: 'bob@example.com', password: 'wrong password!' });
    const unknown = await new Client(server.url).post('/api/auth/login', { email: 'nobody@example.com', password: 'wrong password!' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    const ok = await new Client(server.url).post('/api/auth/login', { email: 'bob@example.com', password: 'correct horse battery' });
    assert.equal(ok.status, 200);
    // Three failures (the test setting) lock the account for the window, even with the right password.
    for (let i = 0; i < 3; i++) await new Client(server.url).post('/api/auth/login', { email: 'bob@example.com', password: 'nope nope nope' });
    const locked = await new Client(server.url).post('/api/auth/login', { email: 'bob@example.com', password: 'correct horse battery' });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
  });

  it('ignores forged cookies and refuses a session after logout', async () => {
    const forged = new Client(server.url);
    forged.cookie = 'chinook_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    assert.equal((await forged.get('/api/me')).status, 401);
    const c = new Client(server.url);
    await c.register('carol@example.com');
    const stolen = c.cookie;
    const logout = await c.post('/api/auth/logout');
    assert.equal(logout.status, 204);
    // The browser is told to drop the cookie at once.
    assert.match(
      logout.headers.get('set-cookie') ?? '',
      /^chinook_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/,
    );
    const replay = new Client(server.url);
    replay.cookie = stolen;
    assert.equal((await replay.get('/api/me')).status, 401);
  });

  it('requires the CSRF token on cookie-authenticated writes', async () => {
    const c = new Client(server.url);
    await c.register('dave@example.com');
    const noToken = await c.post('/api/plays', { trackId: 1 }, { 'x-csrf-token': '' });
    assert.equal(noToken.status, 403);
    assert.equal(noToken.body.error, 'csrf_failed');
    const wrongToken = await c.post('/api/plays', { trackId: 1 }, { 'x-csrf-token': 'x'.repeat(43) });
    assert.equal(wrongToken.status, 403);
    const csrf = await c.get('/api/auth/csrf');
    assert.equal(csrf.body.csrfToken, c.csrf);
    assert.equal((await c.post('/api/plays', { trackId: 1 })).status, 201);
  });

  it('reads the session cookie among others, and treats other or malformed Cookie headers as anonymous', async () => {
    const c = new Client(server.url);
    await c.register('fay@example.com');
    const among = await fetch(`${server.url}/api/me`, { headers: { cookie: `theme=dark; ${c.cookie}; lang=en` } });
    assert.equal(among.status, 200, 'the session cookie is found between others');
    for (const cookie of ['theme=dark', 'chinook_session=', '=;;=; chinook_session', 'a=1; b; ;c=%zz', `chinook_session="${'%'.repeat(10)}"`]) {
      const res = await fetch(`${server.url}/api/me`, { headers: { cookie } });
      assert.equal(res.status, 401, `anonymous with Cookie: ${JSON.stringify(cookie)}`);
      assert.equal(((await res.json()) as { error: string }).error, 'unauthorized');
    }
    // A write with a foreign cookie is anonymous (401), not a CSRF failure or a 500.
    const write = await fetch(`${server.url}/api/plays`, {
      method: 'POST',
      headers: { cookie: 'theme=dark', 'content-type': 'application/json' },
      body: '{"trackId":1}',
    });
    assert.equal(write.status, 401);
  });

  it('a password change ends the other sessions', async () => {
    const a = new Client(server.url);
    await a.register('erin@example.com');
    const b = new Client(server.url);
    assert.equal((await b.post('/api/auth/login', { email: 'erin@example.com', password: 'correct horse battery' })).status, 200);
    const changed = await a.post('/api/me/password', { currentPassword: 'correct horse battery', newPassword: 'another long password' });
    assert.equal(changed.status, 204);
    assert.equal((await a.get('/api/me')).status, 200);
    assert.equal((await b.get('/api/me')).status, 401);
    const relog = await new Client(server.url).post('/api/auth/login', { email: 'erin@example.com', password: 'another long password' });
    assert.equal(relog.status, 200);
  });

  it('keeps admin routes for admins, and logs what happened', async () => {
    const c = new Client(server.url);
    const reg = await c.register('frank@example.com');
    assert.equal((await c.get('/api/admin/cache/stats')).status, 403);
    assert.equal((await c.get('/api/admin/activity')).status, 403);
    assert.equal((await new Client(server.url).get('/api/admin/activity')).status, 401);
    await server.ctx.accounts.users.setRole(reg.body.user.id, 'admin');
    assert.equal((await c.get('/api/admin/cache/stats')).status, 200);
    const flush = await c.post('/api/admin/cache/flush', {});
    assert.equal(flush.status, 200);
    await new Promise((r) => setTimeout(r, 50)); // the audit entry is written after the reply
    const log = await c.get(`/api/admin/activity?causerId=${reg.body.user.id}&limit=50`);
    assert.equal(log.status, 200);
    const descriptions = log.body.items.map((i: { description: string }) => i.description);
    assert.ok(descriptions.includes('registered'));
    assert.ok(descriptions.includes('POST /api/admin/cache/flush'));
    const failures = await c.get('/api/admin/activity?limit=100');
    assert.ok(failures.body.items.some((i: { description: string }) => i.description === 'login failed'));
    const page1 = await c.get('/api/admin/activity?limit=2');
    const page2 = await c.get(`/api/admin/activity?limit=2&cursor=${page1.body.nextCursor}`);
    assert.ok(page2.body.items[0].id < page1.body.items[1].id);
    assert.equal((await c.get('/api/admin/activity?since=yesterday-ish')).status, 400);
  });
});
