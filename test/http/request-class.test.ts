// Every route outside /api/admin runs on one Fastify Request class (src/http/app.ts): Fastify
// gives each encapsulated scope its own class once the root is decorated, and a dozen classes
// left a cached track page 5–17 % dearer on a worker that had served the whole store
// (docs/benchmarks-http.md, "One Request class"). A route module registered with its own
// `register(…, { prefix })` would bring that back; this fails when one is.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type AppContext, createContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import { importedDb } from '../helpers.ts';

/** One request to each route module, reads and writes, anonymous (a 4xx is fine: the hook has run). */
const requests: { method: 'GET' | 'POST'; url: string }[] = [
  { method: 'GET', url: '/health' },
  { method: 'GET', url: '/metrics' },
  { method: 'POST', url: '/api/auth/login' },
  { method: 'GET', url: '/api/auth/session' },
  { method: 'GET', url: '/api/me' },
  { method: 'POST', url: '/api/orders' },
  { method: 'POST', url: '/api/plays' },
  { method: 'GET', url: '/api/tracks/1' },
  { method: 'GET', url: '/api/tracks/popular' },
  { method: 'GET', url: '/api/tracks/1/similar' },
  { method: 'GET', url: '/api/recommendations' },
  { method: 'GET', url: '/api/playlists/1/continue' },
  { method: 'GET', url: '/api/albums/1' },
  { method: 'GET', url: '/api/genres' },
  { method: 'GET', url: '/api/reports/top-tracks' },
  { method: 'GET', url: '/api/search?q=love' },
  { method: 'GET', url: '/' },
];

describe('one Request class for every route but the admin ones', () => {
  let ctx: AppContext;
  let app: FastifyInstance;
  const classOf = new Map<string, object>();
  before(async () => {
    const { config, db } = importedDb();
    ctx = createContext(config, db);
    app = await buildApp(ctx, { logger: false });
    // A root hook added before ready runs on every route: it records the class each route's request has.
    app.addHook('onRequest', (request, _reply, done) => {
      classOf.set(`${request.method} ${request.routeOptions.url}`, Object.getPrototypeOf(request));
      done();
    });
    for (const r of requests) await app.inject({ method: r.method, url: r.url, headers: { accept: 'text/html' } });
    await app.inject({ method: 'GET', url: '/api/admin/cache/stats' });
  });
  after(async () => {
    await app.close();
    await ctx.shutdown();
  });

  it('reaches every route module', () => {
    assert.equal(classOf.size, requests.length + 1, [...classOf.keys()].join(', '));
  });

  it('shares one class among them', () => {
    const admin = [...classOf].filter(([route]) => route.includes('/api/admin/'));
    const others = [...classOf].filter(([route]) => !route.includes('/api/admin/'));
    const classes = new Set(others.map(([, c]) => c));
    assert.equal(classes.size, 1, `routes on another class than /health's: ${others.filter(([, c]) => c !== classOf.get('GET /health')).map(([r]) => r)}`);
    // The admin scope is its own (its guard hook), which is why it is counted apart.
    assert.equal(admin.length, 1);
  });
});
