// The front door of importer/: what other folders may import.
export { importOfficial } from './official.ts';
export { resolveSource, SourceNotFoundError } from './source.ts';
export { importSynthetic, SYNTHETIC_DEFAULT_SEED, SYNTHETIC_MAX_TRACKS } from './synthetic.ts';
export { ADJECTIVES, FIRST_NAMES, LAST_NAMES, METAL_NOUNS, NOUNS, PLURALS, VERBS_ING } from './synthetic-words.ts';
export { catalogCounts, catalogIsEmpty, formatCounts } from './tables.ts';
