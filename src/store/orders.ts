// Orders become Chinook invoices: one invoice and its lines in one transaction, prices read
// from the catalog (never from the client), the buyer linked to a chinook_customers row.
// After COMMIT, `order.placed` goes to its subscribers (cache invalidation in every worker,
// popularity counters) before the order is returned.
import { customerIdOf, linkCustomer } from '../accounts/index.ts';
import type { Track } from '../catalog/index.ts';
import { type Db, statement, type WriteQueue } from '../db/index.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import type { DomainEvents } from '../events/index.ts';
import { appendActivity } from './activity.ts';

export interface OrderLine {
  trackId: number;
  name: string;
  unitPrice: number;
  quantity: number;
}
export interface Order {
  id: number;
  customerId: number;
  invoiceDate: string;
  total: number;
  lines: OrderLine[];
}
/** A track in a user's library: what a row needs, and the order that last bought it. */
export type LibraryTrack = Pick<Track, 'id' | 'slug' | 'name' | 'albumId' | 'album' | 'artistId' | 'artist' | 'milliseconds' | 'unitPrice'> & {
  orderId: number;
  boughtAt: string;
};

export interface Buyer {
  userId: number;
  email: string;
  displayName: string;
  customerId: number | null;
}

export const MAX_ORDER_LINES = 100;

