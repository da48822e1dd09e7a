// `npm run test:crash` (not part of `npm test`: about two minutes of kill -9). Rounds of: start
// `chinook serve` (one process, or a cluster primary with two workers) on one database file,
// load it with mixed writes (plays, orders, admin track edits, new tracks), SIGKILL the whole
// process group at a random moment, then open the file as the next start would and compare
// what was acknowledged with what is there. The same file carries on from round to round.
//
//   npm run test:crash                          # 12 rounds with 1 worker, 12 with 2
//   CHINOOK_CRASH_ROUNDS=20 npm run test:crash  # per worker count
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { checkSearchIndex } from '../../src/search/index.ts';
import { Client } from '../accounts/client.ts';
import { importedDb } from '../helpers.ts';
import { startServe } from '../serve-process.ts';

const ROUNDS = Number(process.env.CHINOOK_CRASH_ROUNDS ?? 12);
const token = 'crash-admin';
const admin = { authorization: `Bearer ${token}` };
const SERVE_ENV = {
  CHINOOK_ADMIN_TOKEN: token,
  CHINOOK_DEFERRED_INDEX_MS: '50', // folds run all the time, so kills land inside them too
  CHINOOK_LOGIN_RATE_PER_MINUTE: '100000',
};

interface Ledger {
  plays: Map<number, number>; // nonce (ms_played) → acknowledged play id
  playsTried: Set<number>;
  orders: { id: number; trackIds: number[] }[];
  newTracks: Map<string, number>; // unique name → acknowledged id
  newTracksTried: Set<string>;
  edits: Map<number, { acked: string | null; inFlight: string | null }>; // track id → last acknowledged name, and the one in flight at the kill
}

interface RoundReport {
  round: number;
  workers: number;
  acked: { plays: number; orders: number; newTracks: number; edits: number };
  lost: number;
  duplicated: number;
  integrity: string;
  searchCheck: string;
}

let nonce = 1_000_000 + randomInt(1_000_000);
let editTrack = 100;

async function round(dbPath: string, n: number, workers: number, ledger: Ledger): Promise<RoundReport> {
  const { child, url } = await startServe(dbPath, { workers, env: SERVE_ENV });
  const before = { plays: ledger.plays.size, orders: ledger.orders.length, newTracks: ledger.newTracks.size, edits: 0 };
  let edits = 0;
  let stop = false;
  try {
    const customers = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const c = new Client(url);
        assert.equal((await c.register(`crash-r${n}-c${i}@example.com`)).status, 201);
        await c.get('/api/auth/csrf');
        return c;
      }),
    );
    const editor = new Client(url);
    const clients: Promise<void>[] = [
      ...customers.map(async (c, i) => {
        while (!stop) {
          try {
            if (i % 2 === 0) {
              const ms = nonce++;
              ledger.playsTried.add(ms);
              const r = await c.post('/api/plays', { trackId: randomInt(1, 3504), msPlayed: ms });
              if (r.status === 201) ledger.plays.set(ms, r.body.id);
            } else {
              const trackIds = [randomInt(1, 3504)];
              const r = await c.post('/api/orders', { trackIds });
              if (r.status === 201) ledger.orders.push({ id: r.body.id, trackIds });
            }
          } catch {
            return; // the connection died with the server: never acknowledged
          }
        }
      }),
      (async () => {
        while (!stop) {
          const id = editTrack++;
          const name = `edited ${nonce++}`;
          const entry = ledger.edits.get(id) ?? { acked: null, inFlight: null };
          entry.inFlight = name;
          ledger.edits.set(id, entry);
          try {
            const r = await editor.request('PATCH', `/api/admin/tracks/${id}`, { name, unitPrice: 0.99 }, admin);
            if (r.status === 200) {
              entry.acked = name;
              entry.inFlight = null;
              edits++;
            }
          } catch {
            return;
          }
        }
      })(),
      (async () => {
        while (!stop) {
          const name = `crash track ${nonce++}`;
          ledger.newTracksTried.add(name);
          try {
            const r = await editor.request(
              'POST',
              '/api/admin/tracks',
              { name, albumId: 1 + (nonce % 347), mediaTypeId: 1, milliseconds: 200_000, unitPrice: 0.99 },
              admin,
            );
            if (r.status === 201) ledger.newTracks.set(name, r.body.id);
          } catch {
            return;
          }
        }
      })(),
    ];
    await new Promise((r) => setTimeout(r, randomInt(500, 2000)));
    process.kill(-(child.pid as number), 'SIGKILL');
    await once(child, 'exit').catch(() => {});
    stop = true;
    await Promise.all(clients);
  } finally {
    stop = true;
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {}
  }

  // The file as the next start finds it (WAL recovery happens on this open).
  const db = new Database(dbPath);
  let lost = 0;
  let duplicated = 0;
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const playsByNonce = db.prepare('SELECT id FROM plays WHERE ms_played = ?').pluck();
    for (const ms of ledger.playsTried) {
      const ids = playsByNonce.all(ms) as number[];
      if (ids.length > 1) duplicated++;
      const acked = ledger.plays.get(ms);
      if (acked !== undefined && !ids.includes(acked)) lost++;
    }
    const lines = db.prepare('SELECT track_id FROM chinook_invoice_lines WHERE invoice_id = ? ORDER BY id').pluck();
    for (const o of ledger.orders) if (JSON.stringify(lines.all(o.id)) !== JSON.stringify(o.trackIds)) lost++;
    const tracksByName = db.prepare('SELECT id FROM chinook_tracks WHERE name = ?').pluck();
    for (const name of ledger.newTracksTried) {
      const ids = tracksByName.all(name) as number[];
      if (ids.length > 1) duplicated++;
      const acked = ledger.newTracks.get(name);
      if (acked !== undefined && !ids.includes(acked)) lost++;
    }
    const nameOf = db.prepare('SELECT name FROM chinook_tracks WHERE id = ?').pluck();
    for (const [id, e] of ledger.edits) {
      const now = nameOf.get(id) as string;
      // The last acknowledged edit, or the one in flight at the kill (it may have committed unanswered).
      if (e.acked !== null && now !== e.acked && now !== e.inFlight) lost++;
      if (e.inFlight !== null && now === e.inFlight) e.acked = e.inFlight;
      e.inFlight = null;
    }
    const search = checkSearchIndex(db);
    return {
      round: n,
      workers,
      acked: {
        plays: ledger.plays.size - before.plays,
        orders: ledger.orders.length - before.orders,
        newTracks: ledger.newTracks.size - before.newTracks,
        edits,
      },
      lost,
      duplicated,
      integrity,
      searchCheck: search.ok ? 'ok' : search.problems.join('; '),
    };
  } finally {
    db.close();
  }
}

