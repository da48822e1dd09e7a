// One validated source of settings: defaults (the seed's 100-user numbers) <
// environment variables < explicit overrides (CLI flags). Anything invalid stops
// the process at start with a message that names the setting and where it came from.
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type Kind = 'int' | 'string' | 'bool' | 'enum';

interface SettingSpec {
  env: string;
  kind: Kind;
  default: string | number | boolean | undefined;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** For strings: why the value is wrong, or null. */
  check?: (value: string) => string | null;
  doc: string;
}

const specs = {
  dbPath: { env: 'CHINOOK_DB', kind: 'string', default: 'data/chinook.sqlite', doc: 'primary SQLite file (relative paths are from the project root)' },
  source: { env: 'CHINOOK_SOURCE', kind: 'string', default: undefined, doc: 'Chinook_Sqlite.sqlite to import from' },
  host: { env: 'HOST', kind: 'string', default: 'localhost', doc: 'address the HTTP server listens on' },
  port: { env: 'PORT', kind: 'int', default: 3000, min: 0, max: 65535, doc: 'HTTP port (0 picks a free one)' },
  logLevel: {
    env: 'LOG_LEVEL',
    kind: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    doc: 'server log level',
  },
  logFormat: {
    env: 'CHINOOK_LOG_FORMAT',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'json', 'pretty'],
    doc: 'log lines as JSON, or pretty (pino-pretty, for people); auto = pretty when stdout is a terminal',
  },
  logSlowMs: {
    env: 'CHINOOK_LOG_SLOW_MS',
    kind: 'int',
    default: 1000,
    min: 0,
    max: 3600000,
    doc: 'a request slower than this (ms) is logged at warn (0 = never); errors (5xx) always are',
  },
  logSampleEvery: {
    env: 'CHINOOK_LOG_SAMPLE_EVERY',
    kind: 'int',
    default: 0,
    min: 0,
    max: 1000000000,
    doc: 'also log one request in N at info (1 = every request, 0 = none)',
  },
  workers: { env: 'CHINOOK_WORKERS', kind: 'int', default: 1, min: 1, max: 64, doc: 'HTTP worker processes (node:cluster)' },
  // Who takes new connections in a cluster (src/cli/cluster-accept.ts). With Node's round-robin
  // the primary passes them one at a time per worker, each waiting for the worker's ack: two
  // workers, full mix, 1,000 connections (bench/load/ab.ts, 2026-12-02 15:42–15:44 UTC, 3 pairs)
  // had 201–348 wrk timeouts that way and none with the workers accepting themselves.
  clusterAccept: {
    env: 'CHINOOK_CLUSTER_ACCEPT',
    kind: 'enum',
    default: 'workers',
    values: ['workers', 'primary'],
    doc: "who accepts new connections with CHINOOK_WORKERS > 1: each worker from the shared socket (fast in a burst), or the primary, handing them round-robin (Node's default: even counts, slow in a burst); overrides NODE_CLUSTER_SCHED_POLICY",
  },
  // Measured with two workers at 1,000 connections: 1, 4 and 32 descriptors all 0 timeouts; at
  // rest, 100 connections opened at once split 40/60 at worst with 1, 24/76 with 4, 90/10 with 32.
  acceptDescriptors: {
    env: 'CHINOOK_ACCEPT_DESCRIPTORS',
    kind: 'int',
    default: 1,
    min: 1,
    max: 256,
    doc: 'when workers accept: descriptors of the listening socket each one polls (libuv accepts one connection per descriptor per event-loop turn)',
  },
  // Load shedding (src/http/overload.ts). At 500 ms, 100 connections of store traffic tripped
  // it on this shared 2-core host when other jobs took the server's core (bench:memory, 453–927
  // 503s a run); 1 s of mean delay is a backlog no client should sit in.
  overloadDelayMs: {
    env: 'CHINOOK_OVERLOAD_DELAY_MS',
    kind: 'int',
    default: 1000,
    min: 0,
    max: 600000,
    doc: 'answer 503 + Retry-After while the mean event-loop delay is over this (ms; 0 = never shed load)',
  },
  // Request turns (src/http/request-turns.ts). On a plain two-worker node:http cluster with a
  // 270 µs handler at 1,000 connections, 0.25 ms turns gave a slowest first reply of 0.96 s,
  // 1–2 ms turns 1.4–1.9 s, 5 ms turns 449–455 wrk timeouts.
  turnBudgetUs: {
    env: 'CHINOOK_TURN_BUDGET_US',
    kind: 'int',
    default: 250,
    min: 0,
    max: 1000000,
    doc: 'while connections arrive, request work per event-loop turn before the rest wait for the next (µs; 0 = run every request as it is read)',
  },
  overloadRetryAfterSeconds: {
    env: 'CHINOOK_OVERLOAD_RETRY_AFTER',
    kind: 'int',
    default: 2,
    min: 1,
    max: 3600,
    doc: 'Retry-After (s) on a 503 for overload',
  },
  // Primary database pragmas: the seed's "enhanced configuration for 100 users" (§3.1).
  pageSize: { env: 'CHINOOK_PAGE_SIZE', kind: 'int', default: 32768, min: 512, max: 65536, doc: 'page_size, applied before the first table' },
  cacheSizeKiB: { env: 'CHINOOK_CACHE_SIZE_KIB', kind: 'int', default: 131072, min: 1024, max: 16777216, doc: 'page cache per connection (cache_size = -N)' },
  mmapSize: { env: 'CHINOOK_MMAP_SIZE', kind: 'int', default: 536870912, min: 0, max: 2 ** 40, doc: 'mmap_size in bytes' },
  busyTimeoutMs: { env: 'CHINOOK_BUSY_TIMEOUT_MS', kind: 'int', default: 10000, min: 0, max: 600000, doc: 'busy_timeout in ms' },
  walAutocheckpoint: { env: 'CHINOOK_WAL_AUTOCHECKPOINT', kind: 'int', default: 2000, min: 0, max: 1000000, doc: 'wal_autocheckpoint in pages' },
  walLimitMiB: {
    env: 'CHINOOK_WAL_LIMIT_MIB',
    kind: 'int',
    default: 64,
    min: 1,
    max: 65536,
    doc: 'WAL size past which the checkpointer makes it start over (journal_size_limit); see docs/operations.md for the bound',
  },
  startCheck: {
    env: 'CHINOOK_START_CHECK',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'quick', 'full', 'off'],
    doc: 'integrity check before serving: auto = quick_check on files up to 64 MiB (~1.5 s), quick, full (integrity_check), off',
  },
  backupDir: { env: 'CHINOOK_BACKUP_DIR', kind: 'string', default: undefined, doc: 'folder for periodic backups (with CHINOOK_BACKUP_EVERY_MINUTES)' },
  backupEveryMinutes: {
    env: 'CHINOOK_BACKUP_EVERY_MINUTES',
    kind: 'int',
    default: 0,
    min: 0,
    max: 525600,
    doc: 'minutes between periodic backups while serving (0 = none)',
  },
  backupKeep: { env: 'CHINOOK_BACKUP_KEEP', kind: 'int', default: 7, min: 1, max: 100000, doc: 'periodic backups kept (older ones are deleted)' },
  autoImport: { env: 'CHINOOK_AUTO_IMPORT', kind: 'bool', default: true, doc: 'import Chinook on start when the database is empty' },
  adminToken: { env: 'CHINOOK_ADMIN_TOKEN', kind: 'string', default: undefined, doc: 'bearer token for /api/admin routes (besides admin accounts)' },
  // The in-memory cache database (issue 3); TTL defaults are the seed's (§6.2), in seconds.
  cache: {
    env: 'CHINOOK_CACHE',
    kind: 'bool',
    default: true,
    doc: 'in-memory cache database for catalog and report reads (off = every read hits the primary)',
  },
  cacheMaxBytes: {
    env: 'CHINOOK_CACHE_MAX_BYTES',
    kind: 'int',
    default: 64 * 1024 * 1024,
    min: 65536,
    max: 2 ** 40,
    doc: 'memory the cache may add to the process (RSS); least-recently-used entries are evicted past it',
  },
  cacheHeldMaxChars: {
    env: 'CHINOOK_CACHE_HELD_MAX_CHARS',
    kind: 'int',
    default: 4096,
    min: 0,
    max: 1024 * 1024,
    doc: 'entries up to this many characters keep their body in the process beside their cache row, so a hit skips the cache database read (13 % less CPU a cached track page, the same peak RSS: docs/benchmarks-http.md, "Held entries"); 0 keeps every body in its row',
  },
  cacheMemoryFactor: {
    env: 'CHINOOK_CACHE_MEMORY_FACTOR',
    kind: 'int',
    default: 4,
    min: 1,
    max: 100,
    doc: 'RSS bytes per payload byte (measured 2.7–3.1 by bench/cache-memory.ts); payload budget = max bytes / this',
  },
  cacheMaxEntryBytes: {
    env: 'CHINOOK_CACHE_MAX_ENTRY_BYTES',
    kind: 'int',
    default: 1024 * 1024,
    min: 256,
    max: 2 ** 40,
    doc: 'largest single cache entry; bigger ones are refused and logged',
  },
  cacheTtlSessions: { env: 'CHINOOK_CACHE_TTL_SESSIONS', kind: 'int', default: 7200, min: 1, max: 2592000, doc: 'cache TTL of session copies (s)' },
  cacheTtlQueries: { env: 'CHINOOK_CACHE_TTL_QUERIES', kind: 'int', default: 300, min: 1, max: 2592000, doc: 'cache TTL of query results (s)' },
  cacheTtlAggregations: { env: 'CHINOOK_CACHE_TTL_AGGREGATIONS', kind: 'int', default: 1800, min: 1, max: 2592000, doc: 'cache TTL of aggregations (s)' },
  cacheTtlSearch: { env: 'CHINOOK_CACHE_TTL_SEARCH', kind: 'int', default: 600, min: 1, max: 2592000, doc: 'cache TTL of search results (s)' },
  cacheTtlPopular: { env: 'CHINOOK_CACHE_TTL_POPULAR', kind: 'int', default: 3600, min: 1, max: 2592000, doc: 'cache TTL of popularity rankings (s)' },
  cacheCleanupMs: {
    env: 'CHINOOK_CACHE_CLEANUP_MS',
    kind: 'int',
    default: 30000,
    min: 0,
    max: 86400000,
    doc: 'how often expired cache rows are swept (0 = never)',
  },
  cachePreload: {
    env: 'CHINOOK_CACHE_PRELOAD',
    kind: 'bool',
    default: true,
    doc: "warm popular tracks and genres into the cache, the vectors into memory and a large catalog's index files into the page cache on start",
  },
  // Accounts, sessions and the write queue (issue 6).
  sessionIdleSeconds: { env: 'CHINOOK_SESSION_IDLE_SECONDS', kind: 'int', default: 7200, min: 60, max: 31536000, doc: 'a session ends after this long unused' },
  loginRatePerMinute: { env: 'CHINOOK_LOGIN_RATE_PER_MINUTE', kind: 'int', default: 20, min: 1, max: 100000, doc: 'login/register attempts per IP per minute' },
  loginFailuresPerAccount: {
    env: 'CHINOOK_LOGIN_FAILURES_PER_ACCOUNT',
    kind: 'int',
    default: 5,
    min: 1,
    max: 100000,
    doc: 'failed logins per account per 15 minutes before it is throttled',
  },
  activityRetentionDays: {
    env: 'CHINOOK_ACTIVITY_RETENTION_DAYS',
    kind: 'int',
    default: 365,
    min: 1,
    max: 36500,
    doc: 'activity log entries older than this are pruned',
  },
  writeBatchMax: { env: 'CHINOOK_WRITE_BATCH_MAX', kind: 'int', default: 512, min: 1, max: 100000, doc: 'most writes committed in one group transaction' },
  writeBatchWaitMs: {
    env: 'CHINOOK_WRITE_BATCH_WAIT_MS',
    kind: 'int',
    default: 2,
    min: 0,
    max: 1000,
    doc: 'longest a write waits for others to share its commit',
  },
  vectorMemoryMiB: {
    env: 'CHINOOK_VECTOR_MEMORY_MIB',
    kind: 'int',
    default: 32,
    min: 0,
    max: 16384,
    doc: 'largest in-memory copy of the unit vectors kept per process for similar-track scans (int16, 1.14 KiB a track; 0 turns it off; larger catalogs use vec0 or the ANN index)',
  },
  deferredIndexMs: {
    env: 'CHINOOK_DEFERRED_INDEX_MS',
    kind: 'int',
    default: 500,
    min: 10,
    max: 60000,
    doc: 'how often new plays and activity entries are folded into their lookup tables',
  },
  trustProxy: {
    env: 'CHINOOK_TRUST_PROXY',
    kind: 'string',
    default: 'false',
    check: checkTrustProxy,
    doc: 'reverse proxies whose X-Forwarded-* to trust: false, how many hops (1 = the nearest), or their addresses/CIDRs, comma-separated',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof specs;

/**
 * CHINOOK_TRUST_PROXY as Fastify's trustProxy: false, a hop count, or addresses. `true`
 * (trust every hop) is refused: behind it any client picks its own IP with X-Forwarded-For,
 * and 25 of 25 spoofed logins passed the per-IP limit.
 */
export function trustProxySetting(value: string): false | number | string[] {
  const s = value.trim().toLowerCase();
  if (s === 'false' || s === '0' || s === 'no' || s === 'off') return false;
  if (/^\d+$/.test(s)) return Number(s);
  return s.split(',').map((a) => a.trim());
}

/** The setting as Fastify takes it: a hop count is "trust the n nearest hops" (proxy-addr's rule). */
export function fastifyTrustProxy(value: string): false | string[] | ((address: string, hop: number) => boolean) {
  const setting = trustProxySetting(value);
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

function checkTrustProxy(value: string): string | null {
  const s = value.trim().toLowerCase();
  if (['true', 'yes', 'on'].includes(s)) {
    return 'true would trust every X-Forwarded-For hop, so any client could choose its IP; give the number of proxies in front (e.g. 1) or their addresses';
  }
  const setting = trustProxySetting(s);
  if (typeof setting === 'number' && setting > 10) return `${setting} hops is more proxies than any deployment has (at most 10)`;
  if (Array.isArray(setting)) {
    const bad = setting.find((a) => !isIP(a.split('/')[0] ?? '') || (a.includes('/') && !/^\d{1,3}$/.test(a.split('/')[1] ?? '')));
    if (bad !== undefined) return `"${bad}" is not an IP address or CIDR range`;
  }
  return null;
}

type ValueOf<S extends SettingSpec> = S['kind'] extends 'int'
  ? number
  : S['kind'] extends 'bool'
    ? boolean
    : S['default'] extends undefined
      ? string | undefined
      : string;

export type Config = { readonly [K in SettingName]: ValueOf<(typeof specs)[K]> };
export type ConfigOverrides = Partial<Record<SettingName, string | number | boolean | undefined>>;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function parseSetting(name: SettingName, spec: SettingSpec, raw: string | number | boolean, from: string): string | number | boolean {
  const where = `${name} (${from})`;
  switch (spec.kind) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : /^\s*-?\d+\s*$/.test(String(raw)) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(n)) throw new ConfigError(`Invalid ${where}: expected a whole number, got ${JSON.stringify(raw)}`, name);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ConfigError(`Invalid ${where}: ${n} is outside ${spec.min}..${spec.max}`, name);
      }
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      throw new ConfigError(`Invalid ${where}: expected true/false, got ${JSON.stringify(raw)}`, name);
    }
    case 'enum': {
      const s = String(raw);
      if (!spec.values?.includes(s)) throw new ConfigError(`Invalid ${where}: ${JSON.stringify(raw)} is not one of ${spec.values?.join(', ')}`, name);
      return s;
    }
    default: {
      const s = String(raw);
      if (s.trim() === '') throw new ConfigError(`Invalid ${where}: must not be empty`, name);
      const problem = spec.check?.(s);
      if (problem) throw new ConfigError(`Invalid ${where}: ${problem}`, name);
      return s;
    }
  }
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs) as [SettingName, SettingSpec][]) {
    const override = overrides[name];
    const fromEnv = env[spec.env];
    if (override !== undefined) out[name] = parseSetting(name, spec, override, 'flag');
    else if (fromEnv !== undefined && fromEnv !== '') out[name] = parseSetting(name, spec, fromEnv, `env ${spec.env}`);
    else out[name] = spec.default;
  }
  if (typeof out.dbPath === 'string' && out.dbPath !== ':memory:') out.dbPath = path.resolve(projectRoot, out.dbPath);
  if (typeof out.source === 'string') out.source = path.resolve(process.cwd(), out.source);
  if (typeof out.backupDir === 'string') out.backupDir = path.resolve(process.cwd(), out.backupDir);
  if ((out.backupEveryMinutes as number) > 0 && out.backupDir === undefined) {
    throw new ConfigError('Invalid backupEveryMinutes: periodic backups need a folder (set CHINOOK_BACKUP_DIR)', 'backupEveryMinutes');
  }
  return Object.freeze(out) as unknown as Config;
}

/** Settings with their environment variable and documentation, for `chinook doctor` and the README. */
export function describeSettings(config: Config): { name: SettingName; env: string; value: unknown; doc: string }[] {
  return (Object.entries(specs) as [SettingName, SettingSpec][]).map(([name, spec]) => ({
    name,
    env: spec.env,
    value: name === 'adminToken' && config.adminToken ? '(set)' : config[name],
    doc: spec.doc,
  }));
}
