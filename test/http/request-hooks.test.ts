// The request hooks (src/http/request-hooks.ts) give every reply helmet's headers and its request
// id in one object made per reply; a header set before them is kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RequestMetrics } from '../../src/http/metrics.ts';
import { registerRequestHooks } from '../../src/http/request-hooks.ts';
import { helmetHeaders, securityHeaders } from '../../src/http/security-headers.ts';

function appWith(before?: (app: FastifyInstance) => void): FastifyInstance {
  const app = Fastify({ logger: false });
  before?.(app);
  registerRequestHooks(app, {
    headers: securityHeaders(),
    shed: () => undefined,
    authenticate: () => undefined,
    metrics: { observeReply() {} } as unknown as RequestMetrics,
    log: () => {},
  });
  app.get('/', (_request, reply) => {
    reply.header('etag', '"e"');
    return { ok: true };
  });
  return app;
}

describe('request hooks', () => {
  it("give every reply helmet's headers, its request id and the route's own", async () => {
    const app = appWith();
    for (const id of ['r1', 'r2']) {
      const r = await app.inject({ url: '/', headers: { 'x-request-id': id } });
      for (const [name, value] of Object.entries(helmetHeaders())) assert.equal(r.headers[name], value, name);
      assert.ok(r.headers['x-request-id'], 'a request id');
      assert.equal(r.headers.etag, '"e"');
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
      assert.deepEqual(r.json(), { ok: true });
    }
  });

  it('keep a header set before them', async () => {
    const app = appWith((a) =>
      a.addHook('onRequest', (_request, reply, done) => {
        reply.header('x-set-before', 'kept');
        done();
      }),
    );
    const r = await app.inject('/');
    assert.equal(r.headers['x-set-before'], 'kept');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.ok(r.headers['x-request-id']);
  });
});
