// Who may reach what, generated from the route table (the live /docs/json): every operation ×
// anonymous / the owner / another customer / an admin, each with a well-formed request aimed at
// the owner's data (the owner's order in {id} on order routes, the owner's customer id …).
// A cell fails when anyone but an admin gets past an admin route, or anyone but the owner gets
// the owner's data (their email, name, order, plays or customer record). The matrix is printed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Client } from '../accounts/client.ts';
import { startServer, type TestServer } from '../helpers.ts';
import { type Operation, operationsOf, validValue } from './openapi-arbitraries.ts';

type Who = 'anonymous' | 'owner' | 'other' | 'admin';
const WHO: Who[] = ['anonymous', 'owner', 'other', 'admin'];
const PASSWORD = 'correct horse battery staple';

let server: TestServer;
const clients = {} as Record<Exclude<Who, 'anonymous'>, Client>;
const owner = { email: 'owner-q7x2@example.com', name: 'Owner Quillfeather', orderIds: [] as number[], playIds: [] as number[], customerId: 0 };

before(async () => {
  server = await startServer({ loginRatePerMinute: 100_000, cachePreload: false });
  const { users } = server.ctx.accounts;
  await users.register({ email: 'root-q7x2@example.com', password: PASSWORD, displayName: 'Root', role: 'admin' });
  for (const [who, email, name] of [
    ['owner', owner.email, owner.name],
    ['other', 'other-q7x2@example.com', 'Other Person'],
    ['admin', 'root-q7x2@example.com', 'Root'],
  ] as const) {
    const c = new Client(server.url);
    const r = who === 'admin' ? await c.post('/api/auth/login', { email, password: PASSWORD }) : await c.register(email, PASSWORD, name);
    assert.ok(r.status === 200 || r.status === 201, `${who}: ${JSON.stringify(r.body)}`);
    clients[who] = c;
  }
  for (const trackIds of [[1, 2], [3]]) {
    const r = await clients.owner.post('/api/orders', { trackIds });
    assert.equal(r.status, 201);
    owner.orderIds.push(r.body.id);
  }
  for (const trackId of [5, 6, 7]) owner.playIds.push((await clients.owner.post('/api/plays', { trackId })).body.id);
  owner.customerId = (await clients.owner.get('/api/me')).body.customerId;
  assert.ok(owner.customerId > 0);
});
after(() => server.close());

const isAdminRoute = (op: Operation) => op.path.startsWith('/api/admin/');
// The session-ending operations go last, owner's logout at the very end.
const lastOrder = (op: Operation) => (op.path === '/api/me/password' ? 1 : op.path === '/api/auth/logout' ? 2 : 0);

/** A well-formed request aimed at the owner's data where the route has any. */
function requestFor(op: Operation, who: Who): { path: string; body?: string } {
  let path = op.path;
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const value = op.path.startsWith('/api/orders') ? owner.orderIds[0] : p.name === 'slug' ? 'enter-sandman-1801' : 1;
    path = path.replace(`{${p.name}}`, String(value));
  }
  const query = new URLSearchParams();
  if (op.parameters.some((p) => p.in === 'query' && p.name === 'customerId')) query.set('customerId', String(owner.customerId));
  for (const p of op.parameters.filter((x) => x.in === 'query' && x.required)) if (!query.has(p.name)) query.set(p.name, 'rock');
  let body: string | undefined;
  if (op.body) {
    const known: Record<string, unknown> = {
      '/api/orders': { trackIds: [10] },
      '/api/plays': { trackId: 11 },
      '/api/me/password': { currentPassword: PASSWORD, newPassword: `${PASSWORD} ${who}` },
      '/api/auth/login': { email: owner.email, password: 'a wrong guess entirely' },
      '/api/auth/register': { email: `new-${who}-q7x2@example.com`, password: PASSWORD, displayName: 'New' },
    };
    body = JSON.stringify(known[op.path] ?? fc.sample(validValue(op.body), { numRuns: 1, seed: 7 })[0]);
  }
  return { path: query.size ? `${path}?${query}` : path, ...(body === undefined ? {} : { body }) };
}

async function send(op: Operation, who: Who): Promise<{ status: number; text: string }> {
  const req = requestFor(op, who);
  if (who === 'anonymous') {
    const res = await fetch(server.url + req.path, { method: op.method, headers: req.body ? { 'content-type': 'application/json' } : {}, body: req.body });
    return { status: res.status, text: await res.text() };
  }
  // Register and login answer with a new session cookie: the identity must not change with it.
  const c = clients[who];
  const [cookie, csrf] = [c.cookie, c.csrf];
  const r = await c.request(op.method, req.path, req.body);
  [c.cookie, c.csrf] = [cookie, csrf];
  return { status: r.status, text: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) };
}

/** Why this cell breaks access rules, or null. */
function violation(op: Operation, who: Who, status: number, text: string): string | null {
  const ok = status >= 200 && status < 300;
  if (isAdminRoute(op) && who !== 'admin' && ![401, 403].includes(status)) return `admin route answered ${status} to ${who}`;
  if (who === 'owner' || who === 'admin') return null;
  if (text.includes(owner.email) || text.includes(owner.name)) return `${who} saw the owner's email or name`;
  if (op.path.startsWith('/api/orders/') && ok) return `${who} read the owner's order ${owner.orderIds[0]}`;
  if (ok && /^\/api\/(orders|me\/history)$/.test(op.path) && op.method === 'GET') {
    const ids = (JSON.parse(text) as { items: { id: number }[] }).items.map((i) => i.id);
    const theirs = op.path === '/api/orders' ? owner.orderIds : owner.playIds;
    if (ids.some((id) => theirs.includes(id))) return `${who} listed the owner's ${op.path === '/api/orders' ? 'orders' : 'plays'}`;
  }
  if (op.parameters.some((p) => p.name === 'customerId') && ok) return `${who} got recommendations for the owner's customer id`;
  return null;
}

describe('access matrix: every route × anonymous / owner / other customer / admin', () => {
  it('no one but an admin passes an admin route, no one but the owner sees the owner’s data', async (t) => {
    const ops = operationsOf((await server.get('/docs/json')).body).sort((a, b) => lastOrder(a) - lastOrder(b));
    assert.ok(ops.length >= 40, `only ${ops.length} operations in the route table`);
    const rows: string[] = [];
    const violations: string[] = [];
    let adminPassed = 0;
    for (const op of ops) {
      const cells: string[] = [];
      // The owner's own logout last of all: everyone else acts while the owner is logged in.
      const order = op.path === '/api/auth/logout' ? [...WHO.filter((w) => w !== 'owner'), 'owner' as const] : WHO;
      for (const who of order) {
        const r = await send(op, who);
        cells.push(`${who} ${r.status}`);
        const v = violation(op, who, r.status, r.text);
        if (v) violations.push(`${op.method} ${op.path}: ${v} (${r.text.slice(0, 160)})`);
        if (isAdminRoute(op) && who === 'admin' && r.status !== 401 && r.status !== 403) adminPassed++;
      }
      rows.push(`${`${op.method} ${op.path}`.padEnd(52)} ${cells.join('  ')}`);
    }
    for (const row of rows) t.diagnostic(row);
    assert.deepEqual(violations, [], `${violations.length} cells where someone reached what is not theirs`);
    // Not a matrix of refusals: the admin gets through every admin route.
    assert.equal(adminPassed, ops.filter(isAdminRoute).length, 'an admin reaches every admin route');
  });
});
