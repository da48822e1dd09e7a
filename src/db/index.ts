// The front door of db/: the primary connection and its statement cache, migrations, the
// group-commit write queue, deferred indexes, the checkpointer, database stats, storage faults
// and readiness, integrity checks, backup and restore.
export { BackupError, type BackupResult, backupDatabase, processesHolding, type RestoreResult, restoreDatabase } from './backup.ts';
export { startBackupSchedule } from './backup-schedule.ts';
export { type CheckpointStats, startCheckpointer } from './checkpointer.ts';
export {
  type Db,
  fileBytes,
  openPrimary,
  type PrimarySettings,
  readPragmas,
  releaseMappedPages,
  type Stmt,
  StorageOpenError,
  sqliteVersions,
  statement,
  statementFor,
} from './connection.ts';
export { type DeferredIndex, DeferredIndexer, watermarkOf } from './deferred-indexes.ts';
export { checkIntegrity, IntegrityError, type IntegrityResult, START_CHECK_AUTO_MAX_MIB, type StartCheck, startCheckMode } from './integrity.ts';
export { currentVersion, migrate, migrations } from './migrations.ts';
export { type CheckResult, Readiness, type ReadinessReport } from './readiness.ts';
export { DatabaseStatsReader } from './stats.ts';
export { classifyStorageError, faultMessage, type StorageFault, type StorageFaultKind, StorageHealth, type StorageState } from './storage-health.ts';
export { WriteQueue, WriteQueueClosedError } from './write-queue.ts';
