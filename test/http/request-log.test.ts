import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import { lazyChildLogger, loggerOptions } from '../../src/http/request-log.ts';
import { importedDb } from '../helpers.ts';

/** A stream for pino that keeps each JSON line it is given, parsed. */
function logCapture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, stream };
}

describe('request log: errors, slow and sampled requests only', () => {
  const { lines, stream } = logCapture();
  let url = '';
  let close: () => Promise<void>;
  before(async () => {
    const { config, db } = importedDb({ logSlowMs: 40, logSampleEvery: 5 });
    const ctx = createContext(config, db);
    const app = await buildApp(ctx, { logger: { level: 'info', stream } });
    app.get('/test/boom', async () => {
      throw new Error('kaboom');
    });
    app.get('/test/slow', async () => {
      await new Promise((r) => setTimeout(r, 60));
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    close = async () => {
      await app.close();
      await ctx.shutdown();
    };
  });
  after(() => close());

  const requestLines = () => lines.filter((l) => (l.res as { statusCode?: number } | undefined)?.statusCode !== undefined);

  it('logs nothing for ordinary requests below the sampling rate', async () => {
    lines.length = 0;
    for (let i = 0; i < 4; i++) assert.equal((await fetch(`${url}/api/tracks/1`)).status, 200);
    assert.deepEqual(requestLines(), []);
  });

  it('logs one request in N at info, with its request id', async () => {
    lines.length = 0;
    for (let i = 0; i < 10; i++) await fetch(`${url}/api/genres`);
    const sampled = requestLines();
    assert.equal(sampled.length, 2);
    for (const l of sampled) {
      assert.equal(l.level, 30);
      assert.match(String(l.reqId), /^req-/);
      assert.equal((l.req as { url: string }).url, '/api/genres');
    }
  });

  it("keeps a client's plain x-request-id, replaces any other, and echoes the id on every reply", async () => {
    lines.length = 0;
    const given = await fetch(`${url}/test/boom`, { headers: { 'x-request-id': 'lb-7f3a.2' } });
    assert.equal(given.headers.get('x-request-id'), 'lb-7f3a.2');
    assert.equal(requestLines().find((l) => l.msg === 'request failed')?.reqId, 'lb-7f3a.2', 'the log line carries the same id');
    for (const bad of ['x'.repeat(65), 'a b', '<script>']) {
      const res = await fetch(`${url}/api/genres`, { headers: { 'x-request-id': bad } });
      assert.match(String(res.headers.get('x-request-id')), /^req-[0-9a-z]+$/, JSON.stringify(bad));
    }
    assert.match(String((await fetch(`${url}/api/genres`)).headers.get('x-request-id')), /^req-[0-9a-z]+$/);
  });

  it('logs every 5xx at error and every slow request at warn', async () => {
    lines.length = 0;
    assert.equal((await fetch(`${url}/test/boom`)).status, 500);
    assert.equal((await fetch(`${url}/test/slow`)).status, 200);
    const failed = requestLines().find((l) => l.msg === 'request failed');
    assert.equal(failed?.level, 50);
    assert.equal((failed?.res as { statusCode: number } | undefined)?.statusCode, 500);
    // The handler's own error line carries the same request id as the request line.
    const unhandled = lines.find((l) => l.msg === 'unhandled error');
    assert.equal(unhandled?.reqId, failed?.reqId);
    const slow = requestLines().find((l) => l.msg === 'slow request');
    assert.equal(slow?.level, 40);
    assert.ok(Number(slow?.responseTime) >= 40);
  });

  it('pretty in a terminal, JSON otherwise, unless told', () => {
    const base = { logLevel: 'info' } as const;
    assert.equal((loggerOptions({ ...base, logFormat: 'auto' }, false) as { stream?: unknown }).stream, undefined);
    assert.ok((loggerOptions({ ...base, logFormat: 'auto' }, true) as { stream?: unknown }).stream);
    assert.ok((loggerOptions({ ...base, logFormat: 'pretty' }, false) as { stream?: unknown }).stream);
    assert.equal((loggerOptions({ ...base, logFormat: 'json' }, true) as { stream?: unknown }).stream, undefined);
  });
});

describe('the request logger is made on its first line', () => {
  it('calls pino child() only when the request logs, once, with the request id and the route level', () => {
    const { lines, stream } = logCapture();
    // Fastify's own pino, as the server has it.
    const parent = Fastify({ logger: { level: 'info', stream } }).log;
    let children = 0;
    const child = parent.child.bind(parent);
    parent.child = ((bindings: Record<string, unknown>, options?: Record<string, unknown>) => {
      children++;
      return child(bindings, options);
    }) as FastifyBaseLogger['child'];

    const quiet = lazyChildLogger(parent, { reqId: 'req-a' }, {});
    assert.equal(children, 0, 'a request that logs nothing makes no child');
    assert.equal(typeof quiet.info, 'function');

    const loud = lazyChildLogger(parent, { reqId: 'req-b' }, { level: 'warn' });
    loud.info('not at this route level');
    loud.warn({ n: 1 }, 'first');
    loud.error('second');
    assert.equal(children, 1, 'one child for the request, however many lines');
    assert.equal(loud.level, 'warn');
    assert.deepEqual(
      lines.map((l) => [l.reqId, l.msg, l.n]),
      [
        ['req-b', 'first', 1],
        ['req-b', 'second', undefined],
      ],
    );
  });
});
