// Storage faults: a full disk, a read-only file or mount, an I/O error, a file that cannot be
// opened or is corrupt. They are the operator's problem, not the client's and not a bug, so
// they answer 503 with Retry-After (src/http/errors.ts) instead of a 500 with a stack, and are
// logged as ONE line when they start, at most one summary line per `logEveryMs` while they
// last, and one line when a write commits again (a full disk once gave 79,000 stack traces in
// 25 s). Readiness (/health/ready) reports the state; the write queue clears it on its next
// COMMIT, so the service comes back by itself when space returns.

export type StorageFaultKind = 'disk_full' | 'read_only' | 'io_error' | 'cannot_open' | 'corrupt' | 'busy';

/** SQLite result codes (better-sqlite3 gives the extended ones, e.g. SQLITE_IOERR_WRITE) by kind. */
const kinds: [prefix: string, kind: StorageFaultKind][] = [
  ['SQLITE_FULL', 'disk_full'],
  ['SQLITE_READONLY', 'read_only'],
  ['SQLITE_IOERR', 'io_error'],
  ['SQLITE_CANTOPEN', 'cannot_open'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
];

const explanations: Record<StorageFaultKind, string> = {
  disk_full: 'the disk holding the database is full',
  read_only: 'the database file or its folder is read-only',
  io_error: 'the disk reported an I/O error',
  cannot_open: 'the database file cannot be opened',
  corrupt: 'the database file is damaged',
  busy: 'another process held the database lock for longer than the busy timeout',
};

export interface StorageFault {
  kind: StorageFaultKind;
  code: string;
}

export function classifyStorageError(err: unknown): StorageFault | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const hit = kinds.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
  return hit ? { kind: hit[1], code } : null;
}

/** What a client is told (no paths, no SQL). */
export const faultMessage = (f: StorageFault) =>
  f.kind === 'busy'
    ? 'The database is busy; try again in a moment.'
    : `The store cannot use its database right now (${explanations[f.kind]}); try again later.`;

export interface StorageLogger {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface StorageState {
  status: 'ok' | 'degraded';
  /** The fault that made it degraded (the first of the current run), and the latest. */
  since?: string;
  fault?: StorageFault & { message: string; at: string };
  /** Faults since the process started. */
  faults: number;
}

export class StorageHealth {
  private logger: StorageLogger = {
    error: (obj, msg) => console.error(msg, obj),
    info: (obj, msg) => console.error(msg, obj),
  };
  private readonly seen = new WeakSet<object>();
  /** The current run of faults: from its first fault until a commit at least settleMs after its last. */
  private current: { since: number; last: StorageFault & { message: string; at: number } } | null = null;
  private lastOkAt = Number.NEGATIVE_INFINITY;
  private total = 0;
  // Logging: one line at once, then at most one line per logEveryMs summing up what happened
  // meanwhile (a nearly full disk lets small writes through and fails larger ones, so commits
  // and faults interleave many times a second; each must not be a line).
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private suppressed = { faults: 0, codes: new Map<string, number>() };
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dbPath: string,
    private readonly options: { logEveryMs?: number; settleMs?: number; now?: () => number } = {},
  ) {}

  /** Fastify's logger once the app exists (until then, stderr). */
  setLogger(logger: StorageLogger): void {
    this.logger = logger;
  }

  /**
   * Records a storage error; returns its classification, or null if it is not one. The same
   * error object (a failed batch rejects every caller with it) counts once. Busy timeouts are
   * classified but do not degrade the state: the lock holder is alive and working.
   */
  fault(err: unknown): StorageFault | null {
    const fault = classifyStorageError(err);
    if (!fault || fault.kind === 'busy') return fault;
    if (typeof err === 'object' && err !== null) {
      if (this.seen.has(err)) return fault;
      this.seen.add(err);
    }
    const now = this.now();
    const message = err instanceof Error ? err.message : String(err);
    this.total++;
    this.current = { since: this.current?.since ?? now, last: { ...fault, message, at: now } };
    if (this.mayLog(now)) {
      this.logger.error(
        { code: fault.code, kind: fault.kind, database: this.dbPath },
        `storage fault: ${fault.code} (${message}) on ${this.dbPath}: ${explanations[fault.kind]}; requests that need it answer 503 until writes commit again`,
      );
    } else {
      this.suppressed.faults++;
      this.suppressed.codes.set(fault.code, (this.suppressed.codes.get(fault.code) ?? 0) + 1);
      this.scheduleSummary();
    }
    return fault;
  }

  /** A write committed. The run of faults ends once commits go on for settleMs without a fault. */
  ok(): void {
    const now = this.now();
    this.lastOkAt = now;
    if (!this.current || now - this.current.last.at < this.settleMs) return;
    const since = this.current.since;
    this.current = null;
    if (this.mayLog(now)) {
      this.logger.info({ database: this.dbPath, seconds: Math.round((now - since) / 1000) }, `storage recovered: writes commit again on ${this.dbPath}`);
    } else this.scheduleSummary();
  }

  state(): StorageState {
    if (!this.degraded || !this.current) return { status: 'ok', faults: this.total };
    const { last } = this.current;
    return {
      status: 'degraded',
      since: new Date(this.current.since).toISOString(),
      fault: { kind: last.kind, code: last.code, message: last.message, at: new Date(last.at).toISOString() },
      faults: this.total,
    };
  }

  /** A fault in the last settleMs, or no commit since the last fault. */
  get degraded(): boolean {
    if (!this.current) return false;
    return this.lastOkAt < this.current.last.at || this.now() - this.current.last.at < this.settleMs;
  }

  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private mayLog(now: number): boolean {
    if (now - this.lastLineAt < this.logEveryMs) return false;
    this.lastLineAt = now;
    return true;
  }

  private get logEveryMs(): number {
    return this.options.logEveryMs ?? 30_000;
  }

  private get settleMs(): number {
    return this.options.settleMs ?? 5_000;
  }

  private scheduleSummary(): void {
    if (this.flushTimer) return;
    const wait = Math.max(0, this.lastLineAt + this.logEveryMs - this.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const { faults, codes } = this.suppressed;
      this.suppressed = { faults: 0, codes: new Map() };
      this.lastLineAt = this.now();
      const list = [...codes].map(([code, n]) => `${code} ×${n}`).join(', ');
      const status = this.degraded ? 'degraded' : 'ok';
      const line = `storage: ${faults} more fault(s)${list ? ` (${list})` : ''} in the last ${Math.round(this.logEveryMs / 1000)} s; now ${status}`;
      const fields = { database: this.dbPath, faults, status };
      if (status === 'degraded') this.logger.error(fields, line);
      else this.logger.info(fields, line);
    }, wait);
    this.flushTimer.unref();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
