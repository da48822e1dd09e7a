// The collaborative strategy's query: co-purchases, scored by overlap, from the nearest peers only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/index.ts';
import { alsoBought, MAX_PEERS } from '../../src/store/orders.ts';
import { importedDb } from '../helpers.ts';

describe('alsoBought', () => {
  let db: Db;
  let me: number;
  // Tracks no Chinook customer bought: two I share, and one per peer.
  let shared: number[];
  let fresh: number[];

  before(() => {
    db = importedDb().db;
    const unsold = db
      .prepare('SELECT id FROM chinook_tracks WHERE id NOT IN (SELECT track_id FROM chinook_invoice_lines) ORDER BY id LIMIT ?')
      .pluck()
      .all(MAX_PEERS + 8) as number[];
    shared = unsold.slice(0, 2);
    fresh = unsold.slice(2);
    const customer = db.prepare("INSERT INTO chinook_customers (first_name, last_name, email) VALUES ('Peer', ?, 'peer@example.com')");
    const invoice = db.prepare("INSERT INTO chinook_invoices (customer_id, invoice_date, total) VALUES (?, '2026-01-01 00:00:00', 0)");
    const line = db.prepare('INSERT INTO chinook_invoice_lines (invoice_id, track_id, unit_price, quantity) VALUES (?, ?, 0.99, 1)');
    const buy = (c: number, tracks: number[]) => {
      const inv = Number(invoice.run(c).lastInsertRowid);
      for (const t of tracks) line.run(inv, t);
    };
    me = Number(customer.run('Me').lastInsertRowid);
    buy(me, shared);
    // Peer k shares one track with me (two for the first five: nearer) and bought fresh[k].
    fresh.forEach((t, k) => {
      buy(Number(customer.run(`P${k}`).lastInsertRowid), k < 5 ? [...shared, t] : [shared[0] as number, t]);
    });
  });
  after(() => db.close());

  it('scores co-purchases by overlap and reads only the MAX_PEERS nearest peers', () => {
    const got = new Map(alsoBought(db, me, shared, 1000).map((r) => [r.trackId, r.score]));
    // The five peers sharing two tracks come first, then peers by customer id up to the cap.
    for (const t of fresh.slice(0, 5)) assert.equal(got.get(t), 2);
    for (const t of fresh.slice(5, MAX_PEERS)) assert.equal(got.get(t), 1);
    for (const t of fresh.slice(MAX_PEERS)) assert.equal(got.has(t), false, `track ${t} of a peer past the ${MAX_PEERS} nearest`);
    assert.equal(got.has(shared[0] as number), true, 'what I own is filtered by the ranker, not here');
  });
});
