// The front door of db/: what other folders may import.
export { startCheckpointer } from './checkpointer.ts';
export { type Db, openPrimary, readPragmas, type Stmt, sqliteVersions, statement, statementFor } from './connection.ts';
export { type DeferredIndex, DeferredIndexer, watermarkOf } from './deferred-indexes.ts';
export { currentVersion, migrate, migrations } from './migrations.ts';
export { WriteQueue } from './write-queue.ts';
