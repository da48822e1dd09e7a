// What GET /health reports: liveness and facts about the primary database. The track count
// comes from the catalog and is kept 10 s: count(*) walks an index, fine once, not on every
// probe of a 1M-track catalog under load.
import type { CatalogService } from './catalog/index.ts';
import { currentVersion, type Db, sqliteVersions } from './db/index.ts';

export const APP_VERSION = '0.1.0';
const TRACK_COUNT_TTL_MS = 10_000;

export interface HealthReport {
  status: 'ok';
  version: string;
  uptimeSeconds: number;
  pid: number;
  database: { path: string; sqlite: string; sqliteVec: string; journalMode: string; schemaVersion: number; tracks: number };
}

export class HealthService {
  private readonly versions;
  private tracks = { n: 0, at: Number.NEGATIVE_INFINITY };

  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
  ) {
    this.versions = sqliteVersions(db);
  }

  report(): HealthReport {
    return {
      status: 'ok',
      version: APP_VERSION,
      uptimeSeconds: Math.round(process.uptime()),
      pid: process.pid,
      database: {
        path: this.db.name,
        sqlite: this.versions.sqlite,
        sqliteVec: this.versions.sqliteVec,
        journalMode: String(this.db.pragma('journal_mode', { simple: true })),
        schemaVersion: currentVersion(this.db),
        tracks: this.trackCount(),
      },
    };
  }

  private trackCount(): number {
    if (performance.now() - this.tracks.at > TRACK_COUNT_TTL_MS) this.tracks = { n: this.catalog.tracks.count(), at: performance.now() };
    return this.tracks.n;
  }
}
