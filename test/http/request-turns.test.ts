// Requests take turns with the event loop while connections arrive (src/http/request-turns.ts):
// past the budget, a request waits for a later iteration, so the loop keeps polling (accepting,
// reading) while many requests are ready; with no connection arriving they run as they are read.
// Real HTTP over raw sockets: every request is written in one tick, so the server reads them all
// in the same poll phase, as it does when hundreds of connections are busy.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { test } from 'node:test';
import Fastify from 'fastify';
import { RequestTurns } from '../../src/http/request-turns.ts';
import { startServer } from '../helpers.ts';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // request work
  }
};

interface RawReply {
  status: number;
  head: string;
  body: string;
}

/**
 * Opens one connection per path, then writes every request in the same tick; resolves with the
 * replies in path order. `settle`: how long to wait for the server to accept the connections
 * (ms), or something to wait for instead.
 */
async function sendTogether(
  port: number,
  paths: string[],
  beforeReplies: () => void = () => {},
  settle: number | (() => Promise<unknown>) = 100,
): Promise<RawReply[]> {
  const sockets = await Promise.all(
    paths.map(
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
  // Let the server accept them all (one per loop iteration) before any request is sent.
  await (typeof settle === 'number' ? new Promise((r) => setTimeout(r, settle)) : settle());
  const replies = sockets.map(
    (s) =>
      new Promise<RawReply>((resolve) => {
        let text = '';
        s.setEncoding('utf8');
        s.on('data', (d) => {
          text += d;
        });
        s.on('end', () => {
          const [head = '', body = ''] = text.split('\r\n\r\n');
          resolve({ status: Number(head.split(' ')[1]), head, body });
        });
      }),
  );
  paths.forEach((p, i) => {
    sockets[i]?.write(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
  beforeReplies();
  return Promise.all(replies);
}

/** A bare Fastify app whose /work route burns 2 ms and records the loop iteration it ran in. */
async function turnCounter(budgetMs: number, arrivalWindowMs: number) {
  const turns = new RequestTurns(budgetMs, { arrivalWindowMs });
  const app = Fastify({ serverFactory: turns.serverFactory() });
  let iteration = 0;
  let ticking = true;
  const tick = () => {
    iteration++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const ranIn: number[] = [];
  app.get('/work', async () => {
    ranIn.push(iteration);
    busy(2);
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    turns,
    ranIn,
    port,
    async close() {
      ticking = false;
      await app.close();
    },
  };
}

test('past the budget each request waits for a later loop iteration; with no budget they all run in the one they arrived in', async () => {
  const paths = Array.from({ length: 12 }, () => '/work');
  const off = await turnCounter(0, 60_000);
  try {
    const replies = await sendTogether(off.port, paths);
    assert.deepEqual(
      replies.map((r) => r.status),
      paths.map(() => 200),
    );
    // Without turns, requests read in one poll phase run back to back in its iteration (the
    // case that starves accepts); this shows the test's requests do arrive together.
    assert.ok(new Set(off.ranIn).size < off.ranIn.length, `some requests shared an iteration without turns: ${off.ranIn}`);
    assert.equal(off.turns.stats().deferred, 0);
  } finally {
    await off.close();
  }

  const on = await turnCounter(1, 60_000); // 1 ms budget, 2 ms requests: one per iteration; connections "just arrived"
  try {
    const replies = await sendTogether(on.port, paths);
    assert.deepEqual(
      replies.map((r) => r.status),
      paths.map(() => 200),
    );
    assert.equal(new Set(on.ranIn).size, on.ranIn.length, `every request ran in an iteration of its own: ${on.ranIn}`);
    const stats = on.turns.stats();
    assert.ok(stats.deferred >= paths.length - 1, `deferred ${stats.deferred}`);
    assert.equal(stats.waiting, 0);
  } finally {
    await on.close();
  }
});

test('with no connection arriving, requests run as they are read: no queue, no turns', async () => {
  const paths = Array.from({ length: 12 }, () => '/work');
  const quiet = await turnCounter(1, 20); // connections opened 200 ms before their requests: outside the 20 ms window
  try {
    const replies = await sendTogether(quiet.port, paths, () => {}, 200);
    assert.deepEqual(
      replies.map((r) => r.status),
      paths.map(() => 200),
    );
    assert.ok(new Set(quiet.ranIn).size < quiet.ranIn.length, `requests shared an iteration: ${quiet.ranIn}`);
    assert.equal(quiet.turns.stats().deferred, 0);
  } finally {
    await quiet.close();
  }
});

test('the app serves through the turns: requests read while connections arrive wait for their turn, and /metrics counts them', async () => {
  const token = 'turns-test-token';
  // 1 µs: a turn runs one request, so any two read in the same loop iteration make one wait.
  // With 250 µs, one fresh-clone CI run (2026-12-01) counted no waits: the requests of an
  // iteration fitted in the budget. With 1 µs another (2026-12-01, 11:09 UTC) still counted
  // none, 1 run in 20 here: written before the server had accepted the connections (it takes
  // one a loop iteration), each request was read in the iteration after its connection's,
  // alone, and ran in that iteration's own turn.
  const server = await startServer({ adminToken: token, turnBudgetUs: 1 });
  try {
    const port = Number(new URL(server.url).port);
    const paths = Array.from({ length: 30 }, (_, i) => `/api/tracks/${i + 1}`);
    // Written once the server has answered a request on a connection opened after the 30: by
    // then it has accepted them all (in order) and the last accept has just opened the arrival
    // window (100 ms, short turns). The loop is then held for 20 ms, so the 30 requests are
    // in the kernel before the server polls again and are read in one iteration, as under load.
    const lastConnection = () => sendTogether(port, ['/health'], () => {}, 0);
    const replies = await sendTogether(port, paths, () => busy(20), lastConnection);
    assert.deepEqual(
      replies.map((r) => r.status),
      paths.map(() => 200),
    );
    assert.deepEqual(
      replies.map((r) => (JSON.parse(r.body) as { id?: number }).id),
      paths.map((_, i) => i + 1),
      'each connection got its own reply',
    );
    const metrics = await server.get('/metrics', { headers: { authorization: `Bearer ${token}` } });
    const deferred = Number(/^chinook_http_deferred_requests_total (\d+)/m.exec(String(metrics.body))?.[1]);
    assert.ok(deferred > 0, `some requests waited for a later turn: ${deferred}`);
  } finally {
    await server.close();
  }
});

test('a queue that never empties keeps a bounded array (run requests are cut off its head)', async () => {
  // 1 ns of budget: one request a turn. 100 queued, then one more each iteration for 20,000
  // iterations, so the queue never empties and never grows.
  const turns = new RequestTurns(0.000001, { arrivalWindowMs: 60_000 });
  turns.connectionArrived();
  let ran = 0;
  const listener = turns.wrap(() => {
    ran++;
  });
  const fake = () => ({ req: { socket: { destroyed: false } }, res: {} }) as unknown as { req: IncomingMessage; res: ServerResponse };
  for (let i = 0; i < 100; i++) {
    const { req, res } = fake();
    listener(req, res);
  }
  for (let i = 0; i < 20_000; i++) {
    const { req, res } = fake();
    listener(req, res);
    await new Promise((r) => setImmediate(r));
  }
  const stats = turns.stats();
  assert.ok(ran >= 19_000, `one request a turn ran: ${ran}`);
  assert.ok(stats.waiting > 0, `the queue never emptied: ${stats.waiting} waiting`);
  assert.ok(stats.slots < 10_000, `the array was compacted: ${stats.slots} slots for ${stats.waiting} waiting after ${ran} run`);
});

test('a queued request whose client has gone is dropped without running', async () => {
  const turns = new RequestTurns(1, { arrivalWindowMs: 60_000 });
  turns.connectionArrived();
  const ran: string[] = [];
  const listener = turns.wrap((req) => {
    ran.push((req as unknown as { name: string }).name);
  });
  const request = (name: string, destroyed: boolean) =>
    ({ req: { name, socket: { destroyed } }, res: {} }) as unknown as { req: IncomingMessage; res: ServerResponse };
  for (const [name, destroyed] of [
    ['a', false],
    ['gone', true],
    ['b', false],
  ] as const) {
    const { req, res } = request(name, destroyed);
    listener(req, res);
  }
  for (let i = 0; i < 10 && ran.length < 2; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(ran, ['a', 'b']);
  assert.equal(turns.stats().abandoned, 1);
});
