// Many accepts per event-loop iteration in a cluster worker (opt-in).
//
// libuv accepts one connection per loop iteration since 1.45 (libuv PR #3696, "unix: don't
// accept() connections in a loop"; Node 20.20 ships 1.46). A server busy with hundreds of
// connections runs iterations of ~100 ms, so a burst of new ones waits in the kernel's queue
// at ~10 accepts a second. At 1,000 connections (bench:load) the listening socket's Recv-Q
// stood at ~650, strace showed one accept4() every ~126 ms, and wrk counted 136–218 timeouts
// with first replies up to ~10 s; a plain node:http server with a 30 µs handler had 251.
//
// libuv watches each descriptor on its own, so a process holding N descriptors of the
// listening socket accepts up to N connections per iteration. A cluster worker sends its
// listening handle to the primary, which sends it back N − 1 times (each IPC send passes a new
// descriptor, SCM_RIGHTS) and closes its copy; the worker listens on each copy and hands the
// connections to its HTTP server. Measured on a plain node:http cluster of two workers with a
// 270 µs handler at 1,000 connections (2026-11-30): 1 descriptor 117 timeouts, first replies
// up to 8.0 s; 32 descriptors none, up to 1.35 s.
//
// A worker holds the socket only under NODE_CLUSTER_SCHED_POLICY=none: with Node's default
// round-robin the primary accepts and passes connections one at a time, each waiting for the
// worker's acknowledgement, and the worker has nothing to copy. Neither is the default, and a
// single server does not do it: accepting fast moves the wait from the kernel's queue into the
// event loop, which serves an overloaded burst less evenly (docs/operations.md#connection-bursts).
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import net from 'node:net';

/** Descriptors of the listening socket per serving process: 32 emptied a 1,000-connection burst without a timeout. */
export const ACCEPT_DESCRIPTORS = 32;

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
  if (!cluster.isWorker || !process.send || copies <= 0 || typeof own?.fd !== 'number' || own.fd < 0) return { descriptors: 0, stop };
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
