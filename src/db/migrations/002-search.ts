// Full-text search: FTS5 index, suggestion index and the triggers that keep both in step
// with the catalog; rows already present are indexed here.
import { createSearchSchema, fillIndex } from '../../search/schema.ts';
import type { Migration } from '../migrations.ts';

export const searchSchema: Migration = {
  version: 2,
  name: '002-search',
  up(db) {
    createSearchSchema(db);
    fillIndex(db);
  },
};
