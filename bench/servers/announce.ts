// How a bench server talks to its parent: one JSON line on stdout once listening, and
// exit as soon as the parent's end of stdin closes, so a crashed or killed bench
// run never leaves a server behind.
import type { FastifyInstance } from 'fastify';

export function announce(app: FastifyInstance, extra: Record<string, unknown>, onExit: () => void = () => {}): void {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stop = () => {
    onExit();
    process.exit(0);
  };
  process.stdin.on('end', stop).on('close', stop).resume();
  process.once('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ port, ...extra })}\n`);
}
