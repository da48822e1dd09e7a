import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/connection.ts';
import { buildVectors } from '../../src/vectors/build.ts';
import { isArithmeticRun } from '../../src/vectors/source.ts';
import { importedDb } from '../helpers.ts';

describe('generated invoices', () => {
  test('an arithmetic run of track ids is recognised, also when it wraps past the last id', () => {
    assert.ok(isArithmeticRun([16, 20, 24, 28, 32, 36], 3503));
    assert.ok(isArithmeticRun([1, 5, 9, 13, 3496, 3500], 3503));
    assert.ok(isArithmeticRun([3, 9, 15, 21, 3476, 3482, 3488, 3494, 3500], 3503));
    assert.ok(!isArithmeticRun([5, 17, 1200], 3503));
    assert.ok(!isArithmeticRun([1, 2, 4, 8, 16], 3503));
  });
});

describe('the listens-alike space on Chinook', () => {
  let db: Db;
  let details: Record<string, unknown>;
  before(() => {
    db = importedDb().db;
    details = buildVectors(db).providers.find((p) => p.space === 'audio')?.details as Record<string, unknown>;
  });
  after(() => db.close());

  test('every judged Chinook invoice is an arithmetic run, and none is a basket', () => {
    const baskets = details.baskets as { invoices: number; playlists: number; invoiceAudit: { invoices: number; judged: number; arithmetic: number } };
    assert.deepEqual(
      { invoices: baskets.invoiceAudit.invoices, judged: baskets.invoiceAudit.judged, arithmetic: baskets.invoiceAudit.arithmetic },
      { invoices: 412, judged: 236, arithmetic: 236 },
    );
    assert.equal(baskets.invoices, 0);
  });

  test('vectors are told apart: nearly every track has its own (807 of 3 503 were distinct with invoices)', () => {
    const distinct = new Set((db.prepare('SELECT audio_features AS v FROM track_vectors').all() as { v: Buffer }[]).map((r) => r.v.toString('base64')));
    assert.ok(distinct.size >= 3400, `${distinct.size} distinct`);
  });

  test('a real order (not an arithmetic run) is a basket again', () => {
    const invoice = Number(
      db.prepare("INSERT INTO chinook_invoices (customer_id, invoice_date, total) VALUES (1, '2026-01-01 00:00:00', 2.97)").run().lastInsertRowid,
    );
    for (const t of [5, 17, 1200])
      db.prepare('INSERT INTO chinook_invoice_lines (invoice_id, track_id, unit_price, quantity) VALUES (?, ?, 0.99, 1)').run(invoice, t);
    const rebuilt = buildVectors(db).providers.find((p) => p.space === 'audio')?.details as { baskets: { invoices: number } };
    assert.equal(rebuilt.baskets.invoices, 1);
  });
});
