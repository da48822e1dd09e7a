import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers.ts';
import { Client } from './client.ts';

describe('admin catalog writes through the write queue', () => {
  let server: TestServer;
  let admin: Client;
  before(async () => {
    server = await startServer();
    admin = new Client(server.url);
    const r = await admin.register('admin@example.com');
    await server.ctx.accounts.users.setRole(r.body.user.id, 'admin');
  });
  after(async () => server.close());

  it('creates a track that lists, search and slug lookup see at once, then deletes it', async () => {
    const before = await admin.get('/api/albums/148');
    const created = await admin.post('/api/admin/tracks', {
      name: 'Zyxwvut Nocturne',
      albumId: 148,
      mediaTypeId: 1,
      genreId: 3,
      milliseconds: 200000,
      unitPrice: 0.99,
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.artist, 'Metallica');
    assert.equal(created.body.slug, `zyxwvut-nocturne-${created.body.id}`);
    const album = await admin.get('/api/albums/148');
    assert.equal(album.body.tracks.length, before.body.tracks.length + 1);
    const found = await admin.get('/api/search?q=zyxwvut');
    assert.equal(found.body.hits[0]?.id, created.body.id);
    assert.equal((await admin.get(`/api/tracks/by-slug/${created.body.slug}`)).status, 200);

    const del = await admin.request('DELETE', `/api/admin/tracks/${created.body.id}`);
    assert.equal(del.status, 204);
    assert.equal((await admin.get(`/api/tracks/${created.body.id}`)).status, 404);
    assert.equal((await admin.get('/api/search?q=zyxwvut')).body.hits.length, 0);
    assert.equal((await admin.get('/api/albums/148')).body.tracks.length, before.body.tracks.length);
  });

  it('refuses to delete a sold track, and bad references', async () => {
    const soldId = server.ctx.db.prepare('SELECT track_id FROM chinook_invoice_lines LIMIT 1').pluck().get() as number;
    const sold = await admin.request('DELETE', `/api/admin/tracks/${soldId}`);
    assert.equal(sold.status, 409);
    assert.equal((await admin.get(`/api/tracks/${soldId}`)).status, 200);
    assert.equal((await admin.request('DELETE', '/api/admin/tracks/99999999')).status, 404);
    const badAlbum = await admin.post('/api/admin/tracks', { name: 'X', albumId: 99999, mediaTypeId: 1, milliseconds: 1, unitPrice: 1 });
    assert.equal(badAlbum.status, 400);
    const missing = await admin.post('/api/admin/tracks', { name: 'X' });
    assert.equal(missing.status, 400);
  });

  it('keeps non-admins out of catalog writes', async () => {
    const user = new Client(server.url);
    await user.register('user@example.com');
    assert.equal((await user.post('/api/admin/tracks', { name: 'X', albumId: 1, mediaTypeId: 1, milliseconds: 1, unitPrice: 1 })).status, 403);
    assert.equal((await user.request('PATCH', '/api/admin/artists/1', { name: 'Nope' })).status, 403);
    assert.equal((await new Client(server.url).request('PATCH', '/api/admin/artists/1', { name: 'Nope' })).status, 401);
  });
});
