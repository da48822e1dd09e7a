import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import helmet from 'helmet';
import { helmetHeaders } from '../../src/http/security-headers.ts';
import { startServer, type TestServer } from '../helpers.ts';

/** What helmet's own middleware sets on a real Node response (not our recorder). */
async function helmetOnARealServer(): Promise<Record<string, string>> {
  const middleware = helmet();
  const server = http.createServer((req, res) => middleware(req, res, () => res.end('ok')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const out: Record<string, string> = {};
    for (const [k, v] of res.headers) if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)) out[k] = v;
    return out;
  } finally {
    server.close();
  }
}

describe('security headers (helmet, computed once)', () => {
  let s: TestServer;
  let expected: Record<string, string>;
  before(async () => {
    s = await startServer();
    expected = await helmetOnARealServer();
  });
  after(async () => {
    await s.close();
  });

  it('records exactly what helmet sets on a real response', () => {
    assert.deepEqual(helmetHeaders(), expected);
    // The ones a reviewer looks for first, spelled out so a change in helmet's defaults shows here.
    assert.equal(expected['x-content-type-options'], 'nosniff');
    assert.equal(expected['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(expected['x-frame-options'], 'SAMEORIGIN');
    assert.match(expected['content-security-policy'] ?? '', /default-src 'self'/);
    assert.ok(Object.keys(expected).length >= 10, 'helmet sets a dozen headers');
  });

  for (const [what, path, init, status] of [
    ['a cached read', '/api/tracks/3', {}, 200],
    ['a 304', '/api/tracks/3', 'etag', 304],
    ['a schema-serialised reply', '/health', {}, 200],
    ['a validation error', '/api/tracks/abc', {}, 400],
    ['an unknown API route', '/api/nothing-here', {}, 404],
    ['a write refused without login', '/api/plays', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"trackId":1}' }, 401],
  ] as const) {
    it(`are on ${what} (${status})`, async () => {
      let requestInit: RequestInit = init === 'etag' ? {} : init;
      if (init === 'etag') requestInit = { headers: { 'if-none-match': (await s.get(path)).headers.get('etag') ?? '' } };
      const res = await s.get(path, requestInit);
      assert.equal(res.status, status);
      for (const [name, value] of Object.entries(expected)) assert.equal(res.headers.get(name), value, `${name} on ${path}`);
    });
  }

  it('pages keep their own stricter CSP and every other helmet header', async () => {
    const res = await s.get('/', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    for (const [name, value] of Object.entries(expected)) if (name !== 'content-security-policy') assert.equal(res.headers.get(name), value, name);
  });
});
