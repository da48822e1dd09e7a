// Replies leave in bursts: a reply that is ready waits until `size` replies are, or until the
// event-loop iteration that made it ends (a setImmediate), and then they are written back to
// back. Nothing else changes: each reply is whole, its headers and body as before, and a write
// has committed before its reply is made, so holding the reply back loses nothing.
//
// Why: a write to a socket whose reader sleeps wakes the reader, and on this VM that wake-up is
// the costliest part of a reply's system call (the kernel's `sock_def_readable` was 10.6 % of a
// pinned server's samples on cached track pages, `perf record`). A reader that is woken once
// for a burst (a local reverse proxy, or wrk in bench:load) is woken once instead of once per
// reply, and the next requests come back as a burst too. Measured with `npm start`, one worker
// pinned, wrk on the other core, 100 connections, alternating fresh servers (bench:ab,
// 2026-12-02): a cached track page 63–65 → 51–52 µs of CPU a request with bursts of 16 (4: 53–59,
// 32: 52–53), /health 43–76 → 38–62, the store mix 100–132 → 73–74; sock_def_readable fell to
// 6.4 % of the samples. Without a bound (every reply waits for the end of the iteration) it was
// slower than none: up to 100 replies' objects then survive a scavenge of npm start's 2 MiB young
// generation. A reply waits at most for `size - 1` others, or for the rest of its iteration.
import type { FastifyInstance } from 'fastify';

type Done = (err: Error | null, payload?: unknown) => void;

export interface BurstStats {
  /** Bursts written since start. */
  bursts: number;
  /** Replies written in them. */
  replies: number;
}

export class ReplyBursts {
  private dones: Done[] = [];
  private payloads: unknown[] = [];
  private scheduled = false;
  private readonly counts: BurstStats = { bursts: 0, replies: 0 };

  /** `size`: replies per burst at most; 1 writes every reply at once. */
  constructor(readonly size: number) {}

  /** Holds a reply (Fastify's onSend `done` and its payload) for the burst. */
  hold(payload: unknown, done: Done): void {
    this.dones.push(done);
    this.payloads.push(payload);
    if (this.dones.length >= this.size) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushScheduled);
    }
  }

  private readonly flushScheduled = () => {
    this.scheduled = false;
    this.flush();
  };

  /** Writes every reply held, in the order they were made. */
  flush(): void {
    const dones = this.dones;
    const payloads = this.payloads;
    if (dones.length === 0) return;
    this.dones = [];
    this.payloads = [];
    this.counts.bursts++;
    this.counts.replies += dones.length;
    for (let i = 0; i < dones.length; i++) {
      const done = dones[i] as Done;
      // What writing a reply throws (a header Node refuses) goes to Fastify's error handling, as it
      // would have had the hook called `done` at once; the rest of the burst is still written.
      try {
        done(null, payloads[i]);
      } catch (err) {
        done(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  stats(): BurstStats {
    return { ...this.counts };
  }
}

/** Registers the burst on every route (an onSend hook, the last thing before a reply is written); none when `size` is 1. */
export function registerReplyBursts(app: FastifyInstance, size: number): ReplyBursts {
  const bursts = new ReplyBursts(size);
  if (size > 1) app.addHook('onSend', (_request, _reply, payload, done) => bursts.hold(payload, done));
  return bursts;
}
