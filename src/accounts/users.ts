// Accounts: registration, credential checks, roles, and the link to a Chinook customer.
import { type Db, statement, type WriteQueue } from '../db/index.ts';
import { ApiError, badRequest } from '../errors.ts';
import { passwordWeakness } from './password-strength.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';

export type Role = 'customer' | 'admin';

export interface User {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  customerId: number | null;
  createdAt: string;
}

const USER_SELECT = 'SELECT id, email, display_name AS displayName, role, customer_id AS customerId, created_at AS createdAt FROM users';
// Deliberately simple: one @, something on both sides, a dot in the domain, no spaces.
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;
export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 1024;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function validateRegistration(input: { email: string; password: string; displayName: string }): void {
  const problems: { field: string; message: string }[] = [];
  if (!EMAIL.test(normaliseEmail(input.email))) problems.push({ field: 'email', message: 'is not a valid email address' });
  if (input.password.length < MIN_PASSWORD) problems.push({ field: 'password', message: `must be at least ${MIN_PASSWORD} characters` });
  if (input.password.length > MAX_PASSWORD) problems.push({ field: 'password', message: `must be at most ${MAX_PASSWORD} characters` });
  const weak = problems.length === 0 && passwordWeakness(input.password, [input.email, input.displayName]);
  if (weak) problems.push({ field: 'password', message: `is too easy to guess: ${weak}` });
  if (input.displayName.trim().length === 0) problems.push({ field: 'displayName', message: 'must not be empty' });
  if (problems.length) throw badRequest(`Invalid registration: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
}

/** A Chinook customer to give an account: the store's CustomerContact. */
export interface CustomerToLink {
  id: number;
  name: string;
  email: string;
}

/**
 * The Chinook customer a user is linked to, read with the caller's connection: the store
 * checks it inside an order's transaction.
 */
export function customerIdOf(db: Db, userId: number): number | null {
  return (statement(db, 'SELECT customer_id FROM users WHERE id = ?').pluck().get(userId) as number | null | undefined) ?? null;
}

/** Links a user to a Chinook customer, inside the caller's write-queue operation (an order's first purchase). */
export function linkCustomer(db: Db, userId: number, customerId: number): void {
  statement(db, 'UPDATE users SET customer_id = ? WHERE id = ?').run(customerId, userId);
}

export class UserService {
  private readonly byId;
  private readonly byEmail;
  private readonly byCustomer;
  private readonly hashByEmail;

  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
  ) {
    this.byId = db.prepare(`${USER_SELECT} WHERE id = ?`);
    this.byEmail = db.prepare(`${USER_SELECT} WHERE email = ?`);
    this.byCustomer = db.prepare(`${USER_SELECT} WHERE customer_id = ?`);
    this.hashByEmail = db.prepare('SELECT id, password_hash AS hash FROM users WHERE email = ?');
  }

  get(id: number): User | undefined {
    return this.byId.get(id) as User | undefined;
  }

  /** The account linked to a Chinook customer (at most one: users.customer_id is unique). */
  linkedTo(customerId: number): User | undefined {
    return this.byCustomer.get(customerId) as User | undefined;
  }

  findByEmail(email: string): User | undefined {
    return this.byEmail.get(normaliseEmail(email)) as User | undefined;
  }

  async register(input: { email: string; password: string; displayName: string; role?: Role }): Promise<User> {
    validateRegistration(input);
    const email = normaliseEmail(input.email);
    const hash = await hashPassword(input.password);
    const id = await this.writes.run((db) => {
      const taken = db.prepare('SELECT 1 FROM users WHERE email = ?').get(email);
      // The reply must not tell an attacker which emails have accounts; the route turns this
      // into the same 409 text whatever the reason.
      if (taken) throw new ApiError(409, 'registration_refused', 'Could not register with these details. If you already have an account, log in.');
      return Number(
        db
          .prepare('INSERT INTO users (email, password_hash, display_name, role) VALUES (?, ?, ?, ?)')
          .run(email, hash, input.displayName.trim(), input.role ?? 'customer').lastInsertRowid,
      );
    });
    return this.get(id) as User;
  }

  /** The user if the password is right; otherwise undefined, after the same amount of work. */
  async authenticate(email: string, password: string): Promise<User | undefined> {
    const row = this.hashByEmail.get(normaliseEmail(email)) as { id: number; hash: string } | undefined;
    const ok = await verifyPassword(password.slice(0, MAX_PASSWORD), row?.hash ?? decoyHash);
    return ok && row ? this.get(row.id) : undefined;
  }

  async changePassword(userId: number, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD) throw badRequest(`password must be at least ${MIN_PASSWORD} characters`);
    const user = this.get(userId);
    const weak = passwordWeakness(password, user ? [user.email, user.displayName] : []);
    if (weak) throw badRequest(`password is too easy to guess: ${weak}`, [{ field: 'newPassword', message: weak }]);
    const hash = await hashPassword(password);
    await this.writes.run((db) =>
      db.prepare("UPDATE users SET password_hash = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?").run(hash, userId),
    );
  }

  async setRole(userId: number, role: Role): Promise<void> {
    await this.writes.run((db) => db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, userId));
  }

  /** Those of `customers` that no account is linked to, nor uses the email of. */
  withoutAccount<C extends CustomerToLink>(customers: readonly C[]): C[] {
    if (customers.length === 0) return [];
    const taken = this.db
      .prepare(
        `SELECT customer_id AS customerId, lower(email) AS email FROM users
         WHERE customer_id IN (SELECT value FROM json_each(?)) OR email IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(customers.map((c) => c.id)), JSON.stringify(customers.map((c) => normaliseEmail(c.email)))) as {
      customerId: number | null;
      email: string;
    }[];
    const ids = new Set(taken.map((t) => t.customerId));
    const emails = new Set(taken.map((t) => t.email));
    return customers.filter((c) => !ids.has(c.id) && !emails.has(normaliseEmail(c.email)));
  }

  /**
   * Creates an account linked to each customer, with the given passwords, in one write-queue
   * operation (all or none); a customer that got an account meanwhile is skipped. Hashing
   * runs first, on the thread pool (scrypt, ~50 ms each); `onHashed` reports progress.
   * Returns the accounts created.
   */
  async linkCustomers(
    customers: readonly (CustomerToLink & { password: string })[],
    onHashed: (done: number, total: number) => void = () => {},
  ): Promise<{ userId: number; customerId: number; email: string }[]> {
    for (const c of customers) validateRegistration({ email: c.email, password: c.password, displayName: c.name });
    let done = 0;
    const hashed = await Promise.all(
      customers.map(async (c) => {
        const hash = await hashPassword(c.password);
        onHashed(++done, customers.length);
        return { ...c, email: normaliseEmail(c.email), displayName: c.name.trim(), hash };
      }),
    );
    return this.writes.run((db) => {
      const insert = db.prepare(
        `INSERT INTO users (email, password_hash, display_name, role, customer_id) VALUES (?, ?, ?, 'customer', ?)
         ON CONFLICT DO NOTHING RETURNING id`,
      );
      const created: { userId: number; customerId: number; email: string }[] = [];
      for (const c of hashed) {
        const row = insert.get(c.email, c.hash, c.displayName, c.id) as { id: number } | undefined;
        if (row) created.push({ userId: row.id, customerId: c.id, email: c.email });
      }
      return created;
    });
  }
}
