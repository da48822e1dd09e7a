// Who accepts new connections in a cluster, and how many per event-loop iteration.
//
// Node's default on Linux is round-robin: the primary accepts and passes each connection to a
// worker, one at a time per worker, each waiting for the worker's acknowledgement, which a busy
// worker sends once per event-loop iteration. In a burst that is the bottleneck: two workers,
// bench:load's full mix, 1,000 connections opened at once (bench/load/ab.ts, 2026-12-02
// 15:42–15:44 UTC, three alternating pairs): round-robin 201–348 wrk timeouts, the slowest reply
// 2.4–2.6 s, visitors arriving 1 s in first served after 1.9 s; the workers accepting
// themselves none, slowest 1.1–1.2 s, visitors after 0.9–1.2 s. So by default
// (CHINOOK_CLUSTER_ACCEPT=workers) serve.ts sets SCHED_NONE: each worker polls the shared
// listening socket and the kernel gives a connection to whichever calls accept() first. An idle
// worker wins more often than a busy one, so new connections go where there is room (nginx's
// default with `accept_mutex off` behaves the same); at rest successive connections may all go to
// one worker.
//
// libuv accepts one connection per descriptor per loop iteration since 1.45 (libuv PR #3696,
// "unix: don't accept() connections in a loop"; Node 20.20 ships 1.46). Before request turns
// (src/http/request-turns.ts) kept iterations short, that limited a worker to ~10 accepts a
// second, so a worker could poll N descriptors of the socket: it sends its listening handle to
// the primary, which sends it back N − 1 times (each IPC send passes a new descriptor,
// SCM_RIGHTS), and listens on each copy. With turns, 1, 4 and 32 descriptors all served the
// 1,000-connection burst without a timeout (2026-12-02 15:35–15:36 UTC), and more descriptors
// skew a burst at rest: 100 connections opened at once split 40/60 at worst in four tries with
// 1 descriptor, 24/76 with 4 and 90/10 with 32. So CHINOOK_ACCEPT_DESCRIPTORS defaults to 1 (no
// copies). A single server (no cluster) always polls one.
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import net from 'node:net';

interface CopiesRequest {
  chinook: 'accept-copies';
  copies: number;
}
const isCopiesRequest = (m: unknown): m is CopiesRequest =>
  typeof m === 'object' && m !== null && (m as { chinook?: unknown }).chinook === 'accept-copies' && Number.isInteger((m as { copies?: unknown }).copies);

/** A libuv handle as IPC passes it: an object with a close method. */
interface Handle {
  fd?: number;
  close(): void;
}

/** In the cluster primary: sends a worker's listening handle back to it as many times as it asks. */
export function serveAcceptCopies(c: typeof cluster): void {
  c.on('message', (worker, message: unknown, handle: unknown) => {
    if (!isCopiesRequest(message) || !handle) return;
    const copies = Math.max(0, Math.min(message.copies, 256));
    let left = copies;
    const done = () => {
      if (--left <= 0) (handle as Handle).close();
    };
    if (copies === 0) return (handle as Handle).close();
    for (let i = 0; i < copies; i++) worker.send({ chinook: 'accept-copy' }, handle as net.Server, done);
  });
}

/**
 * In a cluster worker whose `server` listens: asks the primary for `copies` more descriptors
 * of its socket and accepts on each.
 * Resolves once all listen, with how many descriptors the process accepts on and a function
 * that stops the copies; with 0 and nothing to stop outside a cluster worker or when the worker
 * does not hold the socket itself (round-robin).
 */
export async function acceptOnCopies(
  server: Server,
  copies: number,
  backlog: number,
  onError: (err: Error) => void,
): Promise<{ descriptors: number; stop: () => Promise<void> }> {
  const own = (server as unknown as { _handle?: Handle })._handle;
  const extra: net.Server[] = [];
  const stop = async () => {
    await Promise.all(extra.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  if (!cluster.isWorker || !process.send || typeof own?.fd !== 'number' || own.fd < 0) return { descriptors: 0, stop };
  if (copies <= 0) return { descriptors: 1, stop };
  const send = process.send.bind(process);
  await new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve();
    };
    // A primary that never answers (an older version during a rolling restart) leaves one descriptor.
    const timer = setTimeout(() => {
      onError(new Error(`got ${extra.length} of ${copies} listening descriptors in 5 s`));
      finish();
    }, 5000);
    const onMessage = (message: unknown, handle: unknown) => {
      if ((message as { chinook?: unknown } | null)?.chinook !== 'accept-copy' || !handle) return;
      // The options http.Server gives its own net.Server (Node 20): half-open allowed, Nagle off.
      const copy = net.createServer({ allowHalfOpen: true, noDelay: true });
      // Each accepted connection goes to the HTTP server as if it had accepted it.
      copy.on('connection', (socket) => server.emit('connection', socket));
      // An accept error (EMFILE) must not end the process: the other descriptors go on.
      copy.on('error', onError);
      copy.listen(handle as net.Server, backlog, () => {
        extra.push(copy);
        if (extra.length === copies) finish();
      });
    };
    process.on('message', onMessage);
    send({ chinook: 'accept-copies', copies } satisfies CopiesRequest, own as unknown as net.Server);
  });
  return { descriptors: extra.length + 1, stop };
}
