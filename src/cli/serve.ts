// `chinook serve`: prepare the database (migrate, import when empty) and listen.
import type { Config } from '../config.ts';
import { createContext } from '../context.ts';
import { openPrimary } from '../db/connection.ts';
import { buildApp } from '../http/app.ts';
import { importOfficial } from '../importer/official.ts';
import { resolveSource } from '../importer/source.ts';
import { catalogIsEmpty, formatCounts } from '../importer/tables.ts';
import { createProgress } from './progress.ts';

/** Imports the official catalog into an empty database; returns whether it did. */
export async function ensureCatalog(config: Config): Promise<boolean> {
  const db = openPrimary(config);
  try {
    if (!catalogIsEmpty(db) || !config.autoImport) return false;
    console.error('Empty database: importing the Chinook catalog first.');
    const source = await resolveSource({ env: config.source, log: (l) => console.error(l) });
    const progress = createProgress('import');
    const result = importOfficial(db, source.path, { onProgress: (d, t, l) => progress.update(d, t, l) });
    progress.stop();
    console.error(`Imported ${formatCounts(result.counts)} in ${result.ms.toFixed(0)} ms.`);
    return true;
  } finally {
    db.close();
  }
}

export async function serve(config: Config): Promise<void> {
  await ensureCatalog(config);
  const ctx = createContext(config);
  const app = await buildApp(ctx);
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
}