describe(`kill -9 rounds: ${ROUNDS} with one process, ${ROUNDS} with two workers`, () => {
  const reports: RoundReport[] = [];
  after(() => {
    const total = reports.reduce(
      (t, r) => ({ acked: t.acked + r.acked.plays + r.acked.orders + r.acked.newTracks + r.acked.edits, lost: t.lost + r.lost, dup: t.dup + r.duplicated }),
      { acked: 0, lost: 0, dup: 0 },
    );
    console.log('round workers  plays orders tracks edits  lost dup  integrity  search check');
    for (const r of reports) {
      console.log(
        `${String(r.round).padStart(5)} ${String(r.workers).padStart(7)}  ${String(r.acked.plays).padStart(5)} ${String(r.acked.orders).padStart(6)} ${String(r.acked.newTracks).padStart(6)} ${String(r.acked.edits).padStart(5)}  ${String(r.lost).padStart(4)} ${String(r.duplicated).padStart(3)}  ${r.integrity.padEnd(9)}  ${r.searchCheck}`,
      );
    }
    console.log(`${reports.length} rounds: ${total.acked} writes acknowledged, ${total.lost} lost, ${total.dup} duplicated`);
  });

  it('loses and duplicates nothing acknowledged; the file and the search index stay intact', async () => {
    const { config, db } = importedDb();
    db.close();
    const ledger: Ledger = { plays: new Map(), playsTried: new Set(), orders: [], newTracks: new Map(), newTracksTried: new Set(), edits: new Map() };
    let n = 0;
    for (const workers of [1, 2]) {
      for (let i = 0; i < ROUNDS; i++) {
        const r = await round(config.dbPath, ++n, workers, ledger);
        reports.push(r);
        assert.equal(r.integrity, 'ok', `round ${n}: integrity_check`);
        assert.equal(r.searchCheck, 'ok', `round ${n}: search check`);
        assert.equal(r.lost, 0, `round ${n}: acknowledged writes lost`);
        assert.equal(r.duplicated, 0, `round ${n}: writes duplicated`);
        assert.ok(r.acked.plays + r.acked.orders > 0, `round ${n}: no write was acknowledged before the kill`);
      }
    }
    // After the last kill the service starts and answers as usual.
    const { child, url } = await startServe(config.dbPath, { env: SERVE_ENV });
    try {
      assert.equal((await fetch(`${url}/api/tracks/1`)).status, 200);
    } finally {
      process.kill(-(child.pid as number), 'SIGKILL');
    }
  });
});
