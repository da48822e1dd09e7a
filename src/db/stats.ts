import { type Db, fileBytes, readPragmas } from './connection.ts';

// The tables an operator asks about; FTS and vec0 shadow tables are reported by search and vectors.
export const COUNTED_TABLES = [
  'chinook_tracks',
  'chinook_albums',
  'chinook_artists',
  'chinook_genres',
  'chinook_playlists',
  'chinook_playlist_track',
  'chinook_customers',
  'chinook_invoices',
  'chinook_invoice_lines',
  'users',
  'sessions',
  'plays',
  'activity_log',
  'vector_similarity_cache',
] as const;

const COUNT_TTL_MS = 10_000;

export interface DatabaseStats {
  path: string;
  fileBytes: number;
  walBytes: number;
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  pragmas: Record<string, unknown>;
  rowCounts: Record<string, number>;
  countedAt: string;
}

export class DatabaseStatsReader {
  private counts: { at: number; rows: Record<string, number> } | null = null;
  private readonly countStmts;

  constructor(private readonly db: Db) {
    const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    this.countStmts = COUNTED_TABLES.filter((t) => present.has(t)).map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck()] as const);
  }

  read(): DatabaseStats {
    if (!this.counts || Date.now() - this.counts.at > COUNT_TTL_MS) {
      this.counts = { at: Date.now(), rows: Object.fromEntries(this.countStmts.map(([t, s]) => [t, s.get() as number])) };
    }
    const pragma = (name: string) => Number(this.db.pragma(name, { simple: true }));
    return {
      path: this.db.name,
      fileBytes: fileBytes(this.db.name),
      walBytes: fileBytes(`${this.db.name}-wal`),
      pageSize: pragma('page_size'),
      pageCount: pragma('page_count'),
      freelistCount: pragma('freelist_count'),
      pragmas: readPragmas(this.db),
      rowCounts: this.counts.rows,
      countedAt: new Date(this.counts.at).toISOString(),
    };
  }
}
