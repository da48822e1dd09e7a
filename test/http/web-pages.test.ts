// The HTTP side of the pages: shells with a strict CSP, hashed assets with immutable caching,
// /admin only for admins, and the two public endpoints the storefront added.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '../accounts/client.ts';
import { openSource, startServer, type TestServer } from '../helpers.ts';

describe('pages and their endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
    await server.ctx.accounts.users.register({ email: 'admin@example.com', password: 'admin password 1', displayName: 'Admin', role: 'admin' });
  });
  after(async () => server.close());

  const html = (path: string, cookie?: string) =>
    fetch(server.url + path, { headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) }, redirect: 'manual' });

  it('serves the storefront shell on every page route, with a CSP that forbids inline scripts', async () => {
    for (const path of ['/', '/search?q=metal&genreId=1&anything=goes', '/tracks/enter-sandman-1801', '/artists/metallica-50', '/cart', '/orders/5']) {
      const res = await html(path);
      assert.equal(res.status, 200, path);
      const body = await res.text();
      assert.match(body, /<script type="module" src="\/assets\/storefront-[A-Z0-9]+\.js"><\/script>/);
      assert.doesNotMatch(body, /<script>|<script type="module">|style=/, 'no inline script or style');
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self';/);
      assert.match(csp, /style-src 'self';/);
      assert.doesNotMatch(csp, /unsafe/);
    }
    const missing = await html('/nowhere');
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /storefront-/);
    const api = await server.get('/api/nowhere', { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.equal(api.body.error, 'not_found');
  });

  it('serves hashed assets pre-compressed with year-long immutable caching', async () => {
    const body = await (await html('/')).text();
    const js = /\/assets\/storefront-[A-Z0-9]+\.js/.exec(body)?.[0] ?? '';
    for (const [encoding, expected] of [
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const res = await fetch(server.url + js, { headers: { 'accept-encoding': encoding } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-encoding'), expected);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
      await res.arrayBuffer();
    }
    assert.equal((await fetch(`${server.url}/assets/nothing-here.js`)).status, 404);
  });

  it('/admin: a redirect to log in, 403 for a customer, the dashboard for an admin', async () => {
    const anonymous = await html('/admin');
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.get('location'), '/login?next=%2Fadmin');
    const customer = new Client(server.url);
    await customer.register('shopper@example.com');
    const forbidden = await html('/admin', customer.cookie);
    assert.equal(forbidden.status, 403);
    assert.doesNotMatch(await forbidden.text(), /admin-[A-Z0-9]+\.js/);
    const boss = new Client(server.url);
    assert.equal((await boss.post('/api/auth/login', { email: 'admin@example.com', password: 'admin password 1' })).status, 200);
    const dashboard = await html('/admin', boss.cookie);
    assert.equal(dashboard.status, 200);
    assert.match(await dashboard.text(), /\/assets\/admin-[A-Z0-9]+\.js/);
  });

  it('GET /api/auth/session: nulls for a visitor, the user and CSRF token for a session', async () => {
    const visitor = await server.get('/api/auth/session');
    assert.equal(visitor.status, 200);
    assert.deepEqual(visitor.body, { user: null, csrfToken: null });
    assert.equal(visitor.headers.get('cache-control'), 'private, no-store');
    const client = new Client(server.url);
    const registered = await client.register('session@example.com');
    const session = await client.get('/api/auth/session');
    assert.equal(session.body.user.email, 'session@example.com');
    assert.equal(session.body.csrfToken, registered.body.csrfToken);
    assert.equal((await server.get('/api/auth/session?x=1')).status, 400);
  });

  it('GET /api/tracks/popular ranks by units sold + plays, as the source data says', async () => {
    const reply = await server.get('/api/tracks/popular?limit=25');
    assert.equal(reply.status, 200);
    const source = openSource();
    const expected = source.prepare('SELECT TrackId AS id, sum(Quantity) AS n FROM InvoiceLine GROUP BY TrackId ORDER BY n DESC, TrackId LIMIT 25').all() as {
      id: number;
      n: number;
    }[];
    source.close();
    assert.deepEqual(
      reply.body.items.map((t: { id: number; popularity: number }) => [t.id, t.popularity]),
      expected.map((r) => [r.id, r.n]),
    );
    assert.equal(typeof reply.body.items[0].slug, 'string');
    const again = await server.get('/api/tracks/popular?limit=25', { headers: { 'if-none-match': reply.headers.get('etag') ?? '' } });
    assert.equal(again.status, 304);
    assert.equal((await server.get('/api/tracks/popular?limit=0')).status, 400);
  });
});
