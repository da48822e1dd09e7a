// `chinook users create-admin|link-customers`: account chores that need no running server.
import { randomBytes } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import { UserService } from '../accounts/users.ts';
import type { Db } from '../db/connection.ts';
import { WriteQueue } from '../db/write-queue.ts';
import { withDb } from './db.ts';
import { createProgress } from './progress.ts';

/** A password to show once: 18 random bytes, URL-safe, 24 characters. */
const oneTimePassword = () => randomBytes(18).toString('base64url');

function withUsers<T>(cmd: Command, fn: (users: UserService, db: Db) => Promise<T>): Promise<T> {
  return withDb(cmd, async (db) => {
    const writes = new WriteQueue(db);
    try {
      return await fn(new UserService(db, writes), db);
    } finally {
      await writes.close();
    }
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage accounts (admins, links to Chinook customers)');

  users
    .command('create-admin')
    .description('create an admin account, or make an existing account admin')
    .requiredOption('--email <email>', 'login email')
    .option('--name <name>', 'display name', 'Administrator')
    .option('--password-stdin', 'read the password from standard input (otherwise one is generated and printed once)')
    .action(async (opts: { email: string; name: string; passwordStdin?: boolean }, cmd: Command) => {
      await withUsers(cmd, async (service) => {
        const existing = service.findByEmail(opts.email);
        if (existing) {
          await service.setRole(existing.id, 'admin');
          console.log(`${existing.email} is now an admin (password unchanged).`);
          return;
        }
        const password = opts.passwordStdin ? await readStdin() : oneTimePassword();
        const user = await service.register({ email: opts.email, password, displayName: opts.name, role: 'admin' });
        console.log(`Created admin ${user.email} (id ${user.id}).`);
        if (!opts.passwordStdin) console.log(`One-time password (shown once, change it after logging in): ${password}`);
      });
    });

  users
    .command('link-customers')
    .description('create an account for each Chinook customer that has none; prints email,password as CSV once')
    .option('--limit <n>', 'at most this many customers', (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('--limit must be a positive whole number');
      return Number(v);
    })
    .action(async (opts: { limit?: number }, cmd: Command) => {
      await withUsers(cmd, async (service, db) => {
        const customers = db
          .prepare(
            `SELECT c.id, c.first_name || ' ' || c.last_name AS name, lower(c.email) AS email FROM chinook_customers c
             WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.customer_id = c.id OR u.email = lower(c.email)) ORDER BY c.id LIMIT ?`,
          )
          .all(opts.limit ?? -1) as { id: number; name: string; email: string }[];
        const progress = createProgress('link-customers');
        console.log('customer_id,email,password');
        for (const [i, c] of customers.entries()) {
          const password = oneTimePassword();
          const user = await service.register({ email: c.email, password, displayName: c.name });
          db.prepare('UPDATE users SET customer_id = ? WHERE id = ?').run(c.id, user.id);
          console.log(`${c.id},${c.email},${password}`);
          progress.update(i + 1, customers.length, c.email);
        }
        progress.stop();
        console.error(customers.length ? `Linked ${customers.length} customers.` : 'Every customer already has an account.');
      });
    });
}
