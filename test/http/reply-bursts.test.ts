// Replies leave in bursts (src/http/reply-bursts.ts): a ready reply waits for others or the end
// of its event-loop iteration, then all are written back to back. Real HTTP over raw sockets:
// every request is written in one tick while the loop is held, so the server reads them in one
// poll phase, as it does when many connections are busy.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerReplyBursts } from '../../src/http/reply-bursts.ts';
import { startServer } from '../helpers.ts';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the loop is held: the requests pile up in the kernel
  }
};

/** One connection per path; every request written in the same tick while the loop is held; the replies in path order. */
async function sendTogether(port: number, paths: string[]): Promise<{ status: number; body: string }[]> {
  const sockets = await Promise.all(
    paths.map(
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 100)); // the server accepts one connection a loop iteration
  const replies = sockets.map(
    (s) =>
      new Promise<{ status: number; body: string }>((resolve) => {
        let text = '';
        s.setEncoding('utf8');
        s.on('data', (d) => {
          text += d;
        });
        s.on('end', () => {
          const [head = '', body = ''] = text.split('\r\n\r\n');
          resolve({ status: Number(head.split(' ')[1]), body });
        });
      }),
  );
  paths.forEach((p, i) => {
    sockets[i]?.write(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
  busy(20);
  return Promise.all(replies);
}

async function echoApp(size: number) {
  const app = Fastify();
  const bursts = registerReplyBursts(app, size);
  app.get('/echo/:n', async (request) => ({ n: Number((request.params as { n: string }).n) }));
  // A header Node refuses when the reply is written (a line break in its value).
  app.get('/bad-header', async (_request, reply) => {
    reply.header('x-broken', 'a\nb');
    return { n: -1 };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, bursts, port: (app.server.address() as AddressInfo).port };
}

test('replies read in one iteration leave in bursts of at most the size, each on its own connection', async () => {
  const { app, bursts, port } = await echoApp(4);
  try {
    const paths = Array.from({ length: 10 }, (_, i) => `/echo/${i}`);
    const replies = await sendTogether(port, paths);
    assert.deepEqual(
      replies.map((r) => r.status),
      paths.map(() => 200),
    );
    assert.deepEqual(
      replies.map((r) => (JSON.parse(r.body) as { n: number }).n),
      paths.map((_, i) => i),
      'each connection got its own reply',
    );
    const { bursts: n, replies: written } = bursts.stats();
    assert.equal(written, 10);
    assert.ok(n >= 3, `no burst held more than 4 replies: ${n} bursts for 10`);
    assert.ok(n < 10, `replies shared bursts: ${n} bursts for 10`);
  } finally {
    await app.close();
  }
});

test('a reply that cannot be written becomes a 500 and the rest of its burst is still written', async () => {
  const { app, bursts, port } = await echoApp(16);
  try {
    const paths = ['/echo/1', '/bad-header', '/echo/2', '/echo/3'];
    const replies = await sendTogether(port, paths);
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 500, 200, 200],
    );
    assert.deepEqual(
      [0, 2, 3].map((i) => (JSON.parse(replies[i]?.body ?? '') as { n: number }).n),
      [1, 2, 3],
    );
    assert.ok(bursts.stats().bursts < 4, `the four shared bursts: ${JSON.stringify(bursts.stats())}`);
  } finally {
    await app.close();
  }
});

test('a burst of 1 holds nothing: every reply is written at once', async () => {
  const { app, bursts, port } = await echoApp(1);
  try {
    const replies = await sendTogether(port, ['/echo/7', '/echo/8']);
    assert.deepEqual(
      replies.map((r) => r.body),
      ['{"n":7}', '{"n":8}'],
    );
    assert.deepEqual(bursts.stats(), { bursts: 0, replies: 0 });
  } finally {
    await app.close();
  }
});

test('the app writes its replies in bursts by default, and /metrics counts them', async () => {
  const token = 'bursts-test-token';
  const server = await startServer({ adminToken: token });
  try {
    const port = Number(new URL(server.url).port);
    const paths = Array.from({ length: 20 }, (_, i) => `/api/tracks/${i + 1}`);
    const replies = await sendTogether(port, paths);
    assert.deepEqual(
      replies.map((r) => (JSON.parse(r.body) as { id?: number }).id),
      paths.map((_, i) => i + 1),
      'each connection got its own track',
    );
    const metrics = String((await server.get('/metrics', { headers: { authorization: `Bearer ${token}` } })).body);
    const bursts = Number(/^chinook_http_reply_bursts_total (\d+)/m.exec(metrics)?.[1]);
    const written = Number(/^chinook_http_burst_replies_total (\d+)/m.exec(metrics)?.[1]);
    assert.ok(written >= 20, `replies counted: ${written}`);
    assert.ok(bursts > 0 && bursts < written, `some replies shared a burst: ${bursts} bursts, ${written} replies`);
  } finally {
    await server.close();
  }
});
