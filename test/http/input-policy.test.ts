// The input policy (src/http/validation.ts) and the privacy of recommendations: each case here
// was a finding of the outside probe (issue 12) and failed before the policy.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { registerInputPolicy } from '../../src/http/validation.ts';
import { Client } from '../accounts/client.ts';
import { startServer, type TestServer } from '../helpers.ts';
import { assertClientError } from './util.ts';

const token = 'input-policy-admin';
let server: TestServer;
let user: Client;
const admin = { authorization: `Bearer ${token}` };
const count = (sql: string, ...args: unknown[]) =>
  server.ctx.db
    .prepare(sql)
    .pluck()
    .get(...args) as number;

before(async () => {
  server = await startServer({ adminToken: token });
  user = new Client(server.url);
  assert.equal((await user.register('policy@example.com')).status, 201);
  await user.get('/api/auth/csrf');
});
after(() => server.close());

describe('recommendations by customer id are private', () => {
  test('anonymous: 401, a logged-in user: 403, an admin: 200', async () => {
    assertClientError(await server.get('/api/recommendations?customerId=60'), 401, 'anonymous');
    assertClientError(await user.get('/api/recommendations?customerId=60'), 403, 'another customer');
    const asAdmin = await server.get('/api/recommendations?customerId=59&limit=5', { headers: admin });
    assert.equal(asAdmin.status, 200);
    assert.equal(asAdmin.body.items.length, 5);
  });

  test('from-tracks is a read: a logged-in user needs no CSRF token for it', async () => {
    const res = await user.post('/api/recommendations/from-tracks', { trackIds: [1801, 1802] }, { 'x-csrf-token': '' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.items.length > 0);
  });

  test('a user still gets their own without the id', async () => {
    const own = await user.get('/api/recommendations?limit=5');
    assert.equal(own.status, 200, JSON.stringify(own.body));
  });
});

describe('JSON bodies: exact types, finite numbers, nothing committed on a 400', () => {
  test('a play with a non-finite or non-integer msPlayed is refused and not recorded', async () => {
    const before = count('SELECT count(*) FROM plays');
    for (const msPlayed of ['"Infinity"', '"1e400"', '1e400', '-1e400', '"5"', 'true', '1.5']) {
      const res = await user.post('/api/plays', `{"trackId":5,"msPlayed":${msPlayed}}`);
      assertClientError(res, 400, `msPlayed ${msPlayed}`);
    }
    assert.equal(count('SELECT count(*) FROM plays'), before);
    assert.equal((await user.get('/api/me/history')).status, 200);
  });

  test('a boolean is not track 1, a number is not a name', async () => {
    assertClientError(await user.post('/api/plays', { trackId: true }), 400, 'trackId true');
    assertClientError(await user.post('/api/plays', { trackId: '5' }), 400, 'trackId as text');
    const name = count('SELECT count(*) FROM chinook_artists WHERE name = ?', '5');
    const res = await fetch(`${server.url}/api/admin/artists/1`, {
      method: 'PATCH',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{"name":5}',
    });
    assert.equal(res.status, 400);
    assert.equal(count('SELECT count(*) FROM chinook_artists WHERE name = ?', '5'), name);
  });

  test('an admin edit or new track with an infinite number is a 400 and changes nothing', async () => {
    const price = count('SELECT unit_price FROM chinook_tracks WHERE id = 100');
    const tracks = count('SELECT count(*) FROM chinook_tracks');
    const send = (method: string, path: string, body: string) =>
      fetch(server.url + path, { method, headers: { ...admin, 'content-type': 'application/json' }, body });
    for (const v of ['"Infinity"', '1e400', '"1e400"']) {
      assert.equal((await send('PATCH', '/api/admin/tracks/100', `{"unitPrice":${v}}`)).status, 400, `unitPrice ${v}`);
      const created = await send('POST', '/api/admin/tracks', `{"name":"x","albumId":1,"mediaTypeId":1,"milliseconds":${v},"unitPrice":0.99}`);
      assert.equal(created.status, 400, `milliseconds ${v}`);
    }
    assert.equal(count('SELECT unit_price FROM chinook_tracks WHERE id = 100'), price);
    assert.equal(count('SELECT count(*) FROM chinook_tracks'), tracks);
    assert.equal((await server.get('/api/reports/sales-by-country')).status, 200);
  });
});

describe('path and query values are plain decimals; unknown parameters are refused everywhere', () => {
  test('hex, exponent, sign and overlong ids do not resolve', async () => {
    for (const id of ['0x10', '1e3', '+1', ' 1', '1.0', 'Infinity', '9'.repeat(20)]) {
      assertClientError(await server.get(`/api/tracks/${encodeURIComponent(id)}`), 400, `id ${id}`);
    }
    assert.equal((await server.get('/api/tracks/16')).status, 200);
    assertClientError(await server.get('/api/tracks?limit=1e1'), 400, 'limit 1e1');
    assertClientError(await server.get('/api/tracks?minPrice=Infinity'), 400, 'minPrice Infinity');
    assert.equal((await server.get('/api/tracks?minPrice=0.5&limit=3')).status, 200);
  });

  test('routes that take no query parameters refuse one', async () => {
    const plays = count('SELECT count(*) FROM plays');
    assertClientError(await user.post('/api/plays?zz=1', { trackId: 5 }), 400, 'POST /api/plays?zz=1');
    assert.equal(count('SELECT count(*) FROM plays'), plays);
    assertClientError(await server.get('/health?zz=1'), 400, '/health?zz=1');
    assertClientError(await server.get('/api/tracks/1?zz=1'), 400, '/api/tracks/1?zz=1');
  });

  test('a body schema that lets unknown fields through stops the app at start', async () => {
    const app = Fastify();
    registerInputPolicy(app);
    assert.throws(() => app.post('/open', { schema: { body: Type.Object({ a: Type.String() }) } }, async () => ({})), /additionalProperties: false/);
  });
});

describe("requests Node's parser refuses answer in the same {error, message} shape", () => {
  const raw = (request: string) =>
    new Promise<{ status: number; body: { error: string; message: string } }>((resolve, reject) => {
      const url = new URL(server.url);
      const socket = net.connect(Number(url.port), url.hostname, () => socket.end(request));
      let out = '';
      socket.on('data', (d) => {
        out += d;
      });
      socket.on('error', reject);
      socket.on('close', () => resolve({ status: Number(out.split(' ')[1]), body: JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)) }));
    });

  test('not HTTP, a malformed chunked body, headers over 16 KB', async () => {
    const garbage = await raw('GARBAGE\r\n\r\n');
    assert.equal(garbage.status, 400);
    assert.deepEqual(Object.keys(garbage.body), ['error', 'message']);
    const chunked = await raw(
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    );
    assert.equal(chunked.status, 400);
    assert.equal(chunked.body.error, 'bad_request');
    const big = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(big.status, 431);
    assert.equal(big.body.error, 'header_too_large');
  });
});
