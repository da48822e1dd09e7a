// What the health endpoints report. Anyone: status and version. Admins: facts about the
// primary database (path, versions, pragmas, counts, sizes, storage state). Readiness: can this
// process read and write the primary (src/db/readiness.ts). The track count comes from the
// catalog and is kept 10 s: count(*) walks an index, fine once, not on every probe of a
// 1M-track catalog under load.
import type { CatalogService } from './catalog/index.ts';
import {
  currentVersion,
  type Db,
  fileBytes,
  Readiness,
  type ReadinessReport,
  readPragmas,
  type StorageHealth,
  type StorageState,
  sqliteVersions,
  type WriteQueue,
} from './db/index.ts';

export const APP_VERSION = '0.1.0';
const TRACK_COUNT_TTL_MS = 10_000;

export interface HealthSummary {
  /** degraded: a storage fault in the last 5 s, or no commit since the last one. */
  status: 'ok' | 'degraded';
  version: string;
}

export interface HealthReport extends HealthSummary {
  uptimeSeconds: number;
  pid: number;
  node: string;
  database: {
    path: string;
    sqlite: string;
    sqliteVec: string;
    journalMode: string;
    schemaVersion: number;
    tracks: number;
    fileBytes: number;
    walBytes: number;
    pragmas: Record<string, unknown>;
  };
  storage: StorageState;
}

export class HealthService {
  private readonly versions;
  private readonly readiness: Readiness;
  private tracks = { n: 0, at: Number.NEGATIVE_INFINITY };

  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
    private readonly storage: StorageHealth,
    writes: WriteQueue,
  ) {
    this.versions = sqliteVersions(db);
    this.readiness = new Readiness(db, writes, storage);
  }

  summary(): HealthSummary {
    return { status: this.storage.degraded ? 'degraded' : 'ok', version: APP_VERSION };
  }

  report(): HealthReport {
    return {
      ...this.summary(),
      uptimeSeconds: Math.round(process.uptime()),
      pid: process.pid,
      node: process.version,
      database: {
        path: this.db.name,
        sqlite: this.versions.sqlite,
        sqliteVec: this.versions.sqliteVec,
        journalMode: String(this.db.pragma('journal_mode', { simple: true })),
        schemaVersion: currentVersion(this.db),
        tracks: this.trackCount(),
        fileBytes: fileBytes(this.db.name),
        walBytes: fileBytes(`${this.db.name}-wal`),
        pragmas: readPragmas(this.db),
      },
      storage: this.storage.state(),
    };
  }

  /** A read and a one-row write of the primary (one at a time, the answer reused for a second). */
  ready(): Promise<ReadinessReport> {
    return this.readiness.check();
  }

  private trackCount(): number {
    if (performance.now() - this.tracks.at > TRACK_COUNT_TTL_MS) this.tracks = { n: this.catalog.tracks.count(), at: performance.now() };
    return this.tracks.n;
  }
}
