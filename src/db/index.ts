// The front door of db/: the primary connection and its statement cache, migrations, the
// group-commit write queue, deferred indexes, the checkpointer and database stats.
export { type CheckpointStats, startCheckpointer } from './checkpointer.ts';
export { type Db, openPrimary, type PrimarySettings, readPragmas, type Stmt, sqliteVersions, statement, statementFor } from './connection.ts';
export { type DeferredIndex, DeferredIndexer, watermarkOf } from './deferred-indexes.ts';
export { currentVersion, migrate, migrations } from './migrations.ts';
export { DatabaseStatsReader } from './stats.ts';
export { WriteQueue } from './write-queue.ts';
