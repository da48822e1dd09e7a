// The front door of importer/: what other folders may import.
export { importOfficial } from './official.ts';
export { resolveSource, SourceNotFoundError } from './source.ts';
export { SYNTHETIC_DEFAULT_SEED, SYNTHETIC_MAX_TRACKS } from './synthetic-limits.ts';
/**
 * The synthetic catalog generator and its word lists (which the search evaluation borrows),
 * loaded when asked for: a serving process imports only the official catalog.
 */
export const loadSynthetic = () => import('./synthetic-entry.ts');
export { catalogCounts, catalogIsEmpty, formatCounts } from './tables.ts';
