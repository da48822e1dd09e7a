// Linking Chinook customers to accounts through the accounts service: one write-queue
// operation per batch, customers with an account (by link or by email) left alone, and a
// customer that got an account meanwhile skipped rather than failing the batch.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { UserService } from '../../src/accounts/users.ts';
import { WriteQueue } from '../../src/db/write-queue.ts';
import { Customers } from '../../src/store/customers.ts';
import { importedDb } from '../helpers.ts';

// Random passwords, as `chinook users link-customers` makes them (guessable ones are refused).
const strong = () => randomBytes(18).toString('base64url');

describe('UserService.linkCustomers', () => {
  it('creates linked accounts in one write operation and skips customers that have one', async () => {
    const { db } = importedDb();
    const writes = new WriteQueue(db);
    const users = new UserService(db, writes);
    try {
      const page = new Customers(db).page(0, 5);
      assert.deepEqual(
        page.map((c) => c.id),
        [1, 2, 3, 4, 5],
      );
      // Customer 1's email already has an account; customer 2 is linked by id.
      await users.register({ email: page[0]?.email ?? '', password: strong(), displayName: 'Has One' });
      const two = await users.register({ email: 'someone@example.com', password: strong(), displayName: 'Linked' });
      await writes.run((w) => w.prepare('UPDATE users SET customer_id = 2 WHERE id = ?').run(two.id));
      const todo = users.withoutAccount(page);
      assert.deepEqual(
        todo.map((c) => c.id),
        [3, 4, 5],
      );
      // Customer 4 registers by themselves between the check and the batch.
      await users.register({ email: todo[1]?.email ?? '', password: strong(), displayName: 'Quick' });
      const operations = writes.stats().operations;
      const hashed: number[] = [];
      const passwords = new Map(todo.map((c) => [c.id, strong()]));
      const created = await users.linkCustomers(
        todo.map((c) => ({ ...c, password: passwords.get(c.id) as string })),
        (done) => hashed.push(done),
      );
      assert.equal(writes.stats().operations - operations, 1, 'one write-queue operation for the batch');
      assert.deepEqual(hashed, [1, 2, 3]);
      assert.deepEqual(
        created.map((c) => c.customerId),
        [3, 5],
      );
      for (const c of created) {
        const user = await users.authenticate(c.email, passwords.get(c.customerId) as string);
        assert.equal(user?.customerId, c.customerId);
        assert.equal(users.linkedTo(c.customerId)?.id, c.userId);
      }
      assert.deepEqual(users.withoutAccount(page), []);
    } finally {
      await writes.close();
      db.close();
    }
  });

  it('refuses the whole batch when one entry is invalid', async () => {
    const { db } = importedDb();
    const writes = new WriteQueue(db);
    const users = new UserService(db, writes);
    try {
      await assert.rejects(
        users.linkCustomers([
          { id: 1, name: 'Ok', email: 'ok@example.com', password: strong() },
          { id: 2, name: 'Bad', email: 'not-an-email', password: strong() },
        ]),
        /email is not a valid email address/,
      );
      assert.equal(db.prepare('SELECT count(*) FROM users').pluck().get(), 0);
    } finally {
      await writes.close();
      db.close();
    }
  });
});
