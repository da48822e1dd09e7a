// Response serializers are compiled at first use (src/http/serializers.ts): none at start, one
// when a reply first needs it, the same bytes as before; and every route's response schemas
// still compile, checked here at once, so a broken schema fails this test, not a request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import { importedDb } from '../helpers.ts';

describe('response serializers at first use', () => {
  const { config, db } = importedDb({ adminToken: 'serializers-admin' });
  const ctx = createContext(config, db);
  let app: Awaited<ReturnType<typeof buildApp>>;
  before(async () => {
    app = await buildApp(ctx, { logger: false });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await ctx.shutdown();
  });

  it('none is compiled at start; a cached read (stored JSON) compiles none; an error reply compiles its own', async () => {
    assert.equal(app.serializers.compiled(), 0);
    assert.ok(app.serializers.waiting() > 50, `${app.serializers.waiting()} serializers waiting`);
    const track = await app.inject('/api/tracks/1801');
    assert.equal(track.statusCode, 200);
    assert.equal(app.serializers.compiled(), 0, 'a track page goes out as stored JSON');
    const missing = await app.inject('/api/tracks/999999999');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(Object.keys(missing.json()).sort(), ['error', 'message']);
    assert.equal(missing.json().error, 'not_found');
    assert.equal(app.serializers.compiled(), 1);
    // The same status of the same route again: no second compile.
    await app.inject('/api/tracks/999999998');
    assert.equal(app.serializers.compiled(), 1);
  });

  it('an object reply goes through its schema’s serializer, compiled then', async () => {
    const before = app.serializers.compiled();
    const health = await app.inject({ url: '/health', headers: { authorization: 'Bearer serializers-admin' } });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().status, 'ok');
    assert.equal(typeof health.json().database.tracks, 'number');
    assert.equal(app.serializers.compiled(), before + 1);
  });

  it('every route’s response schemas compile', () => {
    const before = app.serializers.compiled();
    const compiledNow = app.serializers.compileAll();
    assert.ok(compiledNow > 50, `${compiledNow} compiled`);
    assert.equal(app.serializers.waiting(), 0);
    assert.equal(app.serializers.compiled(), before + compiledNow);
  });
});
