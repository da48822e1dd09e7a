// An acknowledged write survives kill -9: a real server takes orders and plays under load and
// is SIGKILLed mid-stream; every write whose reply reached the client must be in the file.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Client } from '../accounts/client.ts';
import { importedDb } from '../helpers.ts';

async function startChild(dbPath: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'crash-server.ts'), dbPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    buffered += chunk.toString();
    const line = buffered.split('\n').find((l) => l.startsWith('{'));
    if (line) return { child, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` };
  }
  throw new Error('crash server exited before listening');
}

describe('durability under kill -9', () => {
  it('keeps every acknowledged order and play, and the file stays intact', async () => {
    const { config, db } = importedDb();
    db.close();
    const { child, url } = await startChild(config.dbPath);
    const exited = once(child, 'exit');
    const ackedPlays: number[] = [];
    const ackedOrders: { id: number; trackIds: number[] }[] = [];
    let stop = false;
    try {
      const clients = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const c = new Client(url);
          const r = await c.register(`crash${i}@example.com`);
          assert.equal(r.status, 201);
          return c;
        }),
      );
      let nextTrack = 1;
      const load = clients.map(async (c, i) => {
        while (!stop) {
          try {
            if (i % 2 === 0) {
              const r = await c.post('/api/plays', { trackId: randomInt(1, 3504) });
              if (r.status === 201) ackedPlays.push(r.body.id);
            } else {
              const trackIds = [nextTrack++, nextTrack++];
              const r = await c.post('/api/orders', { trackIds });
              if (r.status === 201) ackedOrders.push({ id: r.body.id, trackIds });
            }
          } catch {
            return; // connection died with the server: that write was never acknowledged
          }
        }
      });
      // Kill at a random moment once writes are flowing.
      await new Promise((r) => setTimeout(r, randomInt(300, 900)));
      child.kill('SIGKILL');
      await exited;
      stop = true;
      await Promise.all(load);
    } finally {
      stop = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    assert.ok(ackedPlays.length > 0 && ackedOrders.length > 0, `load too small to mean anything: ${ackedPlays.length} plays, ${ackedOrders.length} orders`);

    const check = new Database(config.dbPath);
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    const playExists = check.prepare('SELECT 1 FROM plays WHERE id = ?').pluck();
    const missingPlays = ackedPlays.filter((id) => !playExists.get(id));
    assert.deepEqual(missingPlays, [], 'acknowledged plays lost');
    const orderLines = check.prepare('SELECT track_id FROM chinook_invoice_lines WHERE invoice_id = ? ORDER BY id').pluck();
    for (const o of ackedOrders) assert.deepEqual(orderLines.all(o.id), o.trackIds, `order ${o.id}`);
    // The deferred lookups hold exactly the plays up to their watermark: none missing, none ahead.
    const upto = check.prepare("SELECT upto FROM deferred_indexes WHERE name = 'plays'").pluck().get() as number;
    assert.ok(upto > 0, 'no fold ran before the kill');
    const unfolded = check
      .prepare('SELECT count(*) FROM plays p WHERE p.id <= ? AND NOT EXISTS (SELECT 1 FROM plays_by_user x WHERE x.user_id = p.user_id AND x.play_id = p.id)')
      .pluck()
      .get(upto);
    assert.equal(unfolded, 0);
    assert.equal(check.prepare('SELECT count(*) FROM plays_by_user WHERE play_id > ?').pluck().get(upto), 0);
    const counted = check.prepare('SELECT ifnull(sum(plays), 0) FROM track_play_counts').pluck().get();
    assert.equal(counted, check.prepare('SELECT count(*) FROM plays WHERE id <= ?').pluck().get(upto));
    check.close();
  });
});
