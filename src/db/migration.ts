// What a migration is. A leaf module: the migration files import only this (and no live code
// of any folder), so a shipped migration's DDL never changes when the code above it does.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}
