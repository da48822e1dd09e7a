// Search speed: stored suggestion lists for one- and two-letter prefixes, invalidated by a
// generation the catalog triggers bump (so the triggers are recreated with that bump).
import { createSuggestPrefixTables, createTriggers, dropTriggers } from '../../search/schema.ts';
import { fillSuggestPrefixes } from '../../search/suggest.ts';
import type { Migration } from '../migrations.ts';

export const searchSpeedSchema: Migration = {
  version: 7,
  name: '007-search-speed',
  up(db) {
    createSuggestPrefixTables(db);
    dropTriggers(db);
    createTriggers(db);
    fillSuggestPrefixes(db);
  },
};