export class OrderService {
  private readonly invoice;
  private readonly lines;

  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
    private readonly events: DomainEvents,
  ) {
    this.invoice = db.prepare(
      'SELECT id, customer_id AS customerId, invoice_date AS invoiceDate, total FROM chinook_invoices WHERE id = ? AND customer_id = ?',
    );
    this.lines = db.prepare(
      'SELECT il.track_id AS trackId, t.name, il.unit_price AS unitPrice, il.quantity FROM chinook_invoice_lines il JOIN chinook_tracks t ON t.id = il.track_id WHERE il.invoice_id = ? ORDER BY il.id',
    );
  }

  async place(buyer: Buyer, trackIds: number[]): Promise<Order> {
    if (trackIds.length === 0) throw badRequest('trackIds must name at least one track');
    if (trackIds.length > MAX_ORDER_LINES) throw badRequest(`an order holds at most ${MAX_ORDER_LINES} tracks`);
    const duplicates = [...new Set(trackIds.filter((id, i) => trackIds.indexOf(id) !== i))];
    if (duplicates.length) throw conflict(`tracks listed more than once: ${duplicates.join(', ')}`, { duplicates });
    const { invoiceId, customerId } = await this.writes.run((db) => {
      const placeholders = trackIds.map(() => '?').join(',');
      const tracks = statement(db, `SELECT id, unit_price AS unitPrice FROM chinook_tracks WHERE id IN (${placeholders})`).all(...trackIds) as {
        id: number;
        unitPrice: number;
      }[];
      const found = new Set(tracks.map((t) => t.id));
      const missing = trackIds.filter((id) => !found.has(id));
      if (missing.length) throw new ApiError(404, 'not_found', `unknown track ids: ${missing.join(', ')}`, { missing });
      const customerId = ensureCustomer(db, buyer);
      const owned = (
        statement(
          db,
          `SELECT DISTINCT il.track_id AS id FROM chinook_invoice_lines il JOIN chinook_invoices i ON i.id = il.invoice_id
             WHERE i.customer_id = ? AND il.track_id IN (${placeholders})`,
        ).all(customerId, ...trackIds) as { id: number }[]
      ).map((r) => r.id);
      if (owned.length) throw conflict(`already owned: ${owned.join(', ')}`, { owned });
      const customer = statement(db, 'SELECT address, city, state, country, postal_code AS postalCode FROM chinook_customers WHERE id = ?').get(
        customerId,
      ) as Record<string, string | null>;
      // Cents, so that 0.99 × n adds up exactly.
      const totalCents = tracks.reduce((s, t) => s + Math.round(t.unitPrice * 100), 0);
      const id = Number(
        statement(
          db,
          `INSERT INTO chinook_invoices (customer_id, invoice_date, billing_address, billing_city, billing_state, billing_country, billing_postal_code, total)
             VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?, ?, ?, ?, ?, ?)`,
        ).run(
          customerId,
          customer.address ?? null,
          customer.city ?? null,
          customer.state ?? null,
          customer.country ?? null,
          customer.postalCode ?? null,
          totalCents / 100,
        ).lastInsertRowid,
      );
      const insertLine = statement(db, 'INSERT INTO chinook_invoice_lines (invoice_id, track_id, unit_price, quantity) VALUES (?, ?, ?, 1)');
      const priceOf = new Map(tracks.map((t) => [t.id, t.unitPrice]));
      for (const trackId of trackIds) insertLine.run(id, trackId, priceOf.get(trackId));
      appendActivity(db, {
        logName: 'store',
        description: 'order placed',
        subjectType: 'invoice',
        subjectId: id,
        causerType: 'user',
        causerId: buyer.userId,
        properties: { trackIds, total: totalCents / 100 },
      });
      return { invoiceId: id, customerId };
    });
    await this.events.emit({ type: 'order.placed', orderId: invoiceId, customerId, userId: buyer.userId, trackIds });
    return this.get(buyer.userId, invoiceId);
  }

  /** One order of this user's; another user's order is "not found", not "forbidden". */
  get(userId: number, invoiceId: number): Order {
    const customerId = customerIdOf(this.db, userId);
    const invoice = customerId == null ? undefined : (this.invoice.get(invoiceId, customerId) as Omit<Order, 'lines'> | undefined);
    if (!invoice) throw notFound('order', invoiceId);
    return { ...invoice, lines: this.lines.all(invoiceId) as OrderLine[] };
  }

  list(userId: number, page: { limit: number; cursor?: number | undefined }): { items: Omit<Order, 'lines'>[]; nextCursor: string | null } {
    const customerId = customerIdOf(this.db, userId);
    if (customerId === null) return { items: [], nextCursor: null };
    const rows = statement(
      this.db,
      `SELECT id, customer_id AS customerId, invoice_date AS invoiceDate, total FROM chinook_invoices
         WHERE customer_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ).all(customerId, page.cursor ?? Number.MAX_SAFE_INTEGER, page.limit + 1) as Omit<Order, 'lines'>[];
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: more ? String(items[items.length - 1]?.id) : null };
  }

  /**
   * The tracks this user has bought, most recent order first (within an order by track id, which
   * is album order in Chinook), each once with the order that bought it last. Keyset-paged by
   * "orderId.trackId". The price is the catalog's today; what the order paid is on the order.
   */
  library(userId: number, page: { limit: number; cursor?: string | undefined }): { items: LibraryTrack[]; nextCursor: string | null } {
    const customerId = customerIdOf(this.db, userId);
    if (customerId === null) return { items: [], nextCursor: null };
    const [order, track] = page.cursor ? page.cursor.split('.').map(Number) : [Number.MAX_SAFE_INTEGER, 0];
    const rows = statement(
      this.db,
      `WITH bought AS (
         SELECT il.track_id AS trackId, max(i.id) AS orderId
         FROM chinook_invoices i JOIN chinook_invoice_lines il ON il.invoice_id = i.id
         WHERE i.customer_id = @customer GROUP BY il.track_id
       )
       SELECT t.id, t.slug, t.name, t.album_id AS albumId, al.title AS album, al.artist_id AS artistId, ar.name AS artist,
              t.milliseconds, t.unit_price AS unitPrice, b.orderId, inv.invoice_date AS boughtAt
       FROM bought b
       JOIN chinook_tracks t ON t.id = b.trackId
       JOIN chinook_invoices inv ON inv.id = b.orderId
       LEFT JOIN chinook_albums al ON al.id = t.album_id
       LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
       WHERE b.orderId < @order OR (b.orderId = @order AND t.id > @track)
       ORDER BY b.orderId DESC, t.id LIMIT @limit`,
    ).all({ customer: customerId, order, track, limit: page.limit + 1 }) as LibraryTrack[];
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: more && last ? `${last.orderId}.${last.id}` : null };
  }

  /** Track ids this user owns, ascending (GET /api/me/tracks: the storefront shows them as owned). */
  ownedTrackIds(userId: number): number[] {
    const customerId = customerIdOf(this.db, userId);
    if (customerId === null) return [];
    return statement(
      this.db,
      'SELECT DISTINCT il.track_id FROM chinook_invoices i JOIN chinook_invoice_lines il ON il.invoice_id = i.id WHERE i.customer_id = ? ORDER BY il.track_id',
    )
      .pluck()
      .all(customerId) as number[];
  }
}

/** How many invoice lines name the track (with the caller's connection: a catalog delete checks it in its own transaction). */
export function invoiceLineCount(db: Db, trackId: number): number {
  return statement(db, 'SELECT count(*) FROM chinook_invoice_lines WHERE track_id = ?').pluck().get(trackId) as number;
}

/** The buyer's Chinook customer row, created from the account on the first order. */
function ensureCustomer(db: Db, buyer: Buyer): number {
  const linked = customerIdOf(db, buyer.userId);
  if (linked !== null) return linked;
  const [first, ...rest] = buyer.displayName.trim().split(/\s+/);
  const id = Number(
    statement(db, 'INSERT INTO chinook_customers (first_name, last_name, email) VALUES (?, ?, ?)').run(
      (first ?? buyer.email).slice(0, 40),
      (rest.join(' ') || '-').slice(0, 40),
      buyer.email,
    ).lastInsertRowid,
  );
  linkCustomer(db, buyer.userId, id);
  return id;
}

/**
 * The collaborative strategy reads the tracks of at most this many peers, those sharing the
 * most of this customer's tracks (user-based nearest neighbours). Chinook's customers have 3–10
 * peers, so the cap changes nothing there; bench:load's 200 accounts, who all buy the same
 * tracks, had 199 each, and every recommendation read all their invoice lines (1.8 of 6.9 ms).
 */
export const MAX_PEERS = 50;

/**
 * Tracks bought by the other customers who bought any of `trackIds` (the MAX_PEERS sharing the
 * most), each scored by how many of those tracks its buyers share with this customer (the
 * collaborative strategy). Aggregates only: no customer is named.
 */
export function alsoBought(db: Db, customerId: number, trackIds: readonly number[], limit: number): { trackId: number; score: number }[] {
  return statement(
    db,
    `WITH mine AS (SELECT value AS track_id FROM json_each(@owned)),
     peers AS (
       SELECT i.customer_id AS peer, count(DISTINCT il.track_id) AS overlap
       FROM chinook_invoice_lines il JOIN chinook_invoices i ON i.id = il.invoice_id
       WHERE il.track_id IN (SELECT track_id FROM mine) AND i.customer_id <> @customer
       GROUP BY i.customer_id ORDER BY overlap DESC, i.customer_id LIMIT ${MAX_PEERS})
     SELECT il.track_id AS trackId, sum(p.overlap) AS score
     FROM peers p JOIN chinook_invoices i ON i.customer_id = p.peer JOIN chinook_invoice_lines il ON il.invoice_id = i.id
     GROUP BY il.track_id ORDER BY score DESC, il.track_id LIMIT @limit`,
  ).all({ owned: JSON.stringify(trackIds), customer: customerId, limit }) as { trackId: number; score: number }[];
}
