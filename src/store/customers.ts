// Chinook customers (the buyers of invoices): read here for the chores that link them to
// accounts. New customers are created by an order (orders.ts, ensureCustomer).
import type { Db } from '../db/index.ts';

export interface CustomerContact {
  id: number;
  /** First and last name. */
  name: string;
  /** Lower-cased, as account emails are. */
  email: string;
}

export class Customers {
  private readonly byId;
  private readonly one;

  constructor(db: Db) {
    this.byId = db.prepare(`SELECT id, first_name || ' ' || last_name AS name, lower(email) AS email FROM chinook_customers WHERE id > ? ORDER BY id LIMIT ?`);
    this.one = db.prepare('SELECT 1 FROM chinook_customers WHERE id = ?');
  }

  /** Whether a customer row exists (a recommendation asked for by customer id). */
  exists(customerId: number): boolean {
    return this.one.get(customerId) !== undefined;
  }

  /** Customers in id order after `afterId` (keyset pages, for walking all of them). */
  page(afterId: number, limit: number): CustomerContact[] {
    return this.byId.all(afterId, limit) as CustomerContact[];
  }
}
