// `chinook users …` as an operator runs it: child processes on a temp database.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { UserService } from '../../src/accounts/users.ts';
import { projectRoot } from '../../src/config.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { WriteQueue } from '../../src/db/write-queue.ts';
import { importedDb } from '../helpers.ts';

const exec = promisify(execFile);
const chinook = (db: string, ...args: string[]) =>
  exec(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'main.ts'), '--db', db, ...args], { cwd: projectRoot, timeout: 60_000 });

describe('chinook users', () => {
  it('create-admin prints a one-time password that logs in as an admin', async () => {
    const { config, db } = importedDb();
    db.close();
    const { stdout } = await chinook(config.dbPath, 'users', 'create-admin', '--email', 'Root@Example.com', '--name', 'Root');
    const password = /One-time password[^:]*: (\S+)/.exec(stdout)?.[1];
    assert.ok(password, stdout);
    const check = openPrimary(config);
    const users = new UserService(check, new WriteQueue(check));
    const user = await users.authenticate('root@example.com', password);
    assert.equal(user?.role, 'admin');
    check.close();
    const again = await chinook(config.dbPath, 'users', 'create-admin', '--email', 'root@example.com');
    assert.match(again.stdout, /now an admin/);
  });

  it('link-customers gives each Chinook customer an account once', async () => {
    const { config, db } = importedDb();
    db.close();
    const first = await chinook(config.dbPath, 'users', 'link-customers', '--limit', '3');
    const rows = first.stdout.trim().split('\n');
    assert.equal(rows[0], 'customer_id,email,password');
    assert.equal(rows.length, 4);
    const [customerId, email, password] = (rows[1] ?? '').split(',');
    const check = openPrimary(config);
    const user = await new UserService(check, new WriteQueue(check)).authenticate(email ?? '', password ?? '');
    assert.equal(user?.customerId, Number(customerId));
    check.close();
    const second = await chinook(config.dbPath, 'users', 'link-customers', '--limit', '3');
    assert.ok(!second.stdout.includes(email ?? '-'), 'a customer is linked only once');
    await assert.rejects(chinook(config.dbPath, 'users', 'link-customers', '--limit', 'x'), /--limit must be/);
  });
});
