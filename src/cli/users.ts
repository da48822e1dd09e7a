// `chinook users create-admin|link-customers`: account chores that need no running server.
import { randomBytes } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import { UserService } from '../accounts/index.ts';
import { type Db, WriteQueue } from '../db/index.ts';
import { type CustomerContact, Customers } from '../store/index.ts';
import { withDb } from './db.ts';
import { createProgress } from './progress.ts';

/** A password to show once: 18 random bytes, URL-safe, 24 characters. */
const oneTimePassword = () => randomBytes(18).toString('base64url');
/** Customers read and accounts created per write-queue operation (500 hashes ≈ 7 s on 4 pool threads). */
const LINK_BATCH = 500;

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
        const limit = opts.limit ?? Number.POSITIVE_INFINITY;
        // Which customers: walk them in id order, keeping those without an account.
        const customers = new Customers(db);
        const todo: CustomerContact[] = [];
        for (let after = 0; todo.length < limit; ) {
          const page = customers.page(after, LINK_BATCH);
          if (page.length === 0) break;
          todo.push(...service.withoutAccount(page).slice(0, limit - todo.length));
          after = page[page.length - 1]?.id as number;
        }
        const progress = createProgress('link-customers');
        console.log('customer_id,email,password');
        let linked = 0;
        for (let i = 0; i < todo.length; i += LINK_BATCH) {
          const batch = todo.slice(i, i + LINK_BATCH).map((c) => ({ ...c, password: oneTimePassword() }));
          const created = await service.linkCustomers(batch, (done) => progress.update(i + done, todo.length, 'hashing passwords'));
          const passwords = new Map(batch.map((c) => [c.id, c.password]));
          // Printed after COMMIT: every password shown belongs to an account that exists.
          for (const c of created) console.log(`${c.customerId},${c.email},${passwords.get(c.customerId)}`);
          linked += created.length;
        }
        progress.stop();
        console.error(linked ? `Linked ${linked} customers.` : 'Every customer already has an account.');
      });
    });
}
