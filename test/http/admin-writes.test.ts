import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '../accounts/client.ts';
import { startServer, type TestServer } from '../helpers.ts';

describe('/api/admin/writes/stats', () => {
  let server: TestServer;
  const token = 'writes-admin-token-0123456789';
  const admin = { headers: { authorization: `Bearer ${token}` } };

  before(async () => {
    server = await startServer({ adminToken: token, deferredIndexMs: 60_000 });
  });
  after(async () => server.close());

  it('shows the queue and how far the deferred indexes trail, to admins only', async () => {
    const listener = new Client(server.url);
    await listener.register('writer@example.com');
    assert.equal((await listener.get('/api/admin/writes/stats')).status, 403);
    const play = await listener.post('/api/plays', { trackId: 1801 });
    assert.equal(play.status, 201);

    const before = await server.get('/api/admin/writes/stats', admin);
    assert.equal(before.status, 200);
    assert.ok(before.body.queue.operations >= 2); // the registration and the play at least
    const plays = before.body.deferredIndexes.lag.find((l: { name: string }) => l.name === 'plays');
    assert.equal(plays.last, play.body.id);
    assert.ok(plays.behind >= 1);

    await server.ctx.store.deferredIndexes.catchUp();
    const after = await server.get('/api/admin/writes/stats', admin);
    assert.ok(after.body.deferredIndexes.foldedRows >= 1);
    for (const l of after.body.deferredIndexes.lag) assert.equal(l.behind, 0, l.name);
  });
});
