// The synthetic catalog's bounds and default seed, apart from the generator: the CLI states them
// in its --help without loading the generator and its word lists.
export const SYNTHETIC_MAX_TRACKS = 5_000_000;
export const SYNTHETIC_DEFAULT_SEED = 42;
