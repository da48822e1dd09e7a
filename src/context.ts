// Everything a process needs to serve: settings, the primary database and the services
// built on it. Created once per process (each cluster worker has its own).

import { CatalogService } from './catalog/index.ts';
import type { Config } from './config.ts';
import { type Db, openPrimary } from './db/connection.ts';
import { SalesReports } from './reports/sales.ts';

export interface AppContext {
  config: Config;
  db: Db;
  catalog: CatalogService;
  reports: SalesReports;
  close(): void;
}

export function createContext(config: Config, db: Db = openPrimary(config)): AppContext {
  return {
    config,
    db,
    catalog: new CatalogService(db),
    reports: new SalesReports(db),
    close() {
      if (db.open) db.close();
    },
  };
}
