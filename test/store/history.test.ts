// The recommender's seeds from the store: bought and played tracks, newest first, whatever
// part of the plays log the deferred index has folded in, without held-out invoices.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppContext, createContext } from '../../src/context.ts';
import { foldTail } from '../../src/db/deferred-indexes.ts';
import { playsIndex } from '../../src/store/plays.ts';
import { importedDb } from '../helpers.ts';

describe('store history', () => {
  let ctx: AppContext;
  let alice: number;
  let bob: number;
  const customer = 7;

  before(async () => {
    const { config, db } = importedDb({ deferredIndexMs: 60_000 });
    ctx = createContext(config, db);
    ctx.store.deferredIndexes.stop(); // folds happen only where the test says
    [alice, bob] = (await ctx.writes.run((w) => {
      const insert = w.prepare("INSERT INTO users (email, password_hash, display_name, customer_id) VALUES (?, 'x', ?, ?)");
      return [Number(insert.run('alice@example.com', 'Alice', customer).lastInsertRowid), Number(insert.run('bob@example.com', 'Bob', null).lastInsertRowid)];
    })) as [number, number];
  });
  after(() => ctx.close());

  /** The same history computed from the raw rows, in JavaScript. */
  function expected(customerId: number, userIds: number[], exclude: number[] = []): { trackId: number; genreId: number | null }[] {
    const bought = ctx.db
      .prepare(
        `SELECT il.track_id AS trackId, t.genre_id AS genreId, i.invoice_date AS at, il.id AS seq, i.id AS invoice FROM chinook_invoices i
         JOIN chinook_invoice_lines il ON il.invoice_id = i.id JOIN chinook_tracks t ON t.id = il.track_id WHERE i.customer_id = ?`,
      )
      .all(customerId) as { trackId: number; genreId: number | null; at: string; seq: number; invoice: number }[];
    const played = ctx.db
      .prepare(
        'SELECT p.track_id AS trackId, t.genre_id AS genreId, p.played_at AS at, p.id AS seq, p.user_id AS user FROM plays p JOIN chinook_tracks t ON t.id = p.track_id',
      )
      .all() as { trackId: number; genreId: number | null; at: string; seq: number; user: number | null }[];
    const norm = (at: string) => at.slice(0, 19).replace('T', ' ');
    return [...bought.filter((b) => !exclude.includes(b.invoice)), ...played.filter((p) => p.user !== null && userIds.includes(p.user))]
      .map((r) => ({ ...r, at: norm(r.at) }))
      .sort((a, b) => (a.at === b.at ? b.seq - a.seq : a.at < b.at ? 1 : -1))
      .map(({ trackId, genreId }) => ({ trackId, genreId }));
  }

  it('merges purchases and plays newest first, before and after the plays are folded', async () => {
    for (const t of [1, 2, 3]) await ctx.store.plays.record(alice, t);
    await ctx.store.plays.record(bob, 4);
    await ctx.store.plays.record(null, 5);
    const q = { customerId: customer, userIds: [alice] };
    const unfolded = ctx.store.history.of(q);
    assert.deepEqual(unfolded, expected(customer, [alice]));
    assert.deepEqual(
      unfolded.slice(0, 3).map((h) => h.trackId),
      [3, 2, 1],
      'the plays are the newest',
    );
    await ctx.writes.run((w) => foldTail(w, playsIndex, 2));
    await ctx.store.plays.record(alice, 6);
    assert.deepEqual(ctx.store.history.of(q), expected(customer, [alice]), 'half folded, with a new tail');
    await ctx.writes.run((w) => foldTail(w, playsIndex));
    assert.deepEqual(ctx.store.history.of(q), expected(customer, [alice]), 'all folded');
    assert.deepEqual(ctx.store.history.of({ customerId: customer, userIds: [alice, bob] }), expected(customer, [alice, bob]));
  });

  it('leaves out held-out invoices, and works with no customer or no users', () => {
    const invoices = ctx.db.prepare('SELECT id FROM chinook_invoices WHERE customer_id = ? ORDER BY id LIMIT 2').pluck().all(customer) as number[];
    assert.equal(invoices.length, 2);
    const held = ctx.store.history.of({ customerId: customer, userIds: [], excludeInvoiceIds: invoices });
    assert.deepEqual(held, expected(customer, [], invoices));
    assert.ok(held.length < ctx.store.history.of({ customerId: customer, userIds: [] }).length);
    assert.deepEqual(
      ctx.store.history.of({ customerId: null, userIds: [bob] }).map((h) => h.trackId),
      [4],
    );
  });

  it('an account linked to the customer is found through accounts', () => {
    assert.equal(ctx.accounts.users.linkedTo(customer)?.id, alice);
    assert.equal(ctx.accounts.users.linkedTo(8), undefined);
  });
});
