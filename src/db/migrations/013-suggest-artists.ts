// The stored one/two-letter suggestion lists keep each track's and album's artist since this
// version (src/search/suggest.ts). Lists stored before do not: bumping the catalog text
// generation makes every one of them stale, so each is recomputed, with its artists, on its
// first use (the same path a catalog write takes), instead of the code carrying a second way
// to read artists for old lists.
import type { Migration } from '../migration.ts';

export const suggestArtistsSchema: Migration = {
  version: 13,
  name: '013-suggest-artists',
  up(db) {
    db.exec('UPDATE search_suggest_gen SET gen = gen + 1 WHERE id = 1');
  },
};
