import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildVectors } from '../../src/vectors/build.ts';
import { DIMS, type Space } from '../../src/vectors/spaces.ts';
import { Client } from '../accounts/client.ts';
import { startServer, type TestServer } from '../helpers.ts';

describe('/api/admin/vectors', () => {
  let server: TestServer;
  const token = 'vector-admin-token-0123456789';
  const admin = { authorization: `Bearer ${token}` };

  before(async () => {
    server = await startServer({ adminToken: token });
    buildVectors(server.ctx.db, { spaces: ['metadata'] });
  });
  after(async () => server.close());

  it('is for admins only', async () => {
    assert.equal((await server.get('/api/admin/vectors/stats')).status, 401);
    const customer = new Client(server.url);
    await customer.register('listener@example.com');
    assert.equal((await customer.get('/api/admin/vectors/stats')).status, 403);
    assert.equal((await customer.request('DELETE', '/api/admin/vectors/similarity-cache')).status, 403);
  });

  it('reports spaces and coverage, and empties the similarity cache', async () => {
    const tracks = server.ctx.db.prepare('SELECT count(*) FROM chinook_tracks').pluck().get() as number;
    const similar = await server.get('/api/tracks/1801/similar?space=metadata&limit=5');
    assert.equal(similar.status, 200);
    assert.equal((await server.get('/api/tracks/1801/similar?space=blend&limit=5')).status, 200);
    await server.ctx.writes.drain(); // computed lists are stored by the write queue
    const stats = await server.get('/api/admin/vectors/stats', { headers: admin });
    assert.equal(stats.status, 200);
    assert.equal(stats.body.totalTracks, tracks);
    assert.equal(stats.body.vectorRows, tracks);
    assert.equal(stats.body.coveragePercent, 100);
    const dims = Object.fromEntries(stats.body.spaces.map((s: { space: string; dims: number }) => [s.space, s.dims]));
    assert.equal(dims.metadata, 64);
    for (const [space, n] of Object.entries(dims)) assert.equal(n, DIMS[space as Space]);
    assert.ok(stats.body.similarityCache.freshRows >= 5);
    assert.equal(stats.body.vectorMemory.tracks, tracks);
    assert.ok(stats.body.vectorMemory.bytes >= tracks * (576 * 2 + 3 * 4));
    const cleared = await server.get('/api/admin/vectors/similarity-cache', { method: 'DELETE', headers: admin });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.removed, stats.body.similarityCache.rows);
    assert.equal((await server.get('/api/admin/vectors/stats', { headers: admin })).body.similarityCache.rows, 0);
    const pruned = await server.get('/api/admin/vectors/similarity-cache/prune', { method: 'POST', headers: admin });
    assert.deepEqual(pruned.body, { removed: 0 });
  });
});
