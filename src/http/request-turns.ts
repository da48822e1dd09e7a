// Requests take turns with the event loop while connections arrive, so a busy server takes
// them in quickly.
//
// Node 20's libuv accepts one connection per event-loop iteration (cluster-accept.ts), and in
// a cluster the primary hands a worker its next connection only after the worker has
// acknowledged the last one, which it does once per iteration too. A worker serving its
// connections ran every request that had arrived in one iteration before the next, so the
// iterations grew with the connections it held (~125 ms at 500) and a burst got in at a few
// dozen connections a second. bench:load's 1,000-connection run with two workers: after 11 s
// the primary still held 613 connections no worker had taken, and a visitor arriving 1 s into
// the burst waited 11.8–12.0 s for a first reply (wrk counted 135–287 "timeouts": it does not
// count a connection that never gets a reply at all, so it understated this).
//
// While connections arrive (one within ARRIVAL_WINDOW_MS), each request waits in a FIFO
// queue and runs in a turn of its own: `budgetMs` of requests per iteration, the loop polling
// (accepting, reading, taking the primary's next connection) between turns. The same burst then
// had every connection in a worker within ~2.5 s, and the visitor's first reply came after
// 1.4 s (bench:ab, 22:57 UTC; 0.5 s in bench:load at 23:00 on a faster minute).
//
// Short turns cost: a request waiting for its turn survives young-generation GCs, and with npm
// start's 2 MiB semi-space the store mix at 100 connections lost 30 % of its req/s when turns
// were always on (minor GC 0.56 → 1.55 s in 12 s). So when no connection is arriving (keep-alive clients, the
// steady state) requests run as they are read, as before, once the queue has drained in turns
// of up to DRAIN_TURN_MS.
//
// Nothing is shed here: under-pressure (overload.ts) answers 503 while the loop lags. A version
// that also shed requests waiting over 1 s in this queue answered 8,534 of 30,326 requests of
// one 1,000-connection run with 503 (with unbounded drain turns too, so the two causes were not
// told apart); a client that asks again at once makes a 503 free no room.
import http, { type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';

/** The options Fastify hands its server factory, after its defaults (keepAliveTimeout 72 s …). */
interface FactoryOptions {
  http?: ServerOptions;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Waiting {
  req: IncomingMessage;
  res: ServerResponse;
  at: number;
  /** The turn it arrived in. */
  turn: number;
}

/** Runners per turn at most: a turn of cheap requests (a cached track page is ~60 µs of CPU) needs a few. */
const MAX_PER_TURN = 64;
/**
 * Short turns for this long after a connection is accepted. During a burst the worker takes one
 * every few ms; keep-alive clients open none.
 */
const ARRIVAL_WINDOW_MS = 100;
/**
 * A turn's length when no connection is arriving. The steady state at 100 connections needs
 * ~8 ms a turn and drains the queue in one; 1,000 connections need ~0.5 s, and unbounded
 * turns that long made under-pressure shed 9,922 of 25,793 requests of a run (its threshold
 * is 1 s of mean loop delay).
 */
const DRAIN_TURN_MS = 50;
/** Run slots at the queue's head before they are cut off (one splice per 4,096 requests at most). */
const COMPACT_AFTER = 4096;

export interface TurnStats {
  /** Requests that waited for a later turn, since start. */
  deferred: number;
  /** Their total wait, ms. */
  waitedMs: number;
  /** Requests waiting now. */
  waiting: number;
  /** Requests dropped from the queue because their client had gone. */
  abandoned: number;
  /** Slots the queue's array holds, run ones included until it is compacted. */
  slots: number;
}

export class RequestTurns {
  private readonly queue: (Waiting | undefined)[] = [];
  private head = 0;
  /** When the current turn's first request started (ms), or -1 between turns. */
  private turnStart = -1;
  /** Turns ended so far: a request that runs in a later turn than it arrived in waited for one. */
  private turn = 0;
  /** Runners scheduled with setImmediate and not yet run. */
  private runners = 0;
  /** Runners to have in a turn: learnt from the last turn. */
  private perTurn = 1;
  private ranThisTurn = 0;
  private overBudget = false;
  private lastConnection = Number.NEGATIVE_INFINITY;
  private readonly counts = { deferred: 0, waitedMs: 0, abandoned: 0 };
  private handler: Handler = () => {};
  private readonly run = () => this.runOne();
  private readonly arrivalWindowMs: number;
  private readonly now = () => performance.now();

  /** `budgetMs` of request work per event-loop iteration while connections arrive; 0 runs every request as it is read (no queue). */
  constructor(
    private readonly budgetMs: number,
    options: { arrivalWindowMs?: number } = {},
  ) {
    this.arrivalWindowMs = options.arrivalWindowMs ?? ARRIVAL_WINDOW_MS;
  }

  /** The server accepted a connection: short turns for the next ARRIVAL_WINDOW_MS. */
  connectionArrived(): void {
    this.lastConnection = this.now();
  }

  private arriving(now: number): boolean {
    return now - this.lastConnection < this.arrivalWindowMs;
  }

  /** The HTTP server's request listener: runs the request now, or queues it for a turn. */
  wrap(handler: Handler): Handler {
    if (this.budgetMs <= 0) return handler;
    this.handler = handler;
    return (req, res) => {
      const now = this.now();
      if (this.head >= this.queue.length && !this.arriving(now)) return handler(req, res);
      this.queue.push({ req, res, at: now, turn: this.turn });
      // Draining (no connection arriving), every queued request gets a runner in this iteration.
      if (this.runners < this.perTurn || !this.arriving(now)) this.schedule(1);
    };
  }

  // Each queued request runs in a setImmediate callback of its own, because Node runs the
  // microtasks between two such callbacks: a Fastify request is mostly promise continuations
  // (async hooks, the async handler, the reply), so a loop calling the handler several times in
  // one callback timed only their first synchronous steps (~40 µs) and ran the rest after it,
  // unbudgeted. An immediate scheduled from the check phase runs in the next iteration, so the
  // last runner of a turn schedules the next turn's runners.
  private schedule(n: number): void {
    this.runners += n;
    for (let i = 0; i < n; i++) setImmediate(this.run);
  }

  private runOne(): void {
    this.runners--;
    const now = this.now();
    if (this.turnStart < 0) this.turnStart = now;
    // Once connections stop arriving, the queue drains in long turns.
    if (now - this.turnStart < (this.arriving(now) ? this.budgetMs : DRAIN_TURN_MS)) {
      if (this.runHead(now)) this.ranThisTurn++;
    } else this.overBudget = true;
    if (this.runners > 0) return;
    // The last runner of this turn. Next turn: as many runners as this one ran requests when
    // it used the budget up, twice as many when it ran out of runners first (a runner past the
    // budget costs an immediate for nothing).
    this.perTurn = this.overBudget ? Math.max(1, this.ranThisTurn) : Math.min(MAX_PER_TURN, this.perTurn * 2);
    this.turnStart = -1;
    this.turn++;
    this.ranThisTurn = 0;
    this.overBudget = false;
    const waiting = this.queue.length - this.head;
    if (waiting > 0) this.schedule(this.arriving(now) ? Math.min(waiting, this.perTurn) : waiting);
    else {
      this.queue.length = 0;
      this.head = 0;
    }
    // A queue that never empties (sustained overload) would keep every slot it ever used.
    if (this.head > COMPACT_AFTER && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Runs the oldest request whose client is still there; false when there was none. */
  private runHead(now: number): boolean {
    while (this.head < this.queue.length) {
      const next = this.queue[this.head] as Waiting;
      this.queue[this.head++] = undefined;
      if (next.req.socket.destroyed) {
        this.counts.abandoned++;
        continue;
      }
      if (next.turn !== this.turn) {
        this.counts.deferred++;
        this.counts.waitedMs += now - next.at;
      }
      this.handler(next.req, next.res);
      return true;
    }
    return false;
  }

  stats(): TurnStats {
    return { ...this.counts, waiting: this.queue.length - this.head, slots: this.queue.length };
  }

  /**
   * Fastify's `serverFactory`: the HTTP/1 server Fastify would make (its timeouts included),
   * with the request listener going through the queue.
   */
  serverFactory() {
    return (handler: Handler, options: FactoryOptions): Server => {
      const server = http.createServer(options.http ?? {}, this.wrap(handler));
      server.on('connection', () => this.connectionArrived());
      if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
      if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
      if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
      if ((options.maxRequestsPerSocket ?? 0) > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket ?? null;
      return server;
    };
  }
}
